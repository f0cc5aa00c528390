import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';
import { md5Base64, sha1Base64, TusClient, waitForFile } from './helpers/tus.js';

const byPath = async (h: Harness, projectId: number, path: string) =>
  h.call('POST', '/files/by_path', { json: { project_id: projectId, path } });
const download = async (h: Harness, projectId: number, fileId: number) =>
  (await h.call('GET', `/projects/${projectId}/files/${fileId}/download`)).body;

describe('stock completion (mc-api.md §4.4): response first, row later, checksum ""', () => {
  let h: Harness;
  let tus: TusClient;
  let project: { id: number; rootId: number };
  beforeAll(async () => {
    // A wide window between the response and the row, so the test can look inside it.
    h = await Harness.start({ profile: 'stock', stockTusCompletionDelayMs: 300 });
    tus = new TusClient(h);
    project = await h.project('Stock tus');
  });
  afterAll(() => h.close());

  it('answers the last PATCH without a file id, then creates the row; HEAD is 404 from the response on', async () => {
    const data = randomBytes(70_000);
    const { location } = await tus.create({ projectId: project.id, directoryPath: '/deep/er', filename: 'big.bin', length: data.length });
    expect((await tus.patch(location, 0, data.subarray(0, 30_000))).status).toBe(204);
    const last = await tus.patch(location, 30_000, data.subarray(30_000));
    expect(last.status).toBe(204);
    expect(last.headers['upload-offset']).toBe(String(data.length));
    expect(last.headers).not.toHaveProperty('mc-file-id');
    expect((await tus.head(location)).status).toBe(404);
    expect((await byPath(h, project.id, '/deep/er/big.bin')).status).toBe(404);

    const row = await waitForFile(h, project.id, '/deep/er/big.bin');
    expect(row).toMatchObject({ size: data.length, checksum: '', path: '', upload_source: 'TUS', current: true, owner_id: h.alice.id });
    expect(md5(await download(h, project.id, row.id))).toBe(md5(data));
    const ranged = await h.call('GET', `/projects/${project.id}/files/${row.id}/download`, { headers: { range: 'bytes=1000-' } });
    expect(ranged.status).toBe(206);
    expect(ranged.body.equals(data.subarray(1000))).toBe(true);
    // Missing levels of directory_path belong to the uploader (§5.9).
    const dir = await h.call('GET', `/projects/${project.id}/directories_by_path?path=/deep/er`);
    expect(dir.status).toBe(200);
    expect((await tus.head(location)).status).toBe(404);
    expect(readdirSync(join(h.dataDir, 'tus'))).toEqual([]);
  });

  it('never dedupes tus rows: the same bytes sent twice make two versions', async () => {
    const data = Buffer.from('same bytes, twice\n');
    const send = async () => {
      const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'twice.txt', length: data.length });
      expect((await tus.patch(location, 0, data)).status).toBe(204);
    };
    await send();
    const first = await waitForFile(h, project.id, '/twice.txt');
    await send();
    const current = await waitForFile(h, project.id, '/twice.txt', (row) => row.id !== first.id);
    const versions = (await h.call('GET', `/projects/${project.id}/files/${current.id}/versions`)).json.data;
    expect(versions).toHaveLength(1);
    expect(versions[0].checksum).toBe('');
  });

  it('completes an empty upload on the POST (text/plain, checksum "") and ignores if_current_id and Upload-Checksum', async () => {
    const created = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'empty.txt', length: 0, ifCurrentId: 999 });
    expect(created.status).toBe(201);
    expect(created.headers).not.toHaveProperty('mc-file-id');
    const row = await waitForFile(h, project.id, '/empty.txt');
    expect(row).toMatchObject({ size: 0, checksum: '', mime_type: 'text/plain' });

    const data = Buffer.from('checksum is not an extension of stock');
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'c.txt', length: data.length });
    const patch = await tus.patch(location, 0, data, { headers: { 'upload-checksum': `md5 ${md5Base64(Buffer.from('other'))}` } });
    expect(patch.status).toBe(204);
    await waitForFile(h, project.id, '/c.txt');
  });

  it('creation-with-upload can finish an upload in one POST', async () => {
    const data = Buffer.from('one request');
    const created = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'one.txt', body: data });
    expect(created.status).toBe(201);
    expect(created.headers['upload-offset']).toBe(String(data.length));
    const row = await waitForFile(h, project.id, '/one.txt');
    expect((await download(h, project.id, row.id)).toString()).toBe('one request');
  });
});

