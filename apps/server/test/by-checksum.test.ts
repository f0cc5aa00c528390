import { BulkResultSchema } from '@mcsync/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';
import { readTree } from './helpers/sync.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ profile: 'enhanced', syncLimits: { bulk_upload_max_files: 3 } });
});
afterAll(() => h.close());

const entry = (path: string, content: string, extra: Record<string, unknown> = {}) => ({ path, size: Buffer.byteLength(content), md5: md5(content), ...extra });
const byChecksum = async (projectId: number, files: unknown, token?: string) =>
  h.call('POST', `/projects/${projectId}/files/by-checksum`, { json: { files }, ...(token !== undefined && { token }) });
const results = async (projectId: number, files: unknown) => BulkResultSchema.parse((await byChecksum(projectId, files)).json).data;

describe('POST /projects/{p}/files/by-checksum', () => {
  it('creates versions from content the caller can read, anywhere in their projects, without bytes', async () => {
    const source = await h.project('Checksum source');
    const target = await h.project('Checksum target');
    const stored = (await h.upload(source.id, source.rootId, [['data.bin', 'shared content']])).json.data[0];
    const data = await results(target.id, [entry('/copies/deep/data.bin', 'shared content'), entry('/missing.bin', 'never uploaded')]);
    expect(data.map((r) => [r.path, r.status])).toEqual([['/copies/deep/data.bin', 'created'], ['/missing.bin', 'need_bytes']]);
    expect(data[0]!.file).toMatchObject({ name: 'data.bin', size: 14, checksum: md5('shared content'), mime_type: stored.mime_type, uses_uuid: stored.uuid });
    expect((await readTree(h, target.id)).entries.map((e) => e.path)).toEqual(['/copies', '/copies/deep', '/copies/deep/data.bin']);
    const download = await h.call('GET', `/projects/${target.id}/files/${data[0]!.file!.id}/download`);
    expect(download.text).toBe('shared content');
  });

  it('is unchanged when that content is already current there, and re-activates an older version (rule 2)', async () => {
    const project = await h.project('Checksum versions');
    const v1 = (await h.upload(project.id, project.rootId, [['f.txt', 'one']])).json.data[0];
    await h.upload(project.id, project.rootId, [['f.txt', 'two']]);
    expect((await results(project.id, [entry('/f.txt', 'two')]))[0]!.status).toBe('unchanged');
    const back = (await results(project.id, [entry('/f.txt', 'one')]))[0]!;
    expect(back).toMatchObject({ status: 'unchanged', file: { id: v1.id, current: true } });
  });

  it('never uses content only another user holds: need_bytes, as if it did not exist', async () => {
    const bobs = await h.project('Bob checksum', h.bob.token);
    await h.upload(bobs.id, bobs.rootId, [['secret.txt', 'bob only']], h.bob.token);
    const mine = await h.project('Alice checksum');
    expect((await results(mine.id, [entry('/guess.txt', 'bob only')]))[0]).toEqual({ path: '/guess.txt', status: 'need_bytes' });
    expect((await readTree(h, mine.id)).entries).toEqual([]);
  });

  it('matches size too: the same MD5 with another size needs bytes', async () => {
    const project = await h.project('Checksum size');
    await h.upload(project.id, project.rootId, [['a.txt', 'abc']]);
    expect((await results(project.id, [{ path: '/b.txt', size: 4, md5: md5('abc') }]))[0]!.status).toBe('need_bytes');
  });

  it('if_current_id: conflict for a stale expectation, nothing changed', async () => {
    const project = await h.project('Checksum preconditions');
    const v1 = (await h.upload(project.id, project.rootId, [['p.txt', 'one'], ['q.txt', 'two']])).json.data[0];
    const data = await results(project.id, [entry('/p.txt', 'two', { if_current_id: 0 }), entry('/p.txt', 'two', { if_current_id: v1.id })]);
    expect(data.map((r) => r.status)).toEqual(['conflict', 'created']);
  });

  it('422 for a malformed body, 413 over bulk_upload_max_files, 401, 404 for another user\'s project', async () => {
    const project = await h.project('Checksum errors');
    expect((await h.call('POST', `/projects/${project.id}/files/by-checksum`, { json: {} })).json.errors).toEqual({ files: ['The files field is required.'] });
    expect((await byChecksum(project.id, [{ path: '/x', size: -1, md5: 'nope' }])).status).toBe(422);
    expect((await byChecksum(project.id, 'not a list')).status).toBe(422);
    expect((await byChecksum(project.id, Array.from({ length: 4 }, (_, i) => entry(`/f${i}`, `${i}`)))).status).toBe(413);
    expect((await byChecksum(project.id, [], null as unknown as string)).status).toBe(401);
    const bobs = await h.project('Bob checksum 2', h.bob.token);
    expect((await byChecksum(bobs.id, [])).json).toEqual({ message: 'No such project' });
  });
});
