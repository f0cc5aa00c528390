import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5, TIMESTAMP } from './helpers/harness.js';

let h: Harness;
let project: { id: number; rootId: number };
let bobs: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start();
  project = await h.project('Uploads');
  bobs = await h.project('Bob uploads', h.bob.token);
});
afterAll(() => h.close());

const versionsOf = async (fileId: number) => (await h.call('GET', `/projects/${project.id}/files/${fileId}/versions`)).json.data;
const list = async (directoryId: number) => (await h.call('GET', `/projects/${project.id}/directories/${directoryId}/list`)).json.data;

describe('POST /projects/{project}/files/{directory_id}/upload', () => {
  it('stores each files[] part (200, collection) with server-computed checksum, size and HTTP-upload values', async () => {
    const dir = await h.mkdirs(project.id, '/basic');
    const reply = await h.upload(project.id, dir.id, [['one.txt', 'hello'], ['two.bin', Buffer.from([0, 1, 2, 255])]]);
    expect(reply.status).toBe(200);
    const [one, two] = reply.json.data;
    expect(one).toMatchObject({
      name: 'one.txt',
      path: null,
      size: 5,
      checksum: md5('hello'),
      current: true,
      mime_type: 'text/plain',
      directory_id: dir.id,
      project_id: project.id,
      owner_id: h.alice.id,
      description: '',
      disk: 'mcfs',
      upload_source: 'api',
      media_type_description: 'unknown',
      health: 'healthy',
      deleted_at: null,
    });
    expect(one.created_at).toMatch(TIMESTAMP);
    expect(one).not.toHaveProperty('owner');
    expect(two).toMatchObject({ name: 'two.bin', size: 4, mime_type: 'application/octet-stream' });
  });

  it('stores the basename of a part filename that carries a path', async () => {
    const reply = await h.upload(project.id, project.rootId, [['some/dir/leaf.txt', 'leaf']]);
    expect(reply.json.data[0].name).toBe('leaf.txt');
  });

  it('keeps non-ASCII, spaces and characters the name rule refuses', async () => {
    const names = ['café au lait.txt', 'データ.csv', 'a+b,c@d#e[f]g\'h&i~j%k.txt', 'trailing..dots..'];
    const reply = await h.upload(project.id, project.rootId, names.map((name) => [name, name] as const));
    expect(reply.json.data.map((row: any) => row.name)).toEqual(names);
  });

  it('stores an empty file with the MD5 of empty input', async () => {
    const reply = await h.upload(project.id, project.rootId, [['empty.dat', '']]);
    expect(reply.json.data[0]).toMatchObject({ size: 0, checksum: 'd41d8cd98f00b204e9800998ecf8427e', mime_type: 'application/x-empty' });
  });

  it('stores a 3 MiB file intact (multipart default 1 MiB truncation is not in effect)', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const reply = await h.upload(project.id, project.rootId, [['big.bin', big]]);
    expect(reply.status).toBe(200);
    expect(reply.json.data[0]).toMatchObject({ size: big.length, checksum: md5(big) });
    const download = await h.call('GET', `/projects/${project.id}/files/${reply.json.data[0].id}/download`);
    expect(md5(download.body)).toBe(md5(big));
  });

  it('keeps the first 20 file parts and silently drops the rest (Q16)', async () => {
    const dir = await h.mkdirs(project.id, '/q16');
    const files = Array.from({ length: 21 }, (_, i) => [`f${String(i).padStart(2, '0')}.txt`, `content ${i}`] as const);
    const reply = await h.upload(project.id, dir.id, files);
    expect(reply.status).toBe(200);
    expect(reply.json.data).toHaveLength(20);
    expect(reply.json.data.map((row: any) => row.name)).toEqual(files.slice(0, 20).map(([name]) => name));
    expect(await list(dir.id)).toHaveLength(20);
  });

  it('answers 500 Server Error when there is no files[] part (Q2)', async () => {
    const reply = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      form: [{ name: 'other', filename: 'x.txt', content: 'x' }],
    });
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ message: 'Server Error' });
    const notMultipart = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, { json: {} });
    expect(notMultipart.status).toBe(500);
  });

  it('answers 422 for a files[] part that is not a file', async () => {
    const reply = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      form: [{ name: 'files[]', value: 'not a file' }],
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual({ message: 'The files.0 field must be a file.', errors: { 'files.0': ['The files.0 field must be a file.'] } });
  });

  it('answers 422 for a files[] part sent without a file (empty filename)', async () => {
    const reply = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      form: [{ name: 'files[]', filename: '', content: '' }],
    });
    expect(reply.status).toBe(422);
    expect(reply.json.errors).toEqual({ 'files.0': ['The files.0 field must be a file.'] });
  });

  it('accepts a file id as {directory_id} (Q15)', async () => {
    const file = (await h.upload(project.id, project.rootId, [['host.txt', 'host']])).json.data[0];
    const reply = await h.upload(project.id, file.id, [['inside-a-file.txt', 'odd']]);
    expect(reply.status).toBe(200);
    expect(reply.json.data[0].directory_id).toBe(file.id);
  });

  it('checks authentication, membership and that the directory is in the project', async () => {
    expect((await h.upload(project.id, project.rootId, [['x.txt', 'x']], 'wrong')).status).toBe(401);
    const foreignProject = await h.upload(bobs.id, bobs.rootId, [['x.txt', 'x']]);
    expect(foreignProject.status).toBe(404);
    expect(foreignProject.json).toEqual({ message: 'No such project' });
    const foreignDirectory = await h.upload(project.id, bobs.rootId, [['x.txt', 'x']]);
    expect(foreignDirectory.status).toBe(404);
    expect(foreignDirectory.json).toEqual({ message: 'No such file' });
    const unknownDirectory = await h.upload(project.id, 999999, [['x.txt', 'x']]);
    expect(unknownDirectory.json).toEqual({ message: 'No such file' });
    const noToken = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      token: null,
      form: [{ name: 'files[]', filename: 'x.txt', content: 'x' }],
    });
    expect(noToken.status).toBe(401);
  });

  it('500 for a name over 150 characters (Q17)', async () => {
    const reply = await h.upload(project.id, project.rootId, [[`${'n'.repeat(151)}.txt`, 'long']]);
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ message: 'Server Error' });
  });
});