describe('enhanced completion (sync-api.md tus-checksum): verified chunks, row before the response', () => {
  let h: Harness;
  let tus: TusClient;
  let project: { id: number; rootId: number };
  beforeAll(async () => {
    h = await Harness.start({ profile: 'enhanced', syncLimits: { tus_max_chunk_bytes: 64 * 1024 } });
    tus = new TusClient(h);
    project = await h.project('Enhanced tus');
  });
  afterAll(() => h.close());

  it('advertises tus-checksum and tus_max_chunk_bytes in server/info', async () => {
    const info = (await h.call('GET', '/server/info')).json.data.sync_api;
    expect(info.features).toContain('tus-checksum');
    expect(info.limits.tus_max_chunk_bytes).toBe(64 * 1024);
  });

  it('refuses a chunk whose Upload-Checksum does not match (460, offset unchanged) and takes md5 and sha1', async () => {
    const data = randomBytes(90_000);
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'sum.bin', length: data.length });
    const first = data.subarray(0, 40_000);
    const wrong = await tus.patch(location, 0, first, { headers: { 'upload-checksum': `md5 ${md5Base64(data.subarray(1, 40_001))}` } });
    expect(wrong.status).toBe(460);
    expect(wrong.text).toMatch(/^ERR_CHECKSUM_MISMATCH: /);
    expect((await tus.head(location)).headers['upload-offset']).toBe('0');

    const unknown = await tus.patch(location, 0, first, { headers: { 'upload-checksum': `crc32 AAAAAA==` } });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toMatch(/^ERR_UNSUPPORTED_CHECKSUM_ALGORITHM: /);

    const ok = await tus.patch(location, 0, first, { headers: { 'upload-checksum': `md5 ${md5Base64(first)}` } });
    expect(ok.status).toBe(204);
    expect(ok.headers['upload-offset']).toBe('40000');
    expect(ok.headers).not.toHaveProperty('mc-file-id');
    expect(Date.parse(String(ok.headers['upload-expires']))).toBeGreaterThan(Date.now());

    const rest = data.subarray(40_000);
    const last = await tus.patch(location, 40_000, rest, { headers: { 'upload-checksum': `sha1 ${sha1Base64(rest)}` } });
    expect(last.status).toBe(204);
    expect(last.headers['mc-file-checksum']).toBe(md5(data));
    const fileId = Number(last.headers['mc-file-id']);
    // The row exists when the response arrives: no polling.
    const row = (await byPath(h, project.id, '/sum.bin')).json.data;
    expect(row).toMatchObject({ id: fileId, checksum: md5(data), size: data.length, path: '', upload_source: 'TUS' });
    expect(md5(await download(h, project.id, fileId))).toBe(md5(data));

    // A client that crashed after the last PATCH can still learn the result.
    const head = await tus.head(location);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(data.length));
    expect(head.headers['upload-length']).toBe(String(data.length));
    expect(head.headers['mc-file-id']).toBe(String(fileId));
    expect(head.headers['mc-file-checksum']).toBe(md5(data));
    // Repeating the (empty) final PATCH repeats the answer; a late chunk is a mismatch.
    const again = await tus.patch(location, data.length, Buffer.alloc(0));
    expect(again.status).toBe(204);
    expect(again.headers['mc-file-id']).toBe(String(fileId));
    expect((await tus.patch(location, 40_000, rest)).status).toBe(409);
    expect(readdirSync(join(h.dataDir, 'tus'))).toEqual([]);
  });

  it('413 for a chunk above tus_max_chunk_bytes, before or while reading it', async () => {
    const data = randomBytes(100_000);
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'chunky.bin', length: data.length });
    const big = await tus.patch(location, 0, data);
    expect(big.status).toBe(413);
    expect(big.text).toMatch(/^ERR_CHUNK_TOO_LARGE: /);
    expect((await tus.head(location)).headers['upload-offset']).toBe('0');
    expect((await tus.patch(location, 0, data.subarray(0, 64 * 1024))).status).toBe(204);
  });

  it('413 also for a streamed body (no Content-Length) that grows past the limit; the chunk is discarded', async () => {
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'streamed.bin', length: 200_000 });
    const reply = await request(location, {
      method: 'PATCH',
      headers: tus.headers(undefined, { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' }),
      body: Readable.from((function* () {
        for (let i = 0; i < 10; i++) yield randomBytes(10_000);
      })()),
    });
    expect(reply.statusCode).toBe(413);
    expect(await reply.body.text()).toMatch(/^ERR_CHUNK_TOO_LARGE: /);
    expect((await tus.head(location)).headers['upload-offset']).toBe('0');
  });

  it('dedupes like any upload: identical bytes re-activate the version that has them', async () => {
    const data = Buffer.from('identical\n');
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'same.txt', body: data });
      expect(created.status).toBe(201);
      ids.push(Number(created.headers['mc-file-id']));
    }
    expect(ids[1]).toBe(ids[0]);
  });

  it('an empty upload completes on the POST with its file id', async () => {
    const created = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'empty.txt', length: 0 });
    expect(created.status).toBe(201);
    expect(created.headers['mc-file-checksum']).toBe('d41d8cd98f00b204e9800998ecf8427e');
    const row = (await byPath(h, project.id, '/empty.txt')).json.data;
    expect(row).toMatchObject({ id: Number(created.headers['mc-file-id']), size: 0, mime_type: 'text/plain' });
  });

  it('if_current_id: a stale expectation is a 409 at completion and nothing is stored', async () => {
    const first = (await h.upload(project.id, project.rootId, [['guarded.txt', 'v1']])).json.data[0];
    const data = Buffer.from('v2 over tus');
    const stale = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'guarded.txt', length: data.length, ifCurrentId: 0 });
    const refused = await tus.patch(stale.location, 0, data);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/^ERR_PRECONDITION_FAILED: The current version of \/guarded.txt is/);
    expect((await byPath(h, project.id, '/guarded.txt')).json.data.id).toBe(first.id);
    expect((await tus.head(stale.location)).status).toBe(404);

    const fresh = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'guarded.txt', length: data.length, ifCurrentId: first.id });
    const stored = await tus.patch(fresh.location, 0, data);
    expect(stored.status).toBe(204);
    expect((await byPath(h, project.id, '/guarded.txt')).json.data.id).toBe(Number(stored.headers['mc-file-id']));

    const bad = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'x.txt', length: 1, ifCurrentId: -1 });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^ERR_INVALID_METADATA: if_current_id/);
  });
});

