import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressEvent, UploadItem, UploadResult } from '@mcsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, type RecordedRequest, sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const root = { id: 1, uuid: 'r', name: '/', path: '/', mime_type: 'directory', directory_id: null };

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-up-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

/** Filenames of the parts of a multipart body, in order. */
function partNames(req: RecordedRequest): string[] {
  return [...req.body.toString('latin1').matchAll(/filename="([^"]*)"/g)].map((m) => m[1]!);
}

function row(id: number, name: string, content: string, extra: Record<string, unknown> = {}) {
  return { id, uuid: `u${id}`, name, mime_type: 'text/plain', path: null, size: Buffer.byteLength(content), checksum: md5(content), current: true, directory_id: 1, ...extra };
}

/** A server whose upload route answers `answer(names, attempt)`. */
async function setup(answer: (names: string[], attempt: number, req: RecordedRequest) => unknown[] | null) {
  let attempt = 0;
  const stub = await startStub((req, res) => {
    if (req.url === '/api/files/by_path') return sendJson(res, 200, { data: root });
    if (req.url === '/api/projects/7/files/1/upload') {
      const data = answer(partNames(req), attempt++, req);
      return data ? sendJson(res, 200, { data }) : sendJson(res, 500, { message: 'Server Error' });
    }
    sendJson(res, 404, { message: 'No such route' });
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: { ...FAST_RETRY, retries: 0 } });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, remote: createRemoteProject({ client, projectId: 7 }) };
}

async function files(contents: Record<string, string>): Promise<UploadItem[]> {
  const items: UploadItem[] = [];
  for (const [name, content] of Object.entries(contents)) {
    const localPath = join(dir, name);
    await writeFile(localPath, content);
    const st = await stat(localPath, { bigint: true });
    items.push({ path: name, localPath, size: Buffer.byteLength(content), md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) });
  }
  return items;
}

