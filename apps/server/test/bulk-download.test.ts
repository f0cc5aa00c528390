import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BULK_DOWNLOAD_ERRORS_ENTRY, BULK_DOWNLOAD_MD5_HEADER, BulkDownloadErrorsSchema } from '@mcsync/protocol';
import { extract } from 'tar-stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';

let h: Harness;
let project: { id: number; rootId: number };
let bobs: { id: number; rootId: number };
const serverErrors: string[] = [];
beforeAll(async () => {
  h = await Harness.start({ profile: 'enhanced', syncLimits: { bulk_download_max_files: 10 }, logError: (m) => serverErrors.push(m) });
  project = await h.project('Bulk download');
  bobs = await h.project('Bob download', h.bob.token);
});
afterAll(() => h.close());

interface Entry {
  name: string;
  pax: Record<string, string> | null;
  body: Buffer;
}

/** The tar entries of a body, in order. */
async function untar(body: Buffer): Promise<Entry[]> {
  const entries: Entry[] = [];
  const reader = extract();
  Readable.from([body]).pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ name: entry.header.name, pax: (entry.header as { pax?: Record<string, string> }).pax ?? null, body: Buffer.concat(chunks) });
  }
  return entries;
}

const download = (ids: unknown, token?: string) =>
  h.call('POST', `/projects/${project.id}/files/bulk-download`, { json: { ids }, ...(token !== undefined && { token }) });

describe('POST /projects/{p}/files/bulk-download', () => {
  it('streams one tar entry per id (name = id, pax MC.md5), any version, then errors.json', async () => {
    const big = randomBytes(2 * 1024 * 1024 + 3);
    const [small, large] = (await h.upload(project.id, project.rootId, [['s.txt', 'small'], ['l.bin', big]])).json.data;
    const old = small;
    const current = (await h.upload(project.id, project.rootId, [['s.txt', 'newer']])).json.data[0];
    const reply = await download([current.id, large.id, old.id]);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/x-tar');
    const entries = await untar(reply.body);
    expect(entries.map((e) => e.name)).toEqual([String(current.id), String(large.id), String(old.id), BULK_DOWNLOAD_ERRORS_ENTRY]);
    expect(entries[0]!.body.toString()).toBe('newer');
    expect(entries[0]!.pax).toMatchObject({ [BULK_DOWNLOAD_MD5_HEADER]: md5('newer') });
    expect(md5(entries[1]!.body)).toBe(md5(big));
    expect(entries[1]!.pax![BULK_DOWNLOAD_MD5_HEADER]).toBe(md5(big));
    expect(entries[2]!.body.toString()).toBe('small');
    expect(BulkDownloadErrorsSchema.parse(JSON.parse(entries[3]!.body.toString()))).toEqual([]);
  });

  it('lists unknown ids, directories and ids of another user\'s project in errors.json, never their bytes', async () => {
    const mine = (await h.upload(project.id, project.rootId, [['mine.txt', 'mine']])).json.data[0];
    const secret = (await h.upload(bobs.id, bobs.rootId, [['secret.txt', 'bob secret']], h.bob.token)).json.data[0];
    const entries = await untar((await download([secret.id, mine.id, 99999999, project.rootId, mine.id])).body);
    expect(entries.map((e) => e.name)).toEqual([String(mine.id), BULK_DOWNLOAD_ERRORS_ENTRY]);
    expect(JSON.parse(entries[1]!.body.toString())).toEqual([
      { id: secret.id, error: 'No such file' },
      { id: 99999999, error: 'No such file' },
      { id: project.rootId, error: 'Not a file' },
    ]);
  });

  it('serves ids of every project the caller is a member of, deleted versions included', async () => {
    const other = await h.project('Other of mine');
    const there = (await h.upload(other.id, other.rootId, [['there.txt', 'there']])).json.data[0];
    await h.call('DELETE', `/projects/${other.id}/files/${there.id}`);
    const entries = await untar((await download([there.id])).body);
    expect(entries.map((e) => [e.name, e.body.toString()])).toEqual([[String(there.id), 'there'], [BULK_DOWNLOAD_ERRORS_ENTRY, '[]']]);
  });

  it('413 over bulk_download_max_files, 422 without ids, 401, 404 for another user\'s project', async () => {
    expect((await download(Array.from({ length: 11 }, (_, i) => i + 1))).status).toBe(413);
    expect((await download(Array.from({ length: 11 }, () => 1))).status).toBe(200); // the same id counts once
    expect((await download('1,2')).status).toBe(422);
    expect((await h.call('POST', `/projects/${project.id}/files/bulk-download`, { json: {} })).status).toBe(422);
    expect((await download([1], null as unknown as string)).status).toBe(401);
    const foreign = await h.call('POST', `/projects/${bobs.id}/files/bulk-download`, { json: { ids: [1] } });
    expect(foreign.json).toEqual({ message: 'No such project' });
  });

  it('stops cleanly when the client hangs up mid-archive', async () => {
    const big = (await h.upload(project.id, project.rootId, [['big.bin', randomBytes(8 * 1024 * 1024)]])).json.data[0];
    const controller = new AbortController();
    const response = await request(`${h.server.url}/projects/${project.id}/files/bulk-download`, {
      method: 'POST',
      headers: { accept: 'application/json', authorization: `Bearer ${h.alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [big.id] }),
      signal: controller.signal,
    });
    for await (const _chunk of response.body) break;
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await untar((await download([big.id])).body);
    expect(again[0]!.body.length).toBe(8 * 1024 * 1024);
    expect(serverErrors).toEqual([]);
  });
});
