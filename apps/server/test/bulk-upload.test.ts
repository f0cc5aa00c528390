import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BulkResultSchema } from '@mcsync/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';
import type { FormPart } from './helpers/multipart.js';
import { readTree } from './helpers/sync.js';

let h: Harness;
let bobs: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start({ profile: 'enhanced', syncLimits: { bulk_upload_max_files: 5, bulk_upload_max_bytes: 4 * 1024 * 1024 } });
  bobs = await h.project('Bob bulk', h.bob.token);
});
afterAll(() => h.close());

type File = { path: string; content: Buffer | string; md5?: string; size?: number; if_current_id?: number };

/** A bulk-upload body: the manifest (from the files unless given), then one `file` part each. */
function bulkForm(files: readonly File[], manifest?: unknown): FormPart[] {
  const entries = files.map((f) => ({
    path: f.path,
    size: f.size ?? Buffer.byteLength(f.content),
    md5: f.md5 ?? md5(f.content),
    ...(f.if_current_id !== undefined && { if_current_id: f.if_current_id }),
  }));
  return [
    { name: 'manifest', value: JSON.stringify(manifest ?? entries) },
    ...files.map((f, i) => ({ name: 'file', filename: `part-${i}`, content: f.content })),
  ];
}

const bulk = (projectId: number, form: readonly FormPart[], token?: string) =>
  h.call('POST', `/projects/${projectId}/files/bulk-upload`, { form, ...(token !== undefined && { token }) });
const paths = async (projectId: number) => (await readTree(h, projectId)).entries.map((e) => e.path);
const tmpFiles = () => readdirSync(join(h.dataDir, 'tmp'));