async function all(it: AsyncIterable<UploadResult>): Promise<UploadResult[]> {
  const out: UploadResult[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const contents = { 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' };

describe('stock upload', () => {
  it('sends small files of one directory in one request and checks one row per part', async () => {
    const { remote, stub } = await setup((names) => names.map((n, i) => row(10 + i, n, contents[n as keyof typeof contents])));
    const events: ProgressEvent[] = [];
    const results = await all(remote.upload(await files(contents), { onProgress: (e) => events.push(e) }));
    expect(results.map((r) => [r.path, r.ok && r.verified])).toEqual([
      ['a.txt', 'md5'],
      ['b.txt', 'md5'],
      ['c.txt', 'md5'],
    ]);
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/files/by_path', '/api/projects/7/files/1/upload']);
    expect(JSON.parse(stub.requests[0]!.body.toString())).toEqual({ project_id: 7, path: '/' });
    expect(events.filter((e) => e.type === 'start').map((e) => e.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(3);
  });

  it('matches rows by the server fold key, whatever spelling the server kept', async () => {
    const { remote } = await setup((names) => names.map((n, i) => row(10 + i, n.toUpperCase(), contents[n as keyof typeof contents])));
    const results = await all(remote.upload(await files(contents)));
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('retries a file whose row did not come back (a dropped part, Q16) and fails it when it stays missing', async () => {
    const { remote, stub } = await setup((names) => names.filter((n) => n !== 'b.txt').map((n, i) => row(10 + i, n, contents[n as keyof typeof contents])));
    const results = await all(remote.upload(await files(contents)));
    expect(results.filter((r) => r.ok).map((r) => r.path).sort()).toEqual(['a.txt', 'c.txt']);
    expect(results.find((r) => r.path === 'b.txt')).toMatchObject({ ok: false, error: { code: 'SERVER' } });
    expect(stub.requests.slice(1).map(partNames)).toEqual([['a.txt', 'b.txt', 'c.txt'], ['b.txt']]);
  });

  it('retries a checksum mismatch once, then fails that file with VERIFY', async () => {
    const { remote, stub } = await setup((names) =>
      names.map((n, i) => row(10 + i, n, contents[n as keyof typeof contents], n === 'a.txt' ? { checksum: md5('other') } : {})),
    );
    const results = await all(remote.upload(await files(contents)));
    expect(results.find((r) => r.path === 'a.txt')).toMatchObject({ ok: false, error: { code: 'VERIFY' } });
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(stub.requests).toHaveLength(3);
  });

  it('accepts a row without a checksum on size alone, and reports a size mismatch as VERIFY', async () => {
    const { remote } = await setup((names) =>
      names.map((n, i) => row(10 + i, n, contents[n as keyof typeof contents], n === 'a.txt' ? { checksum: '' } : n === 'b.txt' ? { size: 1 } : {})),
    );
    const results = await all(remote.upload(await files(contents)));
    expect(results.find((r) => r.path === 'a.txt')).toMatchObject({ ok: true, verified: 'size' });
    expect(results.find((r) => r.path === 'b.txt')).toMatchObject({ ok: false, error: { code: 'VERIFY' } });
  });

  it('fails every file of a request the server refuses, and keeps the other requests going', async () => {
    const { remote } = await setup(() => null);
    const results = await all(remote.upload(await files(contents)));
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['SERVER', 'SERVER', 'SERVER']);
  });

  it('fails a file whose MD5 differs from the one it was planned with as CHANGED', async () => {
    const { remote } = await setup((names) => names.map((n, i) => row(10 + i, n, contents[n as keyof typeof contents])));
    const items = await files(contents);
    items[0] = { ...items[0]!, md5: md5('planned with other bytes') };
    const results = await all(remote.upload(items));
    expect(results.find((r) => r.path === 'a.txt')).toMatchObject({ ok: false, error: { code: 'CHANGED' } });
  });

  it('fails a missing local file with LOCAL_IO and uploads the rest of its batch', async () => {
    const { remote } = await setup((names) => names.map((n, i) => row(10 + i, n, contents[n as keyof typeof contents])));
    const items = await files(contents);
    await rm(items[1]!.localPath);
    const results = await all(remote.upload(items));
    expect(results.find((r) => r.path === 'b.txt')).toMatchObject({ ok: false, error: { code: 'LOCAL_IO' } });
    expect(results.filter((r) => r.ok).map((r) => r.path).sort()).toEqual(['a.txt', 'c.txt']);
  });

  it('after an abort, starts nothing new and gives every item a result (ABORTED for the rest)', async () => {
    const controller = new AbortController();
    const { remote, stub } = await setup((names) => {
      controller.abort();
      return names.map((n, i) => row(10 + i, n, 'x'));
    });
    const many: Record<string, string> = {};
    for (let i = 0; i < 30; i++) many[`f${i}.txt`] = 'x';
    const results = await all(remote.upload(await files(many), { signal: controller.signal, concurrency: 1 }));
    expect(results).toHaveLength(30);
    expect(results.filter((r) => !r.ok && r.error.code === 'ABORTED').length).toBeGreaterThanOrEqual(10);
    expect(stub.requests.filter((r) => r.url.endsWith('/upload')).length).toBe(1);
  });
});

describe('stock upload: a server error for one file of a batch', () => {
  it('sends the batch again one file at a time, so only the file the server chokes on fails', async () => {
    const { remote } = await setup((names) => (names.includes('poison.txt') ? null : names.map((n, i) => row(10 + i, n, n === 'a.txt' ? 'A' : 'B'))));
    const items = await files({ 'a.txt': 'A', 'poison.txt': 'P', 'b.txt': 'B' });
    const results: UploadResult[] = [];
    for await (const r of remote.upload(items)) results.push(r);
    const byPath = Object.fromEntries(results.map((r) => [r.path, r.ok ? 'ok' : r.error.code]));
    expect(byPath).toEqual({ 'a.txt': 'ok', 'b.txt': 'ok', 'poison.txt': 'SERVER' });
  });
});
