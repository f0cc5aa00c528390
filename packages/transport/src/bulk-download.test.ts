import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Capabilities, DownloadItem, DownloadResult, RemoteEntry } from '@mcsync/core';
import { type Headers, pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, type RecordedRequest, sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-bdl-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

/** Server content by file id. */
const content: Record<number, Buffer> = {
  10: Buffer.from('alpha'),
  11: Buffer.from('bravo bravo'),
  12: Buffer.alloc(0),
  13: Buffer.from('charlie'),
  20: Buffer.alloc(200, 7),
};

interface TarOptions {
  /** Ids whose pax MC.md5 is wrong. */
  lying?: Set<number>;
  /** Cut the connection after this many entries. */
  breakAfter?: number;
}

async function sendTar(res: ServerResponse, ids: number[], opts: TarOptions) {
  res.writeHead(200, { 'content-type': 'application/x-tar' });
  const tar = pack();
  tar.on('error', () => {}); // the connection cut on purpose, or by the client's abort
  tar.pipe(res);
  const errors: { id: number; error: string }[] = [];
  let sent = 0;
  for (const id of ids) {
    const data = content[id];
    if (!data) {
      errors.push({ id, error: 'No such file' });
      continue;
    }
    if (opts.breakAfter !== undefined && sent === opts.breakAfter) {
      await new Promise((r) => setTimeout(r, 20));
      res.destroy();
      return;
    }
    const checksum = opts.lying?.has(id) ? md5('something else') : md5(data);
    await new Promise<void>((resolve, reject) => tar.entry({ name: String(id), size: data.length, pax: { 'MC.md5': checksum } } as Headers, data, (err) => (err ? reject(err) : resolve())));
    sent++;
  }
  if (errors.length) tar.entry({ name: 'errors.json' }, JSON.stringify(errors));
  tar.finalize();
}

async function setup(features: string[], limits: Record<string, number> = {}, tarOpts: (attempt: number) => TarOptions = () => ({})) {
  let attempt = 0;
  const stub = await startStub(async (req, res) => {
    if (req.url === '/api/projects/7/files/bulk-download') {
      const { ids } = JSON.parse(req.body.toString()) as { ids: number[] };
      return sendTar(res, ids, tarOpts(attempt++));
    }
    const single = /^\/api\/projects\/7\/files\/(\d+)\/download$/.exec(req.url);
    if (single && content[Number(single[1])]) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(content[Number(single[1])]);
    }
    sendJson(res, 404, { message: 'No such file' });
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: { ...FAST_RETRY, retries: 0 } });
  cleanup.push(() => stub.close(), () => client.close());
  const capabilities: Capabilities = { profile: 'enhanced', features: new Set(features), limits };
  return { stub, remote: createRemoteProject({ client, projectId: 7, capabilities }) };
}

function item(id: number, path: string, over: Partial<RemoteEntry> = {}): DownloadItem {
  const data = content[id] ?? Buffer.from('?');
  const remote: RemoteEntry = { path, kind: 'file', id, size: data.length, md5: md5(data), ...over };
  return { path, remote, localPath: join(dir, path) };
}

