import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Capabilities, ProgressEvent, UploadItem, UploadResult } from '@mcsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, type RecordedRequest, multipartParts, sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const root = { id: 1, uuid: 'r', name: '/', path: '/', mime_type: 'directory', directory_id: null };

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-eup-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

interface Entry {
  path: string;
  size: number;
  md5: string;
  if_current_id?: number;
}

/**
 * A fake enhanced server: by-checksum knows the contents in `known`; bulk-upload checks each
 * part's size and MD5 against its manifest entry; paths in `conflicts` answer `conflict` (409 on
 * the stock route with `if_current_id`). `stored` lists what it kept, in order.
 */
async function fakeServer(features: string[], limits: Record<string, number> = {}, opts: { known?: string[]; conflicts?: string[]; onBulk?: (entries: Entry[]) => Promise<void> | void; bulkStatus?: (e: Entry) => string | undefined } = {}) {
  let nextId = 100;
  const stored: string[] = [];
  const row = (name: string, size: number, checksum: string) => ({ id: nextId++, uuid: `u${nextId}`, name, mime_type: 'text/plain', path: null, size, checksum, current: true, directory_id: 1 });
  const conflicts = new Set(opts.conflicts ?? []);
  const known = new Set(opts.known ?? []);
  const stub = await startStub(async (req, res) => {
    const url = req.url;
    if (url === '/api/server/info') return sendJson(res, 200, { data: {} });
    if (url === '/api/files/by_path') return sendJson(res, 200, { data: root });
    if (url === '/api/directories/by-path') {
      const path = JSON.parse(req.body.toString()).path as string;
      return sendJson(res, 200, { data: { id: 2, uuid: 'd', name: path.split('/').pop(), path, mime_type: 'directory', directory_id: 1 } });
    }
    if (url === '/api/projects/7/files/by-checksum') {
      const { files } = JSON.parse(req.body.toString()) as { files: Entry[] };
      const data = files.map((f) => {
        if (conflicts.has(f.path)) return { path: f.path, status: 'conflict' };
        if (!known.has(f.md5)) return { path: f.path, status: 'need_bytes' };
        stored.push(f.path);
        return { path: f.path, status: 'created', file: row(f.path.split('/').pop()!, f.size, f.md5) };
      });
      return sendJson(res, 200, { data });
    }
    if (url === '/api/projects/7/files/bulk-upload') {
      const parts = multipartParts(req);
      expect(parts[0]!.name).toBe('manifest');
      const manifest = JSON.parse(parts[0]!.data.toString()) as Entry[];
      await opts.onBulk?.(manifest);
      const data = manifest.map((e, i) => {
        const part = parts[i + 1]!;
        expect(part.name).toBe('file');
        const forced = opts.bulkStatus?.(e);
        if (forced) return { path: e.path, status: forced, error: 'forced' };
        if (part.data.length !== e.size || md5(part.data) !== e.md5) return { path: e.path, status: 'failed', error: 'size or MD5 differs from the manifest' };
        if (conflicts.has(e.path)) return { path: e.path, status: 'conflict' };
        stored.push(e.path);
        known.add(e.md5);
        return { path: e.path, status: 'created', file: row(e.path.split('/').pop()!, e.size, e.md5) };
      });
      return sendJson(res, 200, { data });
    }
    const single = /^\/api\/projects\/7\/files\/(\d+)\/upload$/.exec(url);
    if (single) {
      const parts = multipartParts(req);
      const precondition = parts.find((p) => p.name === 'if_current_id');
      const files = parts.filter((p) => p.name === 'files[]');
      if (precondition && files.some((f) => conflicts.has(`/${f.filename}`))) return sendJson(res, 409, { message: 'the file changed' });
      for (const f of files) stored.push(`/${f.filename}`);
      return sendJson(res, 200, { data: files.map((f) => row(f.filename!, f.data.length, md5(f.data))) });
    }
    sendJson(res, 404, { message: 'No such route' });
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: { ...FAST_RETRY, retries: 0 } });
  cleanup.push(() => stub.close(), () => client.close());
  const capabilities: Capabilities = { profile: 'enhanced', features: new Set(features), limits };
  return { stub, stored, remote: createRemoteProject({ client, projectId: 7, capabilities }) };
}

async function files(contents: Record<string, string>, withMd5: string[] = [], extra: Partial<UploadItem> = {}): Promise<UploadItem[]> {
  const items: UploadItem[] = [];
  for (const [name, content] of Object.entries(contents)) {
    const localPath = join(dir, name);
    await writeFile(localPath, content);
    const st = await stat(localPath, { bigint: true });
    items.push({ path: name, localPath, size: Buffer.byteLength(content), md5: withMd5.includes(name) ? md5(content) : null, mtimeNs: st.mtimeNs, ino: Number(st.ino), ...extra });
  }
  return items;
}

