import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../src/index.js';
import { Harness, md5 } from './helpers/harness.js';

describe.each(PROFILES)('moves, renames and make_active (%s profile)', (profile) => {
  let h: Harness;
  let project: { id: number; rootId: number };
  let bobs: { id: number; rootId: number };
  beforeAll(async () => {
    h = await Harness.start({ profile });
    project = await h.project('Moves');
    bobs = await h.project('Bob moves', h.bob.token);
  });
  afterAll(() => h.close());

  const put = async (dirId: number, name: string, content: string, token?: string, projectId = project.id) =>
    (await h.upload(projectId, dirId, [[name, content]], token)).json.data[0];
  const byPath = async (path: string, projectId = project.id) =>
    (await h.call('POST', '/files/by_path', { json: { project_id: projectId, path } })).json.data;
  const list = async (dirId: number) => (await h.call('GET', `/projects/${project.id}/directories/${dirId}/list`)).json.data;

  describe('POST /files/{file}/move', () => {
    it('moves every version, gives them to the caller, and answers with the OLD parent embedded (Q13)', async () => {
      const from = await h.mkdirs(project.id, '/fm/from');
      const to = await h.mkdirs(project.id, '/fm/to');
      const old = await put(from.id, 'f.txt', 'one');
      const current = await put(from.id, 'f.txt', 'two');
      const reply = await h.call('POST', `/files/${current.id}/move`, { json: { project_id: project.id, directory_id: to.id } });
      expect(reply.status).toBe(200);
      expect(reply.json.data).toMatchObject({
        id: current.id,
        directory_id: to.id,
        owner_id: h.alice.id,
        directory: { id: from.id, path: '/fm/from' },
        previous_versions_count: 1,
      });
      expect(reply.json.data).not.toHaveProperty('owner');
      expect((await byPath('/fm/to/f.txt')).id).toBe(current.id);
      expect(await list(from.id)).toEqual([]);
      const versions = (await h.call('GET', `/projects/${project.id}/files/${current.id}/versions`)).json.data;
      expect(versions.map((v: any) => [v.id, v.directory_id])).toEqual([[old.id, to.id]]);
    });

    it('onto an existing name: the moved file becomes current there and the other one a previous version (§5.9)', async () => {
      const from = await h.mkdirs(project.id, '/fm2/from');
      const to = await h.mkdirs(project.id, '/fm2/to');
      const moving = await put(from.id, 'same.txt', 'moving');
      const there = await put(to.id, 'same.txt', 'there');
      await h.call('POST', `/files/${moving.id}/move`, { json: { project_id: project.id, directory_id: to.id } });
      const rows = await list(to.id);
      expect(rows.map((r: any) => r.id)).toEqual([moving.id]);
      const versions = (await h.call('GET', `/projects/${project.id}/files/${moving.id}/versions`)).json.data;
      expect(versions).toEqual([expect.objectContaining({ id: there.id, current: false })]);
    });

    it('validation, access and ownership', async () => {
      const dir = await h.mkdirs(project.id, '/fm3');
      const file = await put(dir.id, 'x.txt', 'x');
      const bobFile = await put(bobs.rootId, 'b.txt', 'b', h.bob.token, bobs.id);
      const move = (id: number, json: unknown, token?: string) => h.call('POST', `/files/${id}/move`, { json, ...(token !== undefined && { token }) });
      expect((await move(file.id, { project_id: project.id, directory_id: dir.id }, null as unknown as string)).status).toBe(401);
      expect((await move(99999999, { project_id: project.id, directory_id: dir.id })).json).toEqual({ data: 'Resource not found' });
      const missing = await move(file.id, { project_id: project.id });
      expect(missing.status).toBe(422);
      expect(missing.json.errors).toEqual({ directory_id: ['The directory id field is required.'] });
      expect((await move(file.id, { directory_id: dir.id })).json.errors).toEqual({ project_id: ['The project id field is required.'] });
      // A file of another project, a project of someone else, a destination elsewhere.
      expect((await move(bobFile.id, { project_id: project.id, directory_id: dir.id })).json).toEqual({ message: 'No such file' });
      expect((await move(bobFile.id, { project_id: bobs.id, directory_id: dir.id })).json).toEqual({ message: 'No such project' });
      const foreign = await move(file.id, { project_id: project.id, directory_id: bobs.rootId });
      expect(foreign.status).toBe(403);
      expect((await move(file.id, { project_id: project.id, directory_id: 99999999 })).json).toEqual({ message: 'No such file' });
      expect((await move(file.id, { project_id: project.id, directory_id: file.id })).json).toEqual({ message: 'No such file' });
      expect((await byPath('/fm3/x.txt')).id).toBe(file.id);
    });
  });

  describe('POST /files/{file}/rename', () => {
    it('renames every version and answers with the parent and counts', async () => {
      const dir = await h.mkdirs(project.id, '/fr');
      await put(dir.id, 'before.txt', 'one');
      const current = await put(dir.id, 'before.txt', 'two');
      const reply = await h.call('POST', `/files/${current.id}/rename`, { json: { project_id: project.id, name: 'after (1).txt' } });
      expect(reply.status).toBe(200);
      expect(reply.json.data).toMatchObject({ id: current.id, name: 'after (1).txt', directory: { id: dir.id }, previous_versions_count: 1 });
      expect((await byPath('/fr/after (1).txt')).checksum).toBe(md5('two'));
      expect(await byPath('/fr/before.txt')).toBeUndefined();
    });

    it('applies the name rule (422) and checks no conflict: two current rows of one name (Q10)', async () => {
      const dir = await h.mkdirs(project.id, '/fr2');
      const a = await put(dir.id, 'a.txt', 'a');
      const b = await put(dir.id, 'b.txt', 'b');
      for (const name of ['café.txt', 'a+b.txt', 'trailing.', 'x'.repeat(81)]) {
        const refused = await h.call('POST', `/files/${a.id}/rename`, { json: { project_id: project.id, name } });
        expect(refused.status, name).toBe(422);
      }
      expect((await h.call('POST', `/files/${a.id}/rename`, { json: { project_id: project.id, name: 'café.txt' } })).json.message).toBe('Invalid file name: café.txt');
      await h.call('POST', `/files/${a.id}/rename`, { json: { project_id: project.id, name: 'b.txt' } });
      expect((await list(dir.id)).map((r: any) => [r.id, r.name, r.current])).toEqual([[a.id, 'b.txt', true], [b.id, 'b.txt', true]]);
    });
  });

  describe('POST /directories/{directory}/move', () => {
    it('moves the directory under the destination, rewrites descendant paths and gives it the destination owner', async () => {
      const moving = await h.mkdirs(project.id, '/dm/src/tree');
      const deep = await h.mkdirs(project.id, '/dm/src/tree/deep/er');
      const dest = await h.mkdirs(project.id, '/dm/dest');
      const reply = await h.call('POST', `/directories/${moving.id}/move`, { json: { project_id: project.id, to_directory_id: dest.id } });
      expect(reply.status).toBe(200);
      expect(reply.json.data).toMatchObject({ id: moving.id, path: '/dm/dest/tree', directory_id: dest.id, owner_id: dest.owner_id });
      expect((await byPath('/dm/dest/tree/deep/er')).id).toBe(deep.id);
    });

    it('into / leaves its descendants with paths beginning with // (Q7)', async () => {
      const moving = await h.mkdirs(project.id, '/q7/moved');
      const child = await h.mkdirs(project.id, '/q7/moved/child');
      const reply = await h.call('POST', `/directories/${moving.id}/move`, { json: { project_id: project.id, to_directory_id: project.rootId } });
      expect(reply.json.data.path).toBe('/moved');
      const dirs = (await h.call('GET', `/projects/${project.id}/directories`)).json.data;
      expect(dirs.find((d: any) => d.id === child.id).path).toBe('//moved/child');
    });

    it('refuses another project (500, Q12), a project not yours (403), itself or a descendant (400), the root (400)', async () => {
      const other = await h.project('Moves elsewhere');
      const dir = await h.mkdirs(project.id, '/dm3/a');
      const inner = await h.mkdirs(project.id, '/dm3/a/b');
      const move = (id: number, to: number) => h.call('POST', `/directories/${id}/move`, { json: { project_id: project.id, to_directory_id: to } });
      expect((await move(dir.id, other.rootId)).status).toBe(500);
      expect((await move(dir.id, bobs.rootId)).status).toBe(403);
      expect((await move(dir.id, inner.id)).status).toBe(400);
      expect((await move(dir.id, dir.id)).status).toBe(400);
      expect((await move(project.rootId, dir.id)).status).toBe(400);
      expect((await byPath('/dm3/a/b')).id).toBe(inner.id);
    });

    it('checks membership of the directory\'s project even without project_id (no Q8 gap)', async () => {
      const bobDir = await h.mkdirs(bobs.id, '/bd').catch(() => null);
      expect(bobDir).toBeNull(); // alice cannot even create it
      const made = await h.call('POST', '/directories/by-path', { token: h.bob.token, json: { project_id: bobs.id, path: '/bd' } });
      const reply = await h.call('POST', `/directories/${made.json.data.id}/move`, { json: { to_directory_id: project.rootId } });
      expect(reply.json).toEqual({ message: 'No such project' });
      expect((await h.call('POST', `/directories/${made.json.data.id}/move`, { json: { project_id: project.id, to_directory_id: project.rootId } })).json).toEqual({ message: 'No such file' });
    });
  });

  describe('POST /directories/{directory}/rename', () => {
    it('renames and rewrites descendant paths', async () => {
      const dir = await h.mkdirs(project.id, '/dr/old');
      const child = await h.mkdirs(project.id, '/dr/old/child');
      const file = await put(child.id, 'f.txt', 'f');
      const reply = await h.call('POST', `/directories/${dir.id}/rename`, { json: { project_id: project.id, name: 'new' } });
      expect(reply.status).toBe(200);
      expect(reply.json.data).toMatchObject({ id: dir.id, name: 'new', path: '/dr/new' });
      expect((await byPath('/dr/new/child')).id).toBe(child.id);
      expect((await byPath('/dr/new/child/f.txt')).id).toBe(file.id);
    });

    it('applies the name rule (422); a sibling directory of that name is a 500 (Q10); a sibling file is not', async () => {
      const dir = await h.mkdirs(project.id, '/dr2/one');
      const sibling = await h.mkdirs(project.id, '/dr2/two');
      await put(sibling.directory_id, 'three', 'a file');
      const rename = (name: string) => h.call('POST', `/directories/${dir.id}/rename`, { json: { project_id: project.id, name } });
      expect((await rename('no/slash')).json).toMatchObject({ message: 'Invalid file name: no/slash' });
      expect((await rename('TWO')).status).toBe(500);
      expect((await rename('three')).status).toBe(200);
    });
  });

  describe('PUT /projects/{p}/files/{f}/make_active', () => {
    it('makes an old version current and the others not; a no-op on the current one', async () => {
      const dir = await h.mkdirs(project.id, '/ma');
      const first = await put(dir.id, 'v.txt', 'one');
      const second = await put(dir.id, 'v.txt', 'two');
      const reply = await h.call('PUT', `/projects/${project.id}/files/${first.id}/make_active`, { json: {} });
      expect(reply.status).toBe(200);
      expect(reply.json.data).toMatchObject({ id: first.id, current: true });
      expect(reply.json.data).not.toHaveProperty('owner');
      expect((await byPath('/ma/v.txt')).id).toBe(first.id);
      const again = await h.call('PUT', `/projects/${project.id}/files/${first.id}/make_active`, { json: {} });
      expect(again.json.data.id).toBe(first.id);
      const versions = (await h.call('GET', `/projects/${project.id}/files/${first.id}/versions`)).json.data;
      expect(versions).toEqual([expect.objectContaining({ id: second.id, current: false })]);
    });

    it('401, 404 for a row of another project', async () => {
      const bobFile = await put(bobs.rootId, 'mine.txt', 'bob', h.bob.token, bobs.id);
      expect((await h.call('PUT', `/projects/${project.id}/files/${bobFile.id}/make_active`, { json: {} })).json).toEqual({ message: 'No such file' });
      expect((await h.call('PUT', `/projects/${project.id}/files/${bobFile.id}/make_active`, { token: null, json: {} })).status).toBe(401);
    });
  });
});
