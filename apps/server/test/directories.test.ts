import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, TIMESTAMP } from './helpers/harness.js';

let h: Harness;
let project: { id: number; rootId: number };
let bobs: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start();
  project = await h.project('Directories');
  bobs = await h.project('Bob directories', h.bob.token);
});
afterAll(() => h.close());

const ROW_KEYS = [
  'id', 'uuid', 'name', 'path', 'size', 'checksum', 'current', 'mime_type', 'directory_id', 'project_id', 'owner_id',
  'created_at', 'updated_at', 'deleted_at', 'uses_uuid', 'url', 'description', 'summary', 'media_type_description',
  'disk', 'is_shortcut', 'uses_id', 'dataset_id', 'replicated_at', 'unique_proj_dir', 'upload_source',
  'file_missing_at', 'file_missing_determined_by', 'health', 'last_health_check_at', 'health_fixed_at',
  'health_fixed_by', 'thumbnail_created_at', 'thumbnail_status', 'conversion_created_at', 'conversion_status',
  'selected',
];

describe('POST /directories', () => {
  it('creates a directory (201) whose fresh row lacks size, checksum and deleted_at', async () => {
    const reply = await h.call('POST', '/directories', {
      json: { name: 'Raw data', directory_id: project.rootId, project_id: project.id },
    });
    expect(reply.status).toBe(201);
    const row = reply.json.data;
    expect(row).toMatchObject({
      name: 'Raw data',
      path: '/Raw data',
      mime_type: 'directory',
      directory_id: project.rootId,
      project_id: project.id,
      owner_id: h.alice.id,
    });
    expect(row).not.toHaveProperty('size');
    expect(row).not.toHaveProperty('checksum');
    expect(row).not.toHaveProperty('deleted_at');
    expect(row.created_at).toMatch(TIMESTAMP);
  });

  it('returns the existing directory (200) when the path exists in another case, spelled as stored', async () => {
    const first = await h.call('POST', '/directories', { json: { name: 'Data', directory_id: project.rootId, project_id: project.id } });
    const again = await h.call('POST', '/directories', { json: { name: 'data', directory_id: project.rootId, project_id: project.id } });
    expect(again.status).toBe(200);
    expect(again.json.data.id).toBe(first.json.data.id);
    expect(again.json.data.name).toBe('Data');
    expect(Object.keys(again.json.data).sort()).toEqual([...ROW_KEYS].sort());
  });

  it('nests under a parent directory', async () => {
    const parent = await h.call('POST', '/directories', { json: { name: 'a', directory_id: project.rootId, project_id: project.id } });
    const child = await h.call('POST', '/directories', {
      json: { name: 'b', directory_id: parent.json.data.id, project_id: project.id },
    });
    expect(child.json.data.path).toBe('/a/b');
  });

  it('refuses names that break the name rule with 422 Invalid file name', async () => {
    for (const name of ['café', 'a+b', 'a..b', 'trailing.', 'x/y', "it's", 'n'.repeat(81)]) {
      const reply = await h.call('POST', '/directories', { json: { name, directory_id: project.rootId, project_id: project.id } });
      expect(reply.status, name).toBe(422);
      if (name.length <= 80) expect(reply.json).toEqual({ message: `Invalid file name: ${name}`, errors: { name: [`Invalid file name: ${name}`] } });
    }
    for (const name of ['.hidden', 'with space', 'v1.2_(final)-x', 'UPPER']) {
      const reply = await h.call('POST', '/directories', { json: { name, directory_id: project.rootId, project_id: project.id } });
      expect(reply.status, name).toBe(201);
    }
  });

  it('requires name, directory_id and project_id', async () => {
    const reply = await h.call('POST', '/directories', { json: {} });
    expect(reply.status).toBe(422);
    expect(Object.keys(reply.json.errors)).toEqual(['name', 'directory_id', 'project_id']);
  });

  it("checks membership of project_id and that directory_id is in that project (Q8 not reproduced)", async () => {
    const otherProject = await h.call('POST', '/directories', { json: { name: 'x', directory_id: bobs.rootId, project_id: bobs.id } });
    expect(otherProject.status).toBe(404);
    expect(otherProject.json).toEqual({ message: 'No such project' });
    const foreignParent = await h.call('POST', '/directories', { json: { name: 'x', directory_id: bobs.rootId, project_id: project.id } });
    expect(foreignParent.status).toBe(404);
    expect(foreignParent.json).toEqual({ message: 'No such file' });
    expect((await h.call('POST', '/directories', { token: null, json: { name: 'x' } })).status).toBe(401);
  });
});