async function all(it: AsyncIterable<UploadResult>): Promise<UploadResult[]> {
  const out: UploadResult[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const outcome = (results: UploadResult[]) => Object.fromEntries(results.map((r) => [r.path, r.ok ? `ok ${r.verified}` : r.error.code]));
const urls = (reqs: RecordedRequest[]) => reqs.map((r) => r.url.replace('/api/projects/7', ''));
const manifestOf = (req: RecordedRequest) => JSON.parse(multipartParts(req)[0]!.data.toString()) as Entry[];

const ALL = ['tree', 'changes', 'bulk-upload', 'bulk-download', 'by-checksum', 'preconditions'];

describe('enhanced upload', () => {
  it('offers known MD5s by checksum first; only what needs bytes is sent, in one bulk request with its manifest', async () => {
    const { stub, stored, remote } = await fakeServer(ALL, {}, { known: [md5('alpha')] });
    const events: ProgressEvent[] = [];
    const items = await files({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' }, ['a.txt', 'b.txt']);
    const results = await all(remote.upload(items, { onProgress: (e) => events.push(e) }));
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'b.txt': 'ok md5', 'c.txt': 'ok md5' });
    expect(results.find((r) => r.path === 'a.txt')).toMatchObject({ ok: true, bytes: 5, md5: md5('alpha'), remote: { path: 'a.txt', size: 5 } });
    expect(urls(stub.requests)).toEqual(['/files/by-checksum', '/files/bulk-upload']);
    expect(JSON.parse(stub.requests[0]!.body.toString())).toEqual({
      files: [
        { path: '/a.txt', size: 5, md5: md5('alpha') },
        { path: '/b.txt', size: 5, md5: md5('bravo') },
      ],
    });
    // c.txt was hashed before its manifest was built; b.txt's MD5 came from the plan.
    expect(manifestOf(stub.requests[1]!)).toEqual([
      { path: '/c.txt', size: 7, md5: md5('charlie') },
      { path: '/b.txt', size: 5, md5: md5('bravo') },
    ]);
    expect(multipartParts(stub.requests[1]!).slice(1).map((p) => p.data.toString())).toEqual(['charlie', 'bravo']);
    expect(stored).toEqual(['/a.txt', '/c.txt', '/b.txt']);
    expect(events.filter((e) => e.type === 'done').map((e) => e.path).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);
  });

  it('sizes bulk requests by the advertised limits, and sends files above the byte limit by the stock route', async () => {
    const { stub, remote } = await fakeServer(ALL, { bulk_upload_max_files: 3, bulk_upload_max_bytes: 100 });
    const contents: Record<string, string> = { 'big.bin': 'x'.repeat(150) };
    for (let i = 0; i < 7; i++) contents[`f${i}.txt`] = `file ${i}`;
    const results = await all(remote.upload(await files(contents)));
    expect(results.every((r) => r.ok)).toBe(true);
    const bulk = stub.requests.filter((r) => r.url.endsWith('/bulk-upload'));
    expect(bulk.map((r) => manifestOf(r).length).sort()).toEqual([1, 3, 3]);
    expect(urls(stub.requests).filter((u) => !u.endsWith('/bulk-upload')).sort()).toEqual(['/api/files/by_path', '/files/1/upload']);
  });

  it('fails a file that changes while it is sent with CHANGED and never stores it; its batch mates go again', async () => {
    const { stub, stored, remote } = await fakeServer(ALL);
    const items = await files({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' });
    const results = await all(
      remote.upload(items, {
        onProgress: (e) => {
          if (e.type === 'start' && e.path === 'b.txt') writeFileSync(items[1]!.localPath, 'BRAVO!');
        },
      }),
    );
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'b.txt': 'CHANGED', 'c.txt': 'ok md5' });
    expect(stored.sort()).toEqual(['/a.txt', '/c.txt']);
    expect(stub.requests.filter((r) => r.url.endsWith('/bulk-upload')).map((r) => manifestOf(r).length)).toEqual([2]);
  });

  it('reports a `failed` entry as CHANGED when the local file changed, and retries it once when it did not', async () => {
    const items = await files({ 'a.txt': 'alpha', 'b.txt': 'bravo' });
    let calls = 0;
    const { stub, remote } = await fakeServer(ALL, {}, {
      // The server refuses both; meanwhile a.txt is modified.
      bulkStatus: () => (calls++ < 2 ? 'failed' : undefined),
      onBulk: async () => {
        if (calls === 0) await writeFile(items[0]!.localPath, 'ALPHA!');
      },
    });
    const results = await all(remote.upload(items));
    expect(outcome(results)).toEqual({ 'a.txt': 'CHANGED', 'b.txt': 'ok md5' });
    expect(stub.requests.filter((r) => r.url.endsWith('/bulk-upload')).map((r) => manifestOf(r).map((e) => e.path))).toEqual([['/a.txt', '/b.txt'], ['/b.txt']]);
  });

  it('sends if_current_id with preconditions and reports `conflict` as CONFLICT, by checksum and in bulk', async () => {
    const { stub, remote } = await fakeServer(ALL, {}, { known: [md5('alpha')], conflicts: ['/a.txt', '/b.txt'] });
    const items = await files({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' }, ['a.txt'], { ifCurrentId: 0 });
    items[1]!.ifCurrentId = 41;
    const results = await all(remote.upload(items));
    expect(outcome(results)).toEqual({ 'a.txt': 'CONFLICT', 'b.txt': 'CONFLICT', 'c.txt': 'ok md5' });
    expect(JSON.parse(stub.requests[0]!.body.toString()).files[0]).toMatchObject({ path: '/a.txt', if_current_id: 0 });
    expect(manifestOf(stub.requests[1]!).map((e) => e.if_current_id)).toEqual([41, 0]);
  });

  it('sends no if_current_id when the server does not list preconditions', async () => {
    const { stub, remote } = await fakeServer(['bulk-upload', 'by-checksum']);
    const items = await files({ 'a.txt': 'alpha' }, ['a.txt'], { ifCurrentId: 5 });
    expect(outcome(await all(remote.upload(items)))).toEqual({ 'a.txt': 'ok md5' });
    expect(JSON.parse(stub.requests[0]!.body.toString()).files[0]).not.toHaveProperty('if_current_id');
    expect(manifestOf(stub.requests[1]!)[0]).not.toHaveProperty('if_current_id');
  });

  it('without bulk-upload and by-checksum uses the stock route; with preconditions, a precondition goes alone with its field and 409 is CONFLICT', async () => {
    const { stub, remote } = await fakeServer(['tree', 'preconditions']);
    const items = await files({ 'a.txt': 'alpha', 'b.txt': 'bravo', 'c.txt': 'charlie' }, [], {});
    items[0]!.ifCurrentId = 9;
    items[1]!.ifCurrentId = 0;
    const results = await all(remote.upload(items));
    expect(outcome(results)).toEqual({ 'a.txt': 'ok md5', 'b.txt': 'ok md5', 'c.txt': 'ok md5' });
    const uploads = stub.requests.filter((r) => r.url.endsWith('/upload'));
    expect(uploads.map((r) => multipartParts(r).map((p) => (p.name === 'if_current_id' ? `if=${p.data}` : p.filename))).sort()).toEqual([['c.txt'], ['if=0', 'b.txt'], ['if=9', 'a.txt']]);

    const conflicting = await fakeServer(['preconditions'], {}, { conflicts: ['/a.txt'] });
    expect(outcome(await all(conflicting.remote.upload(items)))).toEqual({ 'a.txt': 'CONFLICT', 'b.txt': 'ok md5', 'c.txt': 'ok md5' });
  });

  it('refuses two items with one server name before anything is sent', async () => {
    const { stub, remote } = await fakeServer(ALL);
    const items = await files({ 'README.md': 'a', 'x.txt': 'b' });
    items.push({ ...items[0]!, path: 'readme.md' });
    const results = await all(remote.upload(items));
    expect(outcome(results)).toEqual({ 'README.md': 'ok md5', 'readme.md': 'NAME', 'x.txt': 'ok md5' });
    expect(stub.requests.filter((r) => r.url.endsWith('/bulk-upload'))).toHaveLength(1);
  });

  it('after an abort, gives every item exactly one result', async () => {
    const controller = new AbortController();
    const { remote } = await fakeServer(ALL, { bulk_upload_max_files: 2 }, {
      onBulk: () => {
        controller.abort();
        return new Promise((r) => setTimeout(r, 50));
      },
    });
    const items = await files({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c', 'd.txt': 'd', 'e.txt': 'e' }, ['e.txt']);
    const results = await all(remote.upload(items, { signal: controller.signal, concurrency: 1 }));
    expect(results.map((r) => r.path).sort()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.every((r) => !r.ok && r.error.code === 'ABORTED')).toBe(true);
  });
});
