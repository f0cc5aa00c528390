import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';
import { readChanges, readTree } from './helpers/sync.js';

describe('if_current_id on the stock routes (enhanced profile)', () => {
  let h: Harness;
  let project: { id: number; rootId: number };
  let v1: any;
  beforeAll(async () => {
    h = await Harness.start({ profile: 'enhanced' });
    project = await h.project('Preconditions');
    v1 = (await h.upload(project.id, project.rootId, [['f.txt', 'v1']])).json.data[0];
  });
  afterAll(() => h.close());

  const stale = () => v1.id + 1000;
  /** Runs `change`, expects a 409 and that neither the tree nor the feed moved. */
  const refused = async (change: () => Promise<{ status: number; json: any }>) => {
    const before = await readTree(h, project.id);
    const reply = await change();
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({ message: expect.stringMatching(/^The current version of \/.* changed since you last looked\.$/) });
    const after = await readTree(h, project.id);
    expect(after).toEqual(before);
    expect((await readChanges(h, project.id, before.cursor)).changes).toEqual([]);
  };

  it('uploads: …/upload, …/upload/{name}, upload-to-path (no folder created), POST /files', async () => {
    await refused(() => h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      form: [{ name: 'if_current_id', value: String(stale()) }, { name: 'files[]', filename: 'f.txt', content: 'v2' }],
    }));
    await refused(() => h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload/f.txt`, {
      form: [{ name: 'if_current_id', value: '0' }, { name: 'files[]', filename: 'x', content: 'v2' }],
    }));
    await refused(() => h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'if_current_id', value: '7' }, { name: 'path', value: '/new/dir/g.txt' }, { name: 'file', filename: 'x', content: 'g' }],
    }));
    await refused(() => h.call('POST', '/files', {
      form: [
        { name: 'project_id', value: String(project.id) },
        { name: 'directory_id', value: String(project.rootId) },
        { name: 'if_current_id', value: String(stale()) },
        { name: 'file', filename: 'f.txt', content: 'v2' },
      ],
    }));
  });

  it('a multi-file upload with one stale expectation stores none of its files', async () => {
    await refused(() => h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      form: [
        { name: 'if_current_id', value: '0' },
        { name: 'files[]', filename: 'brand-new.txt', content: 'n' },
        { name: 'files[]', filename: 'f.txt', content: 'v2' },
      ],
    }));
  });

  it('delete and file move/rename', async () => {
    await refused(() => h.call('DELETE', `/projects/${project.id}/files/${v1.id}?if_current_id=${stale()}`));
    const dir = await h.mkdirs(project.id, '/elsewhere');
    await refused(() => h.call('POST', `/files/${v1.id}/move`, { json: { project_id: project.id, directory_id: dir.id, if_current_id: stale() } }));
    await refused(() => h.call('POST', `/files/${v1.id}/rename`, { json: { project_id: project.id, name: 'g.txt', if_current_id: 0 } }));
  });

  it('a matching expectation goes through', async () => {
    const v2 = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'if_current_id', value: String(v1.id) }, { name: 'path', value: '/f.txt' }, { name: 'file', filename: 'x', content: 'v2' }],
    });
    expect(v2.status).toBe(201);
    const created = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'if_current_id', value: '0' }, { name: 'path', value: '/made/h.txt' }, { name: 'file', filename: 'x', content: 'h' }],
    });
    expect(created.status).toBe(201);
    const renamed = await h.call('POST', `/files/${v2.json.data.id}/rename`, { json: { project_id: project.id, name: 'renamed.txt', if_current_id: v2.json.data.id } });
    expect(renamed.status).toBe(200);
    expect((await h.call('DELETE', `/projects/${project.id}/files/${created.json.data.id}?if_current_id=${created.json.data.id}`)).status).toBe(200);
  });

  it('an upload of the bytes the current version already holds is unchanged whatever it expected (a retry whose first answer was lost)', async () => {
    const first = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'if_current_id', value: '0' }, { name: 'path', value: '/retried.txt' }, { name: 'file', filename: 'x', content: 'r1' }],
    });
    expect(first.status).toBe(201);
    const again = await h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'if_current_id', value: '0' }, { name: 'path', value: '/retried.txt' }, { name: 'file', filename: 'x', content: 'r1' }],
    });
    expect(again.status).toBe(200);
    expect(again.json.data.id).toBe(first.json.data.id);
    await refused(() => h.call('POST', `/projects/${project.id}/files/upload-to-path`, {
      form: [{ name: 'if_current_id', value: '0' }, { name: 'path', value: '/retried.txt' }, { name: 'file', filename: 'x', content: 'r2' }],
    }));
  });

  it('422 for an if_current_id that is not a non-negative integer', async () => {
    const reply = await h.call('DELETE', `/projects/${project.id}/files/${v1.id}?if_current_id=abc`);
    expect(reply.status).toBe(422);
    expect(reply.json.errors).toEqual({ if_current_id: ['The if current id field must be an integer.'] });
  });
});

describe('if_current_id on the stock profile', () => {
  it('is ignored, as production ignores unknown fields', async () => {
    const h = await Harness.start({ profile: 'stock' });
    try {
      const project = await h.project('Stock preconditions');
      const v1 = (await h.upload(project.id, project.rootId, [['f.txt', 'v1']])).json.data[0];
      const v2 = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
        form: [{ name: 'if_current_id', value: '12345' }, { name: 'files[]', filename: 'f.txt', content: 'v2' }],
      });
      expect(v2.json.data[0]).toMatchObject({ checksum: md5('v2') });
      expect((await h.call('DELETE', `/projects/${project.id}/files/${v2.json.data[0].id}?if_current_id=abc`)).status).toBe(200);
      expect(v1.id).toBeLessThan(v2.json.data[0].id);
    } finally {
      await h.close();
    }
  });
});