describe('POST /directories/by-path', () => {
  it('creates every missing level (200), without the name rule, owned by the project owner', async () => {
    const row = await h.mkdirs(project.id, '/deep/er/Ünïcode + [odd] name');
    expect(row).toMatchObject({ name: 'Ünïcode + [odd] name', path: '/deep/er/Ünïcode + [odd] name', owner_id: h.alice.id });
    const middle = await h.call('GET', `/projects/${project.id}/directories/${row.directory_id}`);
    expect(middle.json.data.path).toBe('/deep/er');
  });

  it('finds existing levels case-insensitively and keeps their spelling (/Data vs /data)', async () => {
    const upper = await h.mkdirs(project.id, '/Mixed');
    const lower = await h.call('POST', '/directories/by-path', { json: { project_id: project.id, path: '/mixed' } });
    expect(lower.status).toBe(200);
    expect(lower.json.data.id).toBe(upper.id);
    const child = await h.mkdirs(project.id, '/MIXED/child');
    expect(child.path).toBe('/Mixed/child');
    expect(child.directory_id).toBe(upper.id);
  });

  it('treats accents and trailing spaces as the same name', async () => {
    const plain = await h.mkdirs(project.id, '/resume');
    expect((await h.mkdirs(project.id, '/résumé')).id).toBe(plain.id);
    expect((await h.mkdirs(project.id, '/resume ')).id).toBe(plain.id);
  });

  it('returns the root for /', async () => {
    expect((await h.mkdirs(project.id, '/')).id).toBe(project.rootId);
  });

  it("404 No such project for another user's project; 422 without path", async () => {
    const other = await h.call('POST', '/directories/by-path', { json: { project_id: bobs.id, path: '/x' } });
    expect(other.status).toBe(404);
    expect(other.json).toEqual({ message: 'No such project' });
    const missing = await h.call('POST', '/directories/by-path', { json: { project_id: project.id } });
    expect(missing.status).toBe(422);
    expect(missing.json.errors).toEqual({ path: ['The path field is required.'] });
  });
});

