import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';

let h: Harness;
let project: { id: number; rootId: number };
let bobs: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start();
  project = await h.project('Files');
  bobs = await h.project('Bob files', h.bob.token);
});
afterAll(() => h.close());

describe('GET /projects/{project}/files/{file}', () => {
  it('returns the current row with owner, parent directory and the five counts', async () => {
    const dir = await h.mkdirs(project.id, '/show');
    await h.upload(project.id, dir.id, [['f.txt', 'v1']]);
    const current = (await h.upload(project.id, dir.id, [['f.txt', 'v2']])).json.data[0];
    const reply = await h.call('GET', `/projects/${project.id}/files/${current.id}`);
    expect(reply.status).toBe(200);
    expect(reply.json.data).toMatchObject({
      id: current.id,
      name: 'f.txt',
      owner: { id: h.alice.id, api_token: h.alice.token },
      directory: { id: dir.id, path: '/show' },
      entity_states_count: 0,
      activities_count: 0,
      entities_count: 0,
      experiments_count: 0,
      previous_versions_count: 1,
    });
  });

  it('404 File not found for a directory, an old version or a deleted file', async () => {
    const dir = await h.mkdirs(project.id, '/not-files');
    const old = (await h.upload(project.id, dir.id, [['o.txt', 'old']])).json.data[0];
    await h.upload(project.id, dir.id, [['o.txt', 'new']]);
    const doomed = (await h.upload(project.id, dir.id, [['d.txt', 'd']])).json.data[0];
    await h.call('DELETE', `/projects/${project.id}/files/${doomed.id}`);
    for (const id of [dir.id, old.id, doomed.id]) {
      const reply = await h.call('GET', `/projects/${project.id}/files/${id}`);
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual({ message: 'File not found' });
    }
  });

  it('404 No such file for a row of another project, Resource not found for an unknown id, No such project for a foreign project', async () => {
    const bobFile = (await h.upload(bobs.id, bobs.rootId, [['b.txt', 'b']], h.bob.token)).json.data[0];
    expect((await h.call('GET', `/projects/${project.id}/files/${bobFile.id}`)).json).toEqual({ message: 'No such file' });
    expect((await h.call('GET', `/projects/${project.id}/files/99999999`)).json).toEqual({ data: 'Resource not found' });
    expect((await h.call('GET', `/projects/${bobs.id}/files/${bobFile.id}`)).json).toEqual({ message: 'No such project' });
    expect((await h.call('GET', `/projects/${project.id}/files/${bobFile.id}`, { token: null })).status).toBe(401);
  });
});

describe('POST /files/by_path', () => {
  let file: any;
  let dir: any;
  beforeAll(async () => {
    dir = await h.mkdirs(project.id, '/By Path/Deep');
    await h.upload(project.id, dir.id, [['Target.txt', 'first']]);
    file = (await h.upload(project.id, dir.id, [['Target.txt', 'second']])).json.data[0];
  });

  it('finds the current file, with its directory and without owner', async () => {
    const reply = await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/By Path/Deep/Target.txt' } });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toMatchObject({ id: file.id, checksum: md5('second'), directory: { id: dir.id, path: '/By Path/Deep' } });
    expect(reply.json.data).not.toHaveProperty('owner');
  });

  it('matches case- and accent-insensitively', async () => {
    const reply = await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/by path/DEEP/target.TXT' } });
    expect(reply.json.data.id).toBe(file.id);
  });

  it('finds directories too, and the root for /', async () => {
    const directory = await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/By Path/Deep' } });
    expect(directory.json.data).toMatchObject({ id: dir.id, mime_type: 'directory' });
    const root = await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/' } });
    expect(root.json.data).toMatchObject({ id: project.rootId, name: '/', directory: null });
  });

  it('drops len(project name) characters from a path without a leading slash (legacy form)', async () => {
    const reply = await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: 'Files/By Path/Deep/Target.txt' } });
    expect(reply.json.data.id).toBe(file.id);
  });

  it('404 No such file for a missing path', async () => {
    const reply = await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/By Path/Deep/none.txt' } });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ message: 'No such file' });
  });

  it('requires project_id and checks membership (Q8 not reproduced)', async () => {
    const missing = await h.call('POST', '/files/by_path', { json: { path: '/x' } });
    expect(missing.status).toBe(422);
    expect(missing.json.errors).toEqual({ project_id: ['The project id field is required.'] });
    const foreign = await h.call('POST', '/files/by_path', { json: { project_id: bobs.id, path: '/' } });
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ message: 'No such project' });
    expect((await h.call('POST', '/files/by_path', { token: null, json: { project_id: project.id, path: '/' } })).status).toBe(401);
  });
});

