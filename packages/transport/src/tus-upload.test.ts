import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Capabilities, ProgressEvent, UploadItem, UploadResult, UploadSession, UploadSessions } from '@mcsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTus, type FakeTusOptions } from '../test/fake-tus';
import { FAST_RETRY } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';
import { HARD_MAX_TUS_CHUNK, MAX_TUS_CHUNK, MIN_TUS_CHUNK, tusChunkSize } from './tus-chunks';
import { decodeMetadata } from './tus-protocol';
import { TUS_SESSION_MAX_AGE_MS } from './tus-upload';
import { LargeFirstOrder } from './upload-lanes';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const MiB = 1 << 20;
const CHUNK = 8 * 1024;
const SIZE = 5 * CHUNK + 100; // five whole chunks and a short last one

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-tus-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

class MemorySessions implements UploadSessions {
  readonly map = new Map<string, UploadSession>();
  saves = 0;
  load(path: string) {
    return this.map.get(path) ?? null;
  }
  save(s: UploadSession) {
    this.saves++;
    this.map.set(s.path, { ...s });
  }
  delete(path: string) {
    this.map.delete(path);
  }
  list() {
    return [...this.map.values()];
  }
}

const ENHANCED: Capabilities = { profile: 'enhanced', features: new Set(['tus-checksum', 'preconditions']), limits: {} };

async function setup(fake: FakeTusOptions = {}, opts: { caps?: Capabilities; sessions?: UploadSessions; confirmTimeoutMs?: number } = {}) {
  const server = await startFakeTus(fake);
  const client = new HttpClient({ baseUrl: server.baseUrl, token: 'secret-token', retry: { ...FAST_RETRY, retries: 0 } });
  cleanup.push(() => server.close(), () => client.close());
  const remote = createRemoteProject({
    client,
    projectId: 7,
    ...(opts.caps ? { capabilities: opts.caps } : {}),
    ...(opts.sessions ? { uploadSessions: opts.sessions } : {}),
    tus: { threshold: 1024, chunkBytes: CHUNK, confirmTimeoutMs: opts.confirmTimeoutMs ?? 2_000, retry: FAST_RETRY },
  });
  return { server, remote };
}

async function file(path: string, content: Buffer): Promise<UploadItem> {
  const localPath = join(dir, path);
  await mkdir(dirname(localPath), { recursive: true });
  await writeFile(localPath, content);
  const st = await stat(localPath, { bigint: true });
  return { path, localPath, size: content.length, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) };
}