describe('versioning (mc-api.md §5.1)', () => {
  it('new bytes make a new current version; the old one becomes current:false', async () => {
    const dir = await h.mkdirs(project.id, '/versions-new');
    const v1 = (await h.upload(project.id, dir.id, [['data.csv', 'v1']])).json.data[0];
    const v2 = (await h.upload(project.id, dir.id, [['data.csv', 'v2']])).json.data[0];
    expect(v2.id).not.toBe(v1.id);
    expect(v2.current).toBe(true);
    const others = await versionsOf(v2.id);
    expect(others).toEqual([expect.objectContaining({ id: v1.id, current: false, checksum: md5('v1') })]);
    expect(others[0]).not.toHaveProperty('owner');
    expect((await list(dir.id)).map((row: any) => row.id)).toEqual([v2.id]);
  });

  it('identical bytes return the existing row with its old id and created_at', async () => {
    const dir = await h.mkdirs(project.id, '/versions-same');
    const first = (await h.upload(project.id, dir.id, [['same.txt', 'same']])).json.data[0];
    const again = (await h.upload(project.id, dir.id, [['same.txt', 'same']])).json.data[0];
    expect(again.id).toBe(first.id);
    expect(again.created_at).toBe(first.created_at);
    expect(await versionsOf(first.id)).toEqual([]);
  });

  it("re-uploading an old version's bytes reverts to that version (rule 2)", async () => {
    const dir = await h.mkdirs(project.id, '/versions-revert');
    const v1 = (await h.upload(project.id, dir.id, [['r.txt', 'one']])).json.data[0];
    const v2 = (await h.upload(project.id, dir.id, [['r.txt', 'two']])).json.data[0];
    const back = (await h.upload(project.id, dir.id, [['r.txt', 'one']])).json.data[0];
    expect(back.id).toBe(v1.id);
    expect(back.current).toBe(true);
    const others = await versionsOf(v1.id);
    expect(others).toEqual([expect.objectContaining({ id: v2.id, current: false })]);
    expect((await list(dir.id)).map((row: any) => row.id)).toEqual([v1.id]);
  });

  it('README.md and readme.md are one file: the new spelling becomes the current version', async () => {
    const dir = await h.mkdirs(project.id, '/versions-case');
    const upper = (await h.upload(project.id, dir.id, [['README.md', 'upper']])).json.data[0];
    const lower = (await h.upload(project.id, dir.id, [['readme.md', 'lower']])).json.data[0];
    expect(lower.name).toBe('readme.md');
    const rows = await list(dir.id);
    expect(rows.map((row: any) => [row.id, row.name])).toEqual([[lower.id, 'readme.md']]);
    expect((await versionsOf(lower.id)).map((row: any) => row.id)).toEqual([upper.id]);
  });

  it('café.txt collides with cafe.txt, and a.txt with "a.txt " (trailing space)', async () => {
    const dir = await h.mkdirs(project.id, '/versions-fold');
    await h.upload(project.id, dir.id, [['cafe.txt', '1']]);
    await h.upload(project.id, dir.id, [['café.txt', '2']]);
    await h.upload(project.id, dir.id, [['a.txt', '1']]);
    await h.upload(project.id, dir.id, [['a.txt ', '2']]);
    expect((await list(dir.id)).map((row: any) => row.name).sort()).toEqual(['a.txt ', 'café.txt']);
  });

  it('shares one blob across projects and records uses_uuid / uses_id', async () => {
    const bytes = randomBytes(64);
    const original = (await h.upload(project.id, project.rootId, [['orig.bin', bytes]])).json.data[0];
    expect(original.uses_uuid).toBeNull();
    const copy = (await h.upload(bobs.id, bobs.rootId, [['copy.bin', bytes]], h.bob.token)).json.data[0];
    expect(copy).toMatchObject({ checksum: original.checksum, uses_uuid: original.uuid, uses_id: original.id });
  });

  it('serializes concurrent uploads of one name: exactly one current row remains (Q22 not reproduced)', async () => {
    const dir = await h.mkdirs(project.id, '/versions-race');
    await Promise.all(Array.from({ length: 8 }, (_, i) => h.upload(project.id, dir.id, [['race.txt', `content ${i}`]])));
    const rows = await list(dir.id);
    expect(rows).toHaveLength(1);
    expect(await versionsOf(rows[0].id)).toHaveLength(7);
  });
});

