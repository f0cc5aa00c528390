import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';
import { readChanges, readTree } from './helpers/sync.js';

let h: Harness;
let project: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start({ profile: 'enhanced' });
  project = await h.project('Tree');
  const a = await h.mkdirs(project.id, '/a');
  await h.mkdirs(project.id, '/b/c');
  await h.upload(project.id, a.id, [['z.txt', 'zz'], ['Y.txt', 'y']]);
  await h.upload(project.id, a.id, [['z.txt', 'zzz']]); // a second version: only it is listed
  await h.upload(project.id, project.rootId, [['b-x.txt', 'bx'], ['gone.txt', 'g']]);
  const gone = (await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/gone.txt' } })).json.data;
  await h.call('DELETE', `/projects/${project.id}/files/${gone.id}`);
});
afterAll(() => h.close());

describe('GET /projects/{p}/tree', () => {
  it('streams NDJSON: each current entry once with its full path, depth-first in name order, then the cursor', async () => {
    const reply = await h.call('GET', `/projects/${project.id}/tree`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const { entries, cursor } = await readTree(h, project.id);
    expect(entries.map((e) => e.path)).toEqual(['/a', '/a/Y.txt', '/a/z.txt', '/b', '/b/c', '/b-x.txt']);
    expect(entries.find((e) => e.path === '/a/z.txt')).toMatchObject({ kind: 'file', size: 3, checksum: md5('zzz') });
    expect(entries.find((e) => e.path === '/b')).toMatchObject({ kind: 'directory', size: 0, checksum: null });
    expect(entries[0]!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/);
    const { changes } = await readChanges(h, project.id, '0');
    expect(cursor).toBe(String(changes.length));
  });

  it('?prefix= lists that directory (first) and its subtree, matched by name as stored paths are (case-insensitive)', async () => {
    expect((await readTree(h, project.id, '/B')).entries.map((e) => e.path)).toEqual(['/b', '/b/c']);
    expect((await readTree(h, project.id, '/b/c/')).entries.map((e) => e.path)).toEqual(['/b/c']);
    expect((await readTree(h, project.id, '/')).entries).toHaveLength(6);
    const missing = await h.call('GET', `/projects/${project.id}/tree?prefix=/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: 'No such directory path' });
    expect((await h.call('GET', `/projects/${project.id}/tree?prefix=/b-x.txt`)).status).toBe(404);
  });

  it('an empty project is just its cursor', async () => {
    const empty = await h.project('Empty tree');
    expect((await h.call('GET', `/projects/${empty.id}/tree`)).text).toBe('{"cursor":"0"}\n');
  });

  it('401 without a token, 404 for another user\'s project or an unknown one', async () => {
    const bobs = await h.project('Bob tree', h.bob.token);
    expect((await h.call('GET', `/projects/${project.id}/tree`, { token: null })).status).toBe(401);
    expect((await h.call('GET', `/projects/${bobs.id}/tree`)).json).toEqual({ message: 'No such project' });
    expect((await h.call('GET', '/projects/99999/tree')).json).toEqual({ data: 'Resource not found' });
  });
});