async function all(it: AsyncIterable<DownloadResult>): Promise<DownloadResult[]> {
  const out: DownloadResult[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const outcome = (results: DownloadResult[]) => Object.fromEntries(results.map((r) => [r.path, r.ok ? `ok ${r.verified}` : r.error.code]));
/** The ids asked for by each bulk request (sorted: entries written in the background settle in any order). */
const bulkIds = (reqs: RecordedRequest[]) => reqs.filter((r) => r.url.endsWith('/bulk-download')).map((r) => (JSON.parse(r.body.toString()) as { ids: number[] }).ids.sort((a, b) => a - b));

describe('bulk download', () => {
  it('writes each tar entry to a verified temp file beside its target, in one request; ids in errors.json fail with NOT_FOUND', async () => {
    const { stub, remote } = await setup(['bulk-download']);
    const items = [item(10, 'a.txt'), item(11, 'sub/deeper/b.txt'), item(12, 'empty'), item(99, 'ghost.txt')];
    const results = await all(remote.download(items));
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'sub/deeper/b.txt': 'ok md5', empty: 'ok md5', 'ghost.txt': 'NOT_FOUND' });
    for (const r of results) {
      if (!r.ok) continue;
      expect(r.tempPath.startsWith(join(dir, r.path, '..'))).toBe(true);
      expect((await readFile(r.tempPath)).equals(content[items.find((i) => i.path === r.path)!.remote.id]!)).toBe(true);
    }
    expect(bulkIds(stub.requests)).toEqual([[10, 11, 12, 99]]);
    expect(stub.requests).toHaveLength(1);
  });

  it('checks each entry against its MD5 header and the expected MD5: a mismatch is fetched once more, then fails with VERIFY and leaves no file', async () => {
    const { stub, remote } = await setup(['bulk-download'], {}, () => ({ lying: new Set([11]) }));
    const stale = item(13, 'stale.txt', { md5: md5('what the plan expected') });
    const results = await all(remote.download([item(10, 'a.txt'), item(11, 'b.txt'), stale]));
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'b.txt': 'VERIFY', 'stale.txt': 'VERIFY' });
    expect(bulkIds(stub.requests)).toEqual([[10, 11, 13], [11, 13]]);
    const left = await readdir(dir);
    expect(left).toHaveLength(1); // a.txt's verified temp file only
    expect(left[0]!.startsWith('.mc-tmp-')).toBe(true);
  });

  it('fetches what a broken stream did not bring in a second request', async () => {
    const { stub, remote } = await setup(['bulk-download'], {}, (attempt) => (attempt === 0 ? { breakAfter: 1 } : {}));
    const results = await all(remote.download([item(10, 'a.txt'), item(11, 'b.txt'), item(13, 'c.txt')]));
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'b.txt': 'ok md5', 'c.txt': 'ok md5' });
    expect(bulkIds(stub.requests)).toEqual([[10, 11, 13], [11, 13]]);
    expect((await readdir(dir)).length).toBe(3);
  });

  it('splits requests by the advertised file limit, and fetches files above the size cap one GET each', async () => {
    const { stub, remote } = await setup(['bulk-download'], { bulk_download_max_files: 2 });
    const results = await all(remote.download([item(10, 'a'), item(11, 'b'), item(13, 'c'), item(20, 'big', { size: 200 })].map((i) => (i.path === 'big' ? { ...i, remote: { ...i.remote, size: 9 << 20 } } : i))));
    expect(outcome(results)).toMatchObject({ a: 'ok md5', b: 'ok md5', c: 'ok md5', big: 'VERIFY' });
    expect(bulkIds(stub.requests).sort()).toEqual([[10, 11], [13]]);
    expect(stub.requests.filter((r) => r.url === '/api/projects/7/files/20/download')).toHaveLength(2); // VERIFY is retried once
  });

  it('downloads one GET per file when bulk-download is not listed', async () => {
    const { stub, remote } = await setup(['tree', 'bulk-upload']);
    const results = await all(remote.download([item(10, 'a.txt'), item(11, 'b.txt')]));
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'b.txt': 'ok md5' });
    expect(stub.requests.map((r) => r.url).sort()).toEqual(['/api/projects/7/files/10/download', '/api/projects/7/files/11/download']);
  });

  it('after an abort mid-stream, gives every item one result and leaves no temp file of an unfinished item', async () => {
    const controller = new AbortController();
    const { remote } = await setup(['bulk-download'], {}, () => ({ breakAfter: 2 }));
    const results: DownloadResult[] = [];
    for await (const r of remote.download([item(10, 'a'), item(11, 'b'), item(13, 'c')], { signal: controller.signal })) {
      results.push(r);
      controller.abort();
    }
    expect(results.map((r) => r.path).sort()).toEqual(['a', 'b', 'c']);
    const kept = results.filter((r) => r.ok).length;
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 'ABORTED')).toBe(true);
    expect((await readdir(dir)).length).toBe(kept);
  });
});