describe('GET /projects/{project}/files/{file}/versions', () => {
  it('lists the other live versions, oldest first, the current one included when asked from an old one', async () => {
    const dir = await h.mkdirs(project.id, '/versions');
    const v1 = (await h.upload(project.id, dir.id, [['v.txt', '1']])).json.data[0];
    const v2 = (await h.upload(project.id, dir.id, [['v.txt', '2']])).json.data[0];
    const v3 = (await h.upload(project.id, dir.id, [['v.txt', '3']])).json.data[0];
    const fromCurrent = await h.call('GET', `/projects/${project.id}/files/${v3.id}/versions`);
    expect(fromCurrent.status).toBe(200);
    expect(fromCurrent.json.data.map((row: any) => [row.id, row.current])).toEqual([[v1.id, false], [v2.id, false]]);
    const fromOld = await h.call('GET', `/projects/${project.id}/files/${v1.id}/versions`);
    expect(fromOld.json.data.map((row: any) => [row.id, row.current])).toEqual([[v2.id, false], [v3.id, true]]);
    expect(fromOld.json.data[0]).not.toHaveProperty('directory');
  });

  it('404 Resource not found for an unknown id, No such file for another project', async () => {
    expect((await h.call('GET', `/projects/${project.id}/files/99999999/versions`)).json).toEqual({ data: 'Resource not found' });
    const bobFile = (await h.upload(bobs.id, bobs.rootId, [['bv.txt', 'b']], h.bob.token)).json.data[0];
    expect((await h.call('GET', `/projects/${project.id}/files/${bobFile.id}/versions`)).json).toEqual({ message: 'No such file' });
    expect((await h.call('GET', `/projects/${bobs.id}/files/${bobFile.id}/versions`)).json).toEqual({ message: 'No such project' });
  });
});

describe('DELETE /projects/{project}/files/{file}', () => {
  it('soft-deletes the file and every version (200, empty body); old versions still download', async () => {
    const dir = await h.mkdirs(project.id, '/deleting');
    const v1 = (await h.upload(project.id, dir.id, [['gone.txt', 'one']])).json.data[0];
    const v2 = (await h.upload(project.id, dir.id, [['gone.txt', 'two']])).json.data[0];
    const reply = await h.call('DELETE', `/projects/${project.id}/files/${v2.id}`);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    const listing = await h.call('GET', `/projects/${project.id}/directories/${dir.id}/list`);
    expect(listing.json.data).toEqual([]);
    expect((await h.call('POST', '/files/by_path', { json: { project_id: project.id, path: '/deleting/gone.txt' } })).status).toBe(404);
    expect((await h.call('GET', `/projects/${project.id}/files/${v1.id}/versions`)).json.data).toEqual([]);
    const download = await h.call('GET', `/projects/${project.id}/files/${v1.id}/download`);
    expect(download.status).toBe(200);
    expect(download.text).toBe('one');
    // A later upload of that name starts afresh.
    const again = (await h.upload(project.id, dir.id, [['gone.txt', 'one']])).json.data[0];
    expect(again.id).not.toBe(v1.id);
  });

  it('500 for a non-current version (Q3)', async () => {
    const dir = await h.mkdirs(project.id, '/q3');
    const old = (await h.upload(project.id, dir.id, [['q.txt', 'old']])).json.data[0];
    await h.upload(project.id, dir.id, [['q.txt', 'new']]);
    const reply = await h.call('DELETE', `/projects/${project.id}/files/${old.id}`);
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ message: 'Server Error' });
  });

  it("404 for another user's project or file", async () => {
    const bobFile = (await h.upload(bobs.id, bobs.rootId, [['keep.txt', 'k']], h.bob.token)).json.data[0];
    expect((await h.call('DELETE', `/projects/${bobs.id}/files/${bobFile.id}`)).json).toEqual({ message: 'No such project' });
    expect((await h.call('DELETE', `/projects/${project.id}/files/${bobFile.id}`)).json).toEqual({ message: 'No such file' });
    expect((await h.call('DELETE', `/projects/${bobs.id}/files/${bobFile.id}`, { token: null })).status).toBe(401);
  });
});