async function all(it: AsyncIterable<UploadResult>): Promise<UploadResult[]> {
  const out: UploadResult[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('tusChunkSize', () => {
  it.each([
    ['a file at the 64 MiB threshold: 1/32 of it', 64 * MiB, undefined, 2 * MiB],
    ['just above: rounded up to whole MiB, still ≤ 5%', 64 * MiB + 1, undefined, 3 * MiB],
    ['1 GiB: 32 chunks', 1024 * MiB, undefined, 32 * MiB],
    ['2 GiB and more: the 64 MiB recommendation', 10 * 1024 * MiB, undefined, MAX_TUS_CHUNK],
    ['a small file: never below 1 MiB', 100, undefined, MIN_TUS_CHUNK],
    ["the server's tus_max_chunk_bytes wins", 10 * 1024 * MiB, 16 * MiB, 16 * MiB],
    ['a server limit above 512 MiB is not trusted', 100 * 1024 * MiB, 2048 * MiB, MAX_TUS_CHUNK],
  ])('%s', (_name, size, serverMax, expected) => {
    expect(tusChunkSize(size, serverMax)).toBe(expected);
    expect(tusChunkSize(size, serverMax)).toBeLessThanOrEqual(HARD_MAX_TUS_CHUNK);
  });

  it('loses at most 5% of any file at or above the threshold to one interrupted chunk', () => {
    for (let size = 64 * MiB; size < 8 * 1024 * MiB; size += 37 * MiB + 12_345) {
      expect(tusChunkSize(size) / size).toBeLessThanOrEqual(0.05);
    }
  });
});

describe('LargeFirstOrder', () => {
  it('starts large tasks first, never more than the cap at once, and small ones in the free slots', async () => {
    const order = new LargeFirstOrder(['L1', 'L2', 'L3'], ['s1', 's2'], 2);
    const it = order[Symbol.asyncIterator]();
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push((await it.next()).value as string);
    expect(got).toEqual(['L1', 'L2', 's1', 's2']);
    const next = it.next();
    let settled = false;
    void next.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false); // L3 waits for a large slot
    order.ended();
    expect((await next).value).toBe('L3');
    order.ended();
    order.ended();
    expect((await it.next()).done).toBe(true);
  });
});

describe('tus upload on stock (production: no checksums, confirmation by by_path)', () => {
  it('sends bounded PATCHes to {origin}/files/ with tus headers and the token on each, then confirms the new row by polling', async () => {
    const { server, remote } = await setup({ confirmAfterPolls: 2 });
    const content = randomBytes(SIZE);
    const big = await file('a/big.bin', content);
    const events: ProgressEvent[] = [];
    const [r] = await all(remote.upload([big], { onProgress: (e) => events.push(e) }));
    expect(r).toMatchObject({ ok: true, path: 'a/big.bin', bytes: SIZE, md5: md5(content), verified: 'size', remote: { id: 100, size: SIZE, md5: null } });

    const tus = server.tusRequests();
    expect(tus.map((q) => `${q.method} ${q.url}`)).toEqual([
      'OPTIONS /files/',
      'POST /files/',
      ...Array.from({ length: 6 }, () => `PATCH /files/${'1'.padStart(32, '0')}`),
    ]);
    for (const q of tus) {
      expect(q.headers['tus-resumable']).toBe('1.0.0');
      expect(q.headers.authorization).toBe('Bearer secret-token');
    }
    const post = tus[1]!;
    expect(post.headers['upload-length']).toBe(String(SIZE));
    expect(decodeMetadata(String(post.headers['upload-metadata']))).toEqual({ project_id: '7', directory_path: '/a', filename: 'big.bin' });
    const patches = server.patchRequests();
    expect(patches.map((p) => [Number(p.headers['upload-offset']), p.body.length])).toEqual([
      [0, CHUNK],
      [CHUNK, CHUNK],
      [2 * CHUNK, CHUNK],
      [3 * CHUNK, CHUNK],
      [4 * CHUNK, CHUNK],
      [5 * CHUNK, 100],
    ]);
    for (const p of patches) {
      expect(p.headers['content-type']).toBe('application/offset+octet-stream');
      expect(p.headers['upload-checksum']).toBeUndefined();
    }
    expect(Buffer.concat(patches.map((p) => p.body)).equals(content)).toBe(true);
    // one lookup of the row before, then polls until the new row shows
    expect(server.requests.filter((q) => q.url === '/api/files/by_path').length).toBeGreaterThanOrEqual(4);
    expect(events[0]).toMatchObject({ type: 'start', path: 'a/big.bin', total: SIZE });
    expect(events.at(-1)).toMatchObject({ type: 'done', path: 'a/big.bin', bytes: SIZE });
  });

  it('reports UNCONFIRMED when the row never shows within the timeout, and keeps no session', async () => {
    const sessions = new MemorySessions();
    const { remote } = await setup({ neverConfirm: true }, { sessions, confirmTimeoutMs: 300 });
    const [r] = await all(remote.upload([await file('big.bin', randomBytes(SIZE))]));
    expect(r).toMatchObject({ ok: false, error: { code: 'UNCONFIRMED' } });
    expect(sessions.map.size).toBe(0);
  });

  it('sends a small file of the same call through the multipart route', async () => {
    const { server, remote } = await setup();
    const results = await all(remote.upload([await file('big.bin', randomBytes(SIZE)), await file('small.txt', Buffer.from('tiny'))]));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(server.requests.filter((q) => q.url.startsWith('/api/projects/7/files/')).length).toBe(1);
    expect(server.patchRequests().length).toBe(6);
  });

  it('falls back to the multipart route when OPTIONS /files/ answers without Tus-Resumable', async () => {
    const { server, remote } = await setup({ tus: false });
    const content = randomBytes(SIZE);
    const [r] = await all(remote.upload([await file('big.bin', content)]));
    expect(r).toMatchObject({ ok: true, verified: 'md5', md5: md5(content) });
    expect(server.tusRequests().map((q) => q.method)).toEqual(['OPTIONS']);
    expect(server.requests.some((q) => q.url === '/api/projects/7/files/1/upload' || q.url.startsWith('/api/projects/7/files/'))).toBe(true);
  });

  it('recovers from 409 by asking the real offset with HEAD and going on from there', async () => {
    const { server, remote } = await setup({
      patchFault: (req, upload, i) => {
        if (i !== 2) return null;
        upload.data = upload.data.subarray(0, CHUNK); // the server kept less than it acknowledged
        return { status: 409, body: 'ERR_MISMATCHED_OFFSET: mismatch\n' };
      },
    });
    const content = randomBytes(SIZE);
    const [r] = await all(remote.upload([await file('big.bin', content)]));
    expect(r).toMatchObject({ ok: true, md5: md5(content) });
    expect(server.tusRequests().filter((q) => q.method === 'HEAD').length).toBe(1);
    expect(server.patchRequests().map((p) => Number(p.headers['upload-offset']))).toEqual([0, CHUNK, 2 * CHUNK, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK, 5 * CHUNK]);
    expect([...server.uploads.values()][0]!.data.equals(content)).toBe(true);
  });

  it('backs off on 423 (locked) and retries the same chunk', async () => {
    const { server, remote } = await setup({ patchFault: (_r, _u, i) => (i === 1 ? { status: 423, body: 'ERR_UPLOAD_LOCKED: locked\n' } : null) });
    const [r] = await all(remote.upload([await file('big.bin', randomBytes(SIZE))]));
    expect(r?.ok).toBe(true);
    expect(server.patchRequests().map((p) => Number(p.headers['upload-offset'])).slice(0, 3)).toEqual([0, CHUNK, CHUNK]);
  });

  it('fails at once on 507 (the server is out of storage space), without waiting out the stall budget', async () => {
    const { server, remote } = await setup({ patchFault: (_r, _u, i) => (i === 1 ? { status: 507, body: 'ERR_STORAGE_FULL: The server is out of storage space.\n' } : null) });
    const [r] = await all(remote.upload([await file('big.bin', randomBytes(SIZE))]));
    expect(r?.ok).toBe(false);
    expect(r && !r.ok && r.error.message).toMatch(/out of storage space/);
    expect(r && !r.ok && r.error.hint).toMatch(/free space/);
    expect(server.patchRequests().length).toBe(2);
  });

  it('starts over with a new upload when the server lost it before completion (404)', async () => {
    const { server, remote } = await setup({
      patchFault: (_r, upload, i) => {
        if (i !== 2) return null;
        server.uploads.delete(upload.id);
        return { status: 404, body: 'ERR_UPLOAD_NOT_FOUND: gone\n' };
      },
    });
    const content = randomBytes(SIZE);
    const [r] = await all(remote.upload([await file('big.bin', content)]));
    expect(r).toMatchObject({ ok: true, md5: md5(content) });
    expect(server.tusRequests().filter((q) => q.method === 'POST').length).toBe(2);
    const last = [...server.uploads.values()].at(-1)!;
    expect(last.data.equals(content)).toBe(true);
  });

  it('halves the chunk after a 413 and goes on', async () => {
    const { server, remote } = await setup({ patchFault: (req, _u, i) => (i === 0 ? { status: 413, body: '<html><title>413 Request Entity Too Large</title></html>' } : null) });
    const [r] = await all(remote.upload([await file('big.bin', randomBytes(SIZE))]));
    expect(r).toMatchObject({ ok: true });
    expect(server.patchRequests()[1]!.body.length).toBe(CHUNK / 2);
  });

  it('fails CHANGED and terminates the upload (DELETE) when the file changes while it is sent', async () => {
    const sessions = new MemorySessions();
    let localPath = '';
    const { server, remote } = await setup(
      { afterPatch: (_u, i) => (i === 1 ? appendFileSync(localPath, 'more') : undefined) },
      { sessions },
    );
    const item = await file('big.bin', randomBytes(SIZE));
    localPath = item.localPath;
    const [r] = await all(remote.upload([item]));
    expect(r).toMatchObject({ ok: false, error: { code: 'CHANGED' } });
    expect(server.tusRequests().at(-1)?.method).toBe('DELETE');
    expect(server.uploads.size).toBe(0);
    expect(server.rows.size).toBe(0);
    expect(sessions.map.size).toBe(0);
  });
});

describe('large and small uploads in one scheduler', () => {
  it('runs at most 4 tus uploads at once beside the small ones, and an abort while large ones wait still ends with one result per item', async () => {
    let inFlight = 0;
    let most = 0;
    const stop = new AbortController();
    const { remote } = await setup({
      patchFault: () => {
        inFlight++;
        most = Math.max(most, inFlight);
        return null;
      },
      afterPatch: async (_u, i) => {
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        if (i === 20) stop.abort();
      },
    });
    const items = [];
    for (let i = 0; i < 6; i++) items.push(await file(`big${i}.bin`, randomBytes(SIZE)));
    items.push(await file('small.txt', Buffer.from('s')));
    const results = await all(remote.upload(items, { signal: stop.signal, concurrency: 16 }));
    expect(results).toHaveLength(7);
    expect(most).toBeLessThanOrEqual(4);
    expect(results.find((r) => r.path === 'small.txt')?.ok).toBe(true);
    expect(results.some((r) => !r.ok && r.error.code === 'ABORTED')).toBe(true);
  });
});

describe('tus upload with tus-checksum (enhanced)', () => {
  it('puts an MD5 on every chunk, takes id and checksum from the completing PATCH, and polls nothing', async () => {
    const { server, remote } = await setup({ checksum: true }, { caps: ENHANCED });
    const content = randomBytes(SIZE);
    const [r] = await all(remote.upload([await file('big.bin', content)]));
    expect(r).toMatchObject({ ok: true, md5: md5(content), verified: 'md5', remote: { id: 100, md5: md5(content), size: SIZE } });
    for (const p of server.patchRequests()) {
      expect(p.headers['upload-checksum']).toBe(`md5 ${createHash('md5').update(p.body).digest('base64')}`);
    }
    expect(server.requests.filter((q) => q.url === '/api/files/by_path').length).toBe(0);
  });

  it('sends a chunk again after 460 (checksum mismatch), a bounded number of times', async () => {
    const { server, remote } = await setup({ checksum: true, patchFault: (_r, _u, i) => (i === 1 ? { status: 460, body: 'ERR_CHECKSUM_MISMATCH\n' } : null) }, { caps: ENHANCED });
    const content = randomBytes(SIZE);
    const [r] = await all(remote.upload([await file('big.bin', content)]));
    expect(r).toMatchObject({ ok: true, verified: 'md5' });
    expect(server.patchRequests().map((p) => Number(p.headers['upload-offset'])).slice(0, 3)).toEqual([0, CHUNK, CHUNK]);

    const always = await setup({ checksum: true, patchFault: (_r, _u, i) => (i >= 1 ? { status: 460 } : null) }, { caps: ENHANCED });
    const [bad] = await all(always.remote.upload([await file('big2.bin', content)]));
    expect(bad).toMatchObject({ ok: false, error: { code: 'VERIFY' } });
    expect(always.server.patchRequests().length).toBe(5); // the first chunk, then 1 + 3 retries of the second
  });

  it('sends if_current_id in the metadata when the server lists preconditions', async () => {
    const { server, remote } = await setup({ checksum: true }, { caps: ENHANCED });
    const item = { ...(await file('big.bin', randomBytes(SIZE))), ifCurrentId: 0 };
    await all(remote.upload([item]));
    const post = server.tusRequests().find((q) => q.method === 'POST')!;
    expect(decodeMetadata(String(post.headers['upload-metadata']))).toMatchObject({ if_current_id: '0', directory_path: '/' });
  });
});

describe('resuming across runs (UploadSessions)', () => {
  it('records the session at creation and after each chunk, and drops it when confirmed', async () => {
    const sessions = new MemorySessions();
    const { remote } = await setup({ checksum: true }, { caps: ENHANCED, sessions });
    const [r] = await all(remote.upload([await file('big.bin', randomBytes(SIZE))]));
    expect(r?.ok).toBe(true);
    expect(sessions.saves).toBe(1 + 6);
    expect(sessions.map.size).toBe(0);
  });

  it('resumes from the offset the server holds, sending only the rest, with the MD5 of the whole file', async () => {
    const sessions = new MemorySessions();
    const { server, remote } = await setup({ checksum: true }, { caps: ENHANCED, sessions });
    const content = randomBytes(SIZE);
    const item = await file('big.bin', content);
    const done = 3 * CHUNK;
    const url = server.seedUpload(SIZE, content.subarray(0, done), { project_id: '7', directory_path: '/', filename: 'big.bin' });
    sessions.save({ path: 'big.bin', size: SIZE, mtimeNs: item.mtimeNs, ino: item.ino, md5: null, url, offset: 2 * CHUNK, createdAt: Date.now() - 60_000 });
    const [r] = await all(remote.upload([item]));
    expect(r).toMatchObject({ ok: true, md5: md5(content), verified: 'md5', sent: SIZE - done });
    expect(server.tusRequests().map((q) => q.method)).toEqual(['OPTIONS', 'HEAD', 'PATCH', 'PATCH', 'PATCH']);
    expect(server.patchRequests()[0]!.headers['upload-offset']).toBe(String(done));
    expect(server.patchRequests().reduce((n, p) => n + p.body.length, 0)).toBe(SIZE - done);
    expect(sessions.map.size).toBe(0);
  });

  it('terminates the old upload and starts over when the file changed since the session was saved', async () => {
    const sessions = new MemorySessions();
    const { server, remote } = await setup({ checksum: true }, { caps: ENHANCED, sessions });
    const content = randomBytes(SIZE);
    const item = await file('big.bin', content);
    const url = server.seedUpload(SIZE, content.subarray(0, CHUNK), { project_id: '7', directory_path: '/', filename: 'big.bin' });
    sessions.save({ path: 'big.bin', size: SIZE, mtimeNs: item.mtimeNs - 1_000_000n, ino: item.ino, md5: null, url, offset: CHUNK, createdAt: Date.now() });
    const [r] = await all(remote.upload([item]));
    expect(r).toMatchObject({ ok: true, md5: md5(content) });
    expect(server.tusRequests().map((q) => q.method).slice(0, 3)).toEqual(['OPTIONS', 'DELETE', 'POST']);
    expect(server.patchRequests().reduce((n, p) => n + p.body.length, 0)).toBe(SIZE);
  });

  it('terminates and drops sessions older than 7 days instead of resuming them', async () => {
    const sessions = new MemorySessions();
    const { server, remote } = await setup({ checksum: true }, { caps: ENHANCED, sessions });
    const content = randomBytes(SIZE);
    const item = await file('big.bin', content);
    const url = server.seedUpload(SIZE, content.subarray(0, CHUNK), { project_id: '7', directory_path: '/', filename: 'big.bin' });
    sessions.save({ path: 'big.bin', size: SIZE, mtimeNs: item.mtimeNs, ino: item.ino, md5: null, url, offset: CHUNK, createdAt: Date.now() - TUS_SESSION_MAX_AGE_MS - 1 });
    const [r] = await all(remote.upload([item]));
    expect(r?.ok).toBe(true);
    expect(server.tusRequests().some((q) => q.method === 'HEAD')).toBe(false);
    expect(server.tusRequests().filter((q) => q.method === 'DELETE').length).toBe(1);
  });

  it('on stock, a session whose upload is gone but whose row is there counts as done (the earlier run completed it)', async () => {
    const sessions = new MemorySessions();
    const { server, remote } = await setup({}, { sessions });
    const content = randomBytes(SIZE);
    const item = await file('big.bin', content);
    const started = Date.now() - 60_000;
    sessions.save({ path: 'big.bin', size: SIZE, mtimeNs: item.mtimeNs, ino: item.ino, md5: null, url: `${server.origin}/files/${'f'.repeat(32)}`, offset: SIZE, createdAt: started });
    server.setRow('/big.bin', { id: 55, size: SIZE, checksum: '', name: 'big.bin' });
    // rows carry no created_at in this fake, so give it one the check can read
    const row = server.rows.get('/big.bin')! as unknown as Record<string, unknown>;
    row.created_at = new Date(started + 1000).toISOString().replace('Z', '000Z');
    const [r] = await all(remote.upload([item]));
    expect(r).toMatchObject({ ok: true, verified: 'size', remote: { id: 55 }, md5: md5(content) });
    expect(server.patchRequests().length).toBe(0);
    expect(sessions.map.size).toBe(0);
  });
});
