import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DownloadItem, type DownloadResult, type ProgressEvent, TEMP_PREFIX } from '@mcsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const CONTENT = Buffer.alloc(3 * 1024 * 1024 + 17, 7);

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-dl-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

/** Serves file 5 with `bytes(requestIndex)`. */
async function setup(bytes: (i: number) => Buffer, opts: { slow?: boolean } = {}) {
  const stub = await startStub(async (req, res, i) => {
    if (req.url !== '/api/projects/7/files/5/download') {
      res.statusCode = 404;
      return res.end();
    }
    const body = bytes(i);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    if (opts.slow) {
      res.write(body.subarray(0, 1024));
      return; // never finishes
    }
    res.end(body);
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: FAST_RETRY });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, remote: createRemoteProject({ client, projectId: 7 }) };
}

function item(remoteMd5: string | null, size = CONTENT.length): DownloadItem {
  return { path: 'sub/data.bin', localPath: join(dir, 'sub', 'data.bin'), remote: { path: 'sub/data.bin', kind: 'file', id: 5, size, md5: remoteMd5 } };
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function leftovers(): Promise<string[]> {
  return (await readdir(join(dir, 'sub')).catch(() => [] as string[])).filter((n) => n.startsWith(TEMP_PREFIX));
}

describe('stock download', () => {
  it('streams into a verified temp file beside the target and never touches the target', async () => {
    const { remote } = await setup(() => CONTENT);
    const events: ProgressEvent[] = [];
    const [result] = (await all(remote.download([item(md5(CONTENT))], { onProgress: (e) => events.push(e) }))) as [DownloadResult];
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result).toMatchObject({ bytes: CONTENT.length, md5: md5(CONTENT), verified: 'md5' });
    expect(result.tempPath.startsWith(join(dir, 'sub', TEMP_PREFIX))).toBe(true);
    expect(md5(await readFile(result.tempPath))).toBe(md5(CONTENT));
    expect(await readdir(join(dir, 'sub'))).not.toContain('data.bin');
    expect(events[0]).toMatchObject({ type: 'start', total: CONTENT.length });
    expect(events.at(-1)).toMatchObject({ type: 'done', bytes: CONTENT.length });
  });

  it('verifies by size when the server has no MD5', async () => {
    const { remote } = await setup(() => CONTENT);
    const [result] = await all(remote.download([item(null)]));
    expect(result).toMatchObject({ ok: true, verified: 'size' });
  });

  it('fails with VERIFY after one retry when the bytes are wrong, leaving no temp file', async () => {
    const wrong = Buffer.from(CONTENT);
    wrong[100] = 8;
    const { remote, stub } = await setup(() => wrong);
    const [result] = await all(remote.download([item(md5(CONTENT))]));
    expect(result!.ok).toBe(false);
    if (result!.ok) return;
    expect(result!.error.code).toBe('VERIFY');
    expect(stub.requests).toHaveLength(2);
    expect(await leftovers()).toEqual([]);
  });

  it('succeeds when the retry gets the right bytes', async () => {
    const wrong = Buffer.from(CONTENT);
    wrong[0] = 9;
    const { remote } = await setup((i) => (i === 0 ? wrong : CONTENT));
    const [result] = await all(remote.download([item(md5(CONTENT))]));
    expect(result!.ok).toBe(true);
    expect(await leftovers()).toHaveLength(1);
  });

  it('fails a size mismatch with VERIFY', async () => {
    const { remote } = await setup(() => CONTENT.subarray(0, 10));
    const [result] = await all(remote.download([item(null)]));
    expect(result).toMatchObject({ ok: false, error: { code: 'VERIFY' } });
    expect(await leftovers()).toEqual([]);
  });

  it('on abort, abandons the transfer, removes the temp file and reports ABORTED', async () => {
    const { remote } = await setup(() => CONTENT, { slow: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const results = await all(remote.download([item(md5(CONTENT)), { ...item(null), path: 'other' }], { signal: controller.signal, concurrency: 1 }));
    expect(results.map((r) => [r.path, r.ok ? 'ok' : r.error.code])).toEqual([
      ['sub/data.bin', 'ABORTED'],
      ['other', 'ABORTED'],
    ]);
    expect(await leftovers()).toEqual([]);
  });
});