describe('GET /projects/{project}/directories/{directory}', () => {
  it('returns the directory with owner (api_token included, Q9) and parent embedded', async () => {
    const dir = await h.mkdirs(project.id, '/show/me');
    const reply = await h.call('GET', `/projects/${project.id}/directories/${dir.id}`);
    expect(reply.status).toBe(200);
    expect(reply.json.data).toMatchObject({
      id: dir.id,
      path: '/show/me',
      owner: { id: h.alice.id, email: 'alice@example.org', api_token: h.alice.token },
      directory: { path: '/show', mime_type: 'directory' },
    });
    const root = await h.call('GET', `/projects/${project.id}/directories/${project.rootId}`);
    expect(root.json.data.directory).toBeNull();
  });

  it('answers 200 {"data":[]} for a file id and for a deleted directory (Q5)', async () => {
    const upload = await h.upload(project.id, project.rootId, [['q5.txt', 'q5']]);
    const file = await h.call('GET', `/projects/${project.id}/directories/${upload.json.data[0].id}`);
    expect(file.status).toBe(200);
    expect(file.json).toEqual({ data: [] });
    const dir = await h.mkdirs(project.id, '/gone');
    await h.call('DELETE', `/projects/${project.id}/directories/${dir.id}`);
    expect((await h.call('GET', `/projects/${project.id}/directories/${dir.id}`)).json).toEqual({ data: [] });
  });

  it('404 No such file for an id of another project, No such project for a foreign project, 401 without token', async () => {
    const foreign = await h.call('GET', `/projects/${project.id}/directories/${bobs.rootId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.json).toEqual({ message: 'No such file' });
    const otherProject = await h.call('GET', `/projects/${bobs.id}/directories/${bobs.rootId}`);
    expect(otherProject.json).toEqual({ message: 'No such project' });
    expect((await h.call('GET', `/projects/${project.id}/directories/${project.rootId}`, { token: null })).status).toBe(401);
  });
});

describe('listing a directory', () => {
  let dir: any;
  beforeAll(async () => {
    dir = await h.mkdirs(project.id, '/listing');
    await h.mkdirs(project.id, '/listing/Sub');
    await h.upload(project.id, dir.id, [['b.txt', 'b'], ['A.txt', 'a'], ['c.txt', 'c']]);
    await h.upload(project.id, dir.id, [['b.txt', 'b2']]); // a second version: only the current one is listed
  });

  it('…/list returns current files and subdirectories mixed, by name, with owner and directory', async () => {
    const reply = await h.call('GET', `/projects/${project.id}/directories/${dir.id}/list`);
    expect(reply.status).toBe(200);
    expect(reply.json.data.map((row: any) => row.name)).toEqual(['A.txt', 'b.txt', 'c.txt', 'Sub']);
    for (const row of reply.json.data) {
      expect(row.current).toBe(true);
      expect(row.owner.id).toBe(h.alice.id);
      expect(row.directory).toMatchObject({ id: dir.id, path: '/listing' });
    }
    expect(reply.json.data.find((row: any) => row.name === 'b.txt').size).toBe(2);
  });

  it('honours sort=-name and sort=path and refuses other sorts with 400', async () => {
    const desc = await h.call('GET', `/projects/${project.id}/directories/${dir.id}/list?sort=-name`);
    expect(desc.json.data.map((row: any) => row.name)).toEqual(['Sub', 'c.txt', 'b.txt', 'A.txt']);
    const byPath = await h.call('GET', `/projects/${project.id}/directories/${dir.id}/list?sort=path`);
    expect(byPath.json.data.at(-1).name).toBe('Sub'); // files have a null path, which sorts first
    const bad = await h.call('GET', `/projects/${project.id}/directories/${dir.id}/list?sort=size`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('Requested sort(s) `size` is not allowed. Allowed sort(s) are `name, path`.');
  });

  it('directories_by_path lists the same, matching the path case-insensitively', async () => {
    const reply = await h.call('GET', `/projects/${project.id}/directories_by_path?path=/LISTING`);
    expect(reply.status).toBe(200);
    expect(reply.json.data.map((row: any) => row.name)).toEqual(['A.txt', 'b.txt', 'c.txt', 'Sub']);
    const root = await h.call('GET', `/projects/${project.id}/directories_by_path?path=/`);
    expect(root.json.data.map((row: any) => row.name)).toContain('listing');
  });

  it('directories_by_path: 404 No such directory path, exact match only (no trailing slash)', async () => {
    for (const path of ['/nope', '/listing/', 'listing']) {
      const reply = await h.call('GET', `/projects/${project.id}/directories_by_path?path=${encodeURIComponent(path)}`);
      expect(reply.status, path).toBe(404);
      expect(reply.json).toEqual({ message: 'No such directory path' });
    }
  });

  it("404 No such project for another user's project", async () => {
    const list = await h.call('GET', `/projects/${bobs.id}/directories/${bobs.rootId}/list`);
    expect(list.json).toEqual({ message: 'No such project' });
    const byPath = await h.call('GET', `/projects/${bobs.id}/directories_by_path?path=/`);
    expect(byPath.json).toEqual({ message: 'No such project' });
  });
});

describe('GET /projects/{project}/directories', () => {
  it('lists every live directory with its path, owner and parent', async () => {
    const fresh = await h.project('All directories');
    await h.mkdirs(fresh.id, '/x/y/z');
    await h.mkdirs(fresh.id, '/w');
    const reply = await h.call('GET', `/projects/${fresh.id}/directories?sort=path`);
    expect(reply.status).toBe(200);
    expect(reply.json.data.map((row: any) => row.path)).toEqual(['/', '/w', '/x', '/x/y', '/x/y/z']);
    const z = reply.json.data.at(-1);
    expect(z.directory.path).toBe('/x/y');
    expect(z.owner.id).toBe(h.alice.id);
    expect(reply.json.data[0].directory).toBeNull();
  });

  it("404 No such project for another user's project", async () => {
    expect((await h.call('GET', `/projects/${bobs.id}/directories`)).json).toEqual({ message: 'No such project' });
  });
});

describe('DELETE /projects/{project}/directories/{directory}', () => {
  it('soft-deletes that row only: children stay reachable by path (Q6)', async () => {
    const child = await h.mkdirs(project.id, '/parent/child');
    const reply = await h.call('DELETE', `/projects/${project.id}/directories/${child.directory_id}`);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('');
    const all = await h.call('GET', `/projects/${project.id}/directories`);
    const paths = all.json.data.map((row: any) => row.path);
    expect(paths).not.toContain('/parent');
    expect(paths).toContain('/parent/child');
    const byPath = await h.call('GET', `/projects/${project.id}/directories_by_path?path=/parent/child`);
    expect(byPath.status).toBe(200);
  });

  it('refuses the root with 400', async () => {
    const reply = await h.call('DELETE', `/projects/${project.id}/directories/${project.rootId}`);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ message: 'Cannot delete project root directory' });
  });

  it("404 for another user's project or directory", async () => {
    expect((await h.call('DELETE', `/projects/${bobs.id}/directories/${bobs.rootId}`)).json).toEqual({ message: 'No such project' });
    expect((await h.call('DELETE', `/projects/${project.id}/directories/${bobs.rootId}`)).json).toEqual({ message: 'No such file' });
  });
});
