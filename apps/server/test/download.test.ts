import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, md5 } from './helpers/harness.js';

let h: Harness;
let project: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start();
  project = await h.project('Downloads');
});
afterAll(() => h.close());

const download = (fileId: number, headers: Record<string, string> = {}, projectId = project.id) =>
  h.call('GET', `/projects/${projectId}/files/${fileId}/download`, { headers });

describe('GET /projects/{project}/files/{file}/download', () => {
  const bytes = randomBytes(200_000);
  let file: any;
  beforeAll(async () => {
    file = (await h.upload(project.id, project.rootId, [['data.bin', bytes]])).json.data[0];
  });

  it('sends the bytes with production headers and no ETag', async () => {
    const reply = await download(file.id);
    expect(reply.status).toBe(200);
    expect(md5(reply.body)).toBe(md5(bytes));
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.headers['content-length']).toBe(String(bytes.length));
    expect(reply.headers['content-disposition']).toBe('attachment; filename=data.bin');
    expect(reply.headers['accept-ranges']).toBe('bytes');
    expect(new Date(String(reply.headers['last-modified'])).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(reply.headers).not.toHaveProperty('etag');
  });

  it('resumes with Range: bytes=N- (206 + Content-Range) and serves N-M and suffix ranges', async () => {
    const tail = await download(file.id, { range: 'bytes=150000-' });
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe(`bytes 150000-${bytes.length - 1}/${bytes.length}`);
    expect(tail.body.equals(bytes.subarray(150000))).toBe(true);
    const middle = await download(file.id, { range: 'bytes=10-19' });
    expect(middle.status).toBe(206);
    expect(middle.headers['content-length']).toBe('10');
    expect(middle.body.equals(bytes.subarray(10, 20))).toBe(true);
    const suffix = await download(file.id, { range: 'bytes=-5' });
    expect(suffix.body.equals(bytes.subarray(bytes.length - 5))).toBe(true);
  });

  it('gives each range its own Content-Length and clamps an end past the file', async () => {
    const tail = await download(file.id, { range: 'bytes=150000-' });
    expect(tail.headers['content-length']).toBe(String(bytes.length - 150000));
    const past = await download(file.id, { range: `bytes=199990-300000` });
    expect(past.status).toBe(206);
    expect(past.headers['content-range']).toBe(`bytes 199990-${bytes.length - 1}/${bytes.length}`);
    expect(past.headers['content-length']).toBe('10');
    expect(past.body.equals(bytes.subarray(199990))).toBe(true);
    const last = await download(file.id, { range: `bytes=${bytes.length - 1}-` });
    expect(last.body.equals(bytes.subarray(bytes.length - 1))).toBe(true);
  });

  it('416 for a range past the end', async () => {
    const reply = await download(file.id, { range: `bytes=${bytes.length}-` });
    expect(reply.status).toBe(416);
    expect(reply.headers['content-range']).toBe(`bytes */${bytes.length}`);
  });

  it('sniffs text and names non-ASCII files with filename*', async () => {
    const text = (await h.upload(project.id, project.rootId, [['résumé 1.txt', 'plain text\n']])).json.data[0];
    const reply = await download(text.id);
    expect(reply.text).toBe('plain text\n');
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.headers['content-disposition']).toBe(`attachment; filename="r_sum_ 1.txt"; filename*=utf-8''r%C3%A9sum%C3%A9%201.txt`);
  });

  it('downloads an empty file', async () => {
    const empty = (await h.upload(project.id, project.rootId, [['empty', '']])).json.data[0];
    const reply = await download(empty.id);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe('0');
    expect(reply.body.length).toBe(0);
  });

  it('downloads old versions too; identical content shares one Last-Modified', async () => {
    const v1 = (await h.upload(project.id, project.rootId, [['ver.txt', 'first']])).json.data[0];
    await h.upload(project.id, project.rootId, [['ver.txt', 'second']]);
    expect((await download(v1.id)).text).toBe('first');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const twin = (await h.upload(project.id, project.rootId, [['twin.txt', 'first']])).json.data[0];
    expect((await download(twin.id)).headers['last-modified']).toBe((await download(v1.id)).headers['last-modified']);
  });

  it('500 for a directory id (Q4)', async () => {
    const reply = await download(project.rootId);
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ message: 'Server Error' });
  });

  it("checks authentication, membership and the file's project", async () => {
    expect((await h.call('GET', `/projects/${project.id}/files/${file.id}/download`, { token: null })).status).toBe(401);
    const bobs = await h.project('Bob downloads', h.bob.token);
    const bobFile = (await h.upload(bobs.id, bobs.rootId, [['secret.txt', 'secret']], h.bob.token)).json.data[0];
    expect((await download(bobFile.id, {}, bobs.id)).json).toEqual({ message: 'No such project' });
    expect((await download(bobFile.id)).json).toEqual({ message: 'No such file' });
    expect((await download(99999999)).json).toEqual({ data: 'Resource not found' });
  });
});