describe.each(['stock', 'enhanced'] as const)('a restart in the middle of an upload (%s)', (profile) => {
  let h: Harness;
  afterEach(() => h.close());

  it('keeps the offset in SQLite, cuts bytes it never recorded, resumes to a byte-identical file', async () => {
    h = await Harness.start({ profile });
    const tus = new TusClient(h);
    const project = await h.project('Restart');
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const created = await tus.create({ projectId: project.id, directoryPath: '/r', filename: 'resumed.bin', length: data.length });
    const id = created.location.split('/').pop()!;
    expect((await tus.patch(created.location, 0, data.subarray(0, 1_000_000))).status).toBe(204);
    // As if the server died mid-PATCH: bytes on disk past the recorded offset.
    appendFileSync(join(h.dataDir, 'tus', id), randomBytes(5000));

    await h.restart();
    const location = `${h.server.origin}/files/${id}`;
    const head = await tus.head(location);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('1000000');
    const last = await tus.patch(location, 1_000_000, data.subarray(1_000_000));
    expect(last.status).toBe(204);
    const row = profile === 'enhanced'
      ? (await byPath(h, project.id, '/r/resumed.bin')).json.data
      : await waitForFile(h, project.id, '/r/resumed.bin');
    if (profile === 'enhanced') expect(last.headers['mc-file-checksum']).toBe(md5(data));
    expect(md5(await download(h, project.id, row.id))).toBe(md5(data));
    expect(existsSync(join(h.dataDir, 'tus', id))).toBe(false);
  });
});

describe('expiry (enhanced: Upload-Expires; both: swept at start and hourly)', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('drops unfinished uploads past Upload-Expires and finished ones past their retention', async () => {
    h = await Harness.start({ profile: 'enhanced' });
    const tus = new TusClient(h);
    const project = await h.project('Expiry');
    const unfinished = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'u.bin', length: 10 });
    expect((await tus.patch(unfinished.location, 0, Buffer.from('12345'))).status).toBe(204);
    const finished = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'f.bin', body: Buffer.from('done') });
    const kept = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'k.bin', length: 10 });
    const idOf = (location: string) => location.split('/').pop()!;

    await h.server.close();
    // Time passes (the clock is the database's): two of the three are due.
    const db = new BetterSqlite3(join(h.dataDir, 'mc-server.db'));
    db.prepare('UPDATE tus_uploads SET expires_at = 0 WHERE id IN (?, ?)').run(idOf(unfinished.location), idOf(finished.location));
    db.close();
    await h.restart();

    const at = (location: string) => `${h.server.origin}/files/${idOf(location)}`;
    expect((await tus.head(at(unfinished.location))).status).toBe(404);
    expect((await tus.head(at(finished.location))).status).toBe(404);
    expect((await tus.head(at(kept.location))).status).toBe(200);
    expect(readdirSync(join(h.dataDir, 'tus'))).toEqual([idOf(kept.location)]);
    // The file of the finished upload stays; only the record of the upload is gone.
    expect((await byPath(h, project.id, '/f.bin')).status).toBe(200);
  });
});