describe('POST /projects/{project}/files/{directory_id}/upload/{name}', () => {
  it('stores exactly one part under the percent-decoded name from the URL', async () => {
    const name = 'named file é+#.txt';
    const reply = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload/${encodeURIComponent(name)}`, {
      form: [{ name: 'files[]', filename: 'ignored.txt', content: 'named' }],
    });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual([expect.objectContaining({ name, checksum: md5('named') })]);
  });

  it('403 with an empty message unless there is exactly one part', async () => {
    const two = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload/x.txt`, {
      form: [
        { name: 'files[]', filename: 'a', content: 'a' },
        { name: 'files[]', filename: 'b', content: 'b' },
      ],
    });
    expect(two.status).toBe(403);
    expect(two.json).toEqual({ message: '' });
    const none = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload/x.txt`, { form: [{ name: 'x', value: 'y' }] });
    expect(none.status).toBe(403);
  });

  it("404 No such project for another user's project", async () => {
    const reply = await h.call('POST', `/projects/${bobs.id}/files/${bobs.rootId}/upload/x.txt`, {
      form: [{ name: 'files[]', filename: 'a', content: 'a' }],
    });
    expect(reply.json).toEqual({ message: 'No such project' });
  });
});

describe('POST /projects/{project}/files/upload-to-path', () => {
  const uploadToPath = (path: string, content: string, projectId = project.id, fieldsFirst = true) => {
    const file = { name: 'file', filename: 'ignored-name.txt', content };
    const field = { name: 'path', value: path };
    return h.call('POST', `/projects/${projectId}/files/upload-to-path`, { form: fieldsFirst ? [field, file] : [file, field] });
  };

  it('creates missing directories and the file (201), then 200 with the same row for the same bytes', async () => {
    const created = await uploadToPath('/to/path/file.txt', 'content');
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({ name: 'file.txt', checksum: md5('content'), current: true });
    const dir = await h.call('GET', `/projects/${project.id}/directories/${created.json.data.directory_id}`);
    expect(dir.json.data).toMatchObject({ path: '/to/path', owner_id: h.alice.id });
    const again = await uploadToPath('/to/path/file.txt', 'content', project.id, false);
    expect(again.status).toBe(200);
    expect(again.json.data.id).toBe(created.json.data.id);
    const changed = await uploadToPath('/TO/Path/FILE.txt', 'changed');
    expect(changed.status).toBe(201);
    expect(changed.json.data.directory_id).toBe(created.json.data.directory_id);
  });

  it('puts a relative path into a directory named "." (Q14)', async () => {
    const reply = await uploadToPath('c.txt', 'relative');
    expect(reply.status).toBe(201);
    const dir = await h.call('GET', `/projects/${project.id}/directories/${reply.json.data.directory_id}`);
    expect(dir.json.data).toMatchObject({ name: '.', path: '/.' });
  });

  it('validates path and file', async () => {
    const noPath = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'file', filename: 'a', content: 'a' }],
    });
    expect(noPath.status).toBe(422);
    expect(noPath.json.errors).toEqual({ path: ['The path field is required.'] });
    const noFile = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, { form: [{ name: 'path', value: '/a.txt' }] });
    expect(noFile.status).toBe(422);
    expect(noFile.json.errors).toEqual({ file: ['The file field is required.'] });
  });

  it("404 No such project for another user's project, 401 without token", async () => {
    expect((await uploadToPath('/x.txt', 'x', bobs.id)).json).toEqual({ message: 'No such project' });
    const noToken = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      token: null,
      form: [{ name: 'path', value: '/a.txt' }, { name: 'file', filename: 'a', content: 'a' }],
    });
    expect(noToken.status).toBe(401);
  });
});

describe('POST /files', () => {
  const postFile = (fields: Record<string, string | number>, content: string, options: { fieldsFirst?: boolean; token?: string } = {}) => {
    const parts = Object.entries(fields).map(([name, value]) => ({ name, value: String(value) }));
    const file = { name: 'file', filename: 'posted.txt', content };
    return h.call('POST', '/files', {
      form: options.fieldsFirst === false ? [file, ...parts] : [...parts, file],
      ...(options.token !== undefined && { token: options.token }),
    });
  };

  it('creates a new row (201) with the description, then 200 for identical content', async () => {
    const dir = await h.mkdirs(project.id, '/posted');
    const created = await postFile({ project_id: project.id, directory_id: dir.id, description: 'a note' }, 'posted');
    expect(created.status).toBe(201);
    expect(created.json.data).toMatchObject({ name: 'posted.txt', description: 'a note', directory_id: dir.id, checksum: md5('posted') });
    const again = await postFile({ project_id: project.id, directory_id: dir.id }, 'posted', { fieldsFirst: false });
    expect(again.status).toBe(200);
    expect(again.json.data.id).toBe(created.json.data.id);
  });

  it('requires project_id, directory_id and file', async () => {
    const reply = await h.call('POST', '/files', { form: [{ name: 'description', value: 'x' }] });
    expect(reply.status).toBe(422);
    expect(Object.keys(reply.json.errors)).toEqual(['project_id', 'directory_id', 'file']);
  });

  it('checks membership of project_id and that directory_id belongs to it, wherever the fields come', async () => {
    for (const fieldsFirst of [true, false]) {
      const foreign = await postFile({ project_id: bobs.id, directory_id: bobs.rootId }, 'x', { fieldsFirst });
      expect(foreign.status).toBe(404);
      expect(foreign.json).toEqual({ message: 'No such project' });
      const mixed = await postFile({ project_id: project.id, directory_id: bobs.rootId }, 'x', { fieldsFirst });
      expect(mixed.status).toBe(404);
      expect(mixed.json).toEqual({ message: 'No such file' });
    }
    expect((await postFile({ project_id: project.id, directory_id: project.rootId }, 'x', { token: 'bad' })).status).toBe(401);
  });
});