describe('POST /projects/{p}/files/bulk-upload', () => {
  it('stores every file in manifest order, creating folders, and answers one result each', async () => {
    const project = await h.project('Bulk basic');
    const big = randomBytes(300 * 1024); // staged through a temp file, not memory
    const reply = await bulk(project.id, bulkForm([
      { path: '/a/b/one.txt', content: 'one' },
      { path: '/two.bin', content: big },
      { path: '/a/empty', content: '' },
    ]));
    expect(reply.status).toBe(200);
    const { data } = BulkResultSchema.parse(reply.json);
    expect(data.map((r) => [r.path, r.status])).toEqual([['/a/b/one.txt', 'created'], ['/two.bin', 'created'], ['/a/empty', 'created']]);
    expect(data[1]!.file).toMatchObject({ name: 'two.bin', size: big.length, checksum: md5(big), current: true, directory_id: project.rootId });
    expect(await paths(project.id)).toEqual(['/a', '/a/b', '/a/b/one.txt', '/a/empty', '/two.bin']);
    const download = await h.call('GET', `/projects/${project.id}/files/${data[1]!.file!.id}/download`);
    expect(md5(download.body)).toBe(md5(big));
    expect(tmpFiles()).toEqual([]);
  });

  it('follows the versioning rules: same content is unchanged (same id), new content a new version', async () => {
    const project = await h.project('Bulk versions');
    const first = BulkResultSchema.parse((await bulk(project.id, bulkForm([{ path: '/v.txt', content: 'v1' }]))).json).data[0]!;
    const again = BulkResultSchema.parse((await bulk(project.id, bulkForm([{ path: '/v.txt', content: 'v1' }, { path: '/w.txt', content: 'w' }]))).json).data;
    expect(again[0]).toMatchObject({ status: 'unchanged', file: { id: first.file!.id } });
    const next = BulkResultSchema.parse((await bulk(project.id, bulkForm([{ path: '/V.TXT', content: 'v2' }]))).json).data[0]!;
    expect(next).toMatchObject({ status: 'created', file: { name: 'V.TXT', checksum: md5('v2') } });
    const versions = (await h.call('GET', `/projects/${project.id}/files/${next.file!.id}/versions`)).json.data;
    expect(versions.map((v: any) => [v.id, v.current])).toEqual([[first.file!.id, false]]);
  });

  it('fails a part whose MD5 or size differs from the manifest, alone: the others are stored', async () => {
    const project = await h.project('Bulk atomic');
    const reply = await bulk(project.id, bulkForm([
      { path: '/good-1.txt', content: 'good one' },
      { path: '/bad-md5.txt', content: 'actual bytes', md5: md5('declared bytes') },
      { path: '/bad-size.txt', content: 'longer than declared', size: 6 },
      { path: '/good-2.txt', content: 'good two' },
    ]));
    expect(reply.status).toBe(200);
    const { data } = BulkResultSchema.parse(reply.json);
    expect(data.map((r) => r.status)).toEqual(['created', 'failed', 'failed', 'created']);
    expect(data[1]!.error).toMatch(/MD5/);
    expect(data[1]).not.toHaveProperty('file');
    expect(await paths(project.id)).toEqual(['/good-1.txt', '/good-2.txt']);
    expect(tmpFiles()).toEqual([]);
  });

  it('stores nothing and answers 422 for a malformed manifest or the wrong number of parts', async () => {
    const project = await h.project('Bulk malformed');
    const file = { path: '/x.txt', content: 'x' };
    const cases: Array<[string, FormPart[]]> = [
      ['not JSON', [{ name: 'manifest', value: '{nope' }, { name: 'file', filename: 'x', content: 'x' }]],
      ['not an array', bulkForm([file], { path: '/x.txt' })],
      ['bad md5', bulkForm([file], [{ path: '/x.txt', size: 1, md5: 'XYZ' }])],
      ['relative path', bulkForm([{ ...file, path: 'x.txt' }])],
      ['dot segment', bulkForm([{ ...file, path: '/a/../x.txt' }])],
      ['trailing slash', bulkForm([{ ...file, path: '/dir/' }])],
      ['fewer parts', bulkForm([file, { path: '/y.txt', content: 'y' }]).slice(0, 2)],
      ['more parts', [...bulkForm([file]), { name: 'file', filename: 'extra', content: 'extra' }]],
      ['a field among the files', [...bulkForm([file]).slice(0, 1), { name: 'note', value: 'hi' }, ...bulkForm([file]).slice(1)]],
      ['no manifest', [{ name: 'file', filename: 'x', content: 'x' }]],
      ['nothing', []],
    ];
    for (const [label, form] of cases) {
      const reply = await bulk(project.id, form);
      expect(reply.status, label).toBe(422);
      expect(reply.json, label).toMatchObject({ message: expect.any(String), errors: expect.any(Object) });
    }
    const notMultipart = await h.call('POST', `/projects/${project.id}/files/bulk-upload`, { json: { manifest: [] } });
    expect(notMultipart.status).toBe(422);
    expect(await paths(project.id)).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  it('413 over the advertised limits (files or bytes), nothing stored', async () => {
    const project = await h.project('Bulk limits');
    const six = Array.from({ length: 6 }, (_, i) => ({ path: `/f${i}`, content: `${i}` }));
    expect((await bulk(project.id, bulkForm(six))).status).toBe(413);
    const huge = await bulk(project.id, bulkForm([{ path: '/huge', content: 'x', size: 5 * 1024 * 1024 }]));
    expect(huge.status).toBe(413);
    expect(huge.json.message).toMatch(/at most 4194304 bytes/);
    expect(await paths(project.id)).toEqual([]);
  });

  it('if_current_id: a stale or wrong expectation is a conflict for that entry alone', async () => {
    const project = await h.project('Bulk preconditions');
    const v1 = BulkResultSchema.parse((await bulk(project.id, bulkForm([{ path: '/p.txt', content: 'v1' }]))).json).data[0]!.file!;
    const reply = await bulk(project.id, bulkForm([
      { path: '/p.txt', content: 'v2', if_current_id: v1.id + 1000 },
      { path: '/new.txt', content: 'n', if_current_id: v1.id },
      { path: '/fresh.txt', content: 'f', if_current_id: 0 },
    ]));
    const { data } = BulkResultSchema.parse(reply.json);
    expect(data.map((r) => r.status)).toEqual(['conflict', 'conflict', 'created']);
    expect(data[0]!.error).toMatch(/changed since you last looked/);
    const ok = BulkResultSchema.parse((await bulk(project.id, bulkForm([{ path: '/p.txt', content: 'v2', if_current_id: v1.id }]))).json).data[0]!;
    expect(ok.status).toBe('created');
    expect(await paths(project.id)).toEqual(['/fresh.txt', '/p.txt']);
    // The same request again (its first answer lost on the way): the bytes are already current.
    const retried = BulkResultSchema.parse((await bulk(project.id, bulkForm([{ path: '/p.txt', content: 'v2', if_current_id: v1.id }]))).json).data[0]!;
    expect(retried).toMatchObject({ status: 'unchanged', file: { id: ok.file!.id } });
  });

  it('reports a name production cannot store (> 150 characters) as failed, the rest stored', async () => {
    const project = await h.project('Bulk long names');
    const { data } = BulkResultSchema.parse((await bulk(project.id, bulkForm([
      { path: `/${'n'.repeat(151)}`, content: 'long' },
      { path: '/short', content: 'short' },
    ]))).json);
    expect(data.map((r) => r.status)).toEqual(['failed', 'created']);
    expect(data[0]!.error).toMatch(/longer than 150/);
  });

  it('401 without a token, 404 for another user\'s project, a token field before the manifest works', async () => {
    const project = await h.project('Bulk auth');
    const form = bulkForm([{ path: '/a.txt', content: 'a' }]);
    expect((await bulk(project.id, form, null as unknown as string)).status).toBe(401);
    expect((await bulk(bobs.id, form)).json).toEqual({ message: 'No such project' });
    const withField = await bulk(project.id, [{ name: 'api_token', value: h.alice.token }, ...form], null as unknown as string);
    expect(withField.status).toBe(200);
    expect(await paths(bobs.id).catch(() => 'unreadable')).toBe('unreadable');
  });
});
