import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUser, startServer, userToken } from '../src/index.js';
import { multipartBody } from './helpers/multipart.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'mc-server-life-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('library API', () => {
  it('createUser and userToken work on a data directory without a server, and the server then accepts the token', async () => {
    const { token, email } = await createUser(dataDir, { email: 'lib@example.org', password: 'pw' });
    expect(email).toBe('lib@example.org');
    expect(userToken(dataDir, 'lib@example.org')).toBe(token);
    const server = await startServer({ dataDir, port: 0 });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/api`);
      expect(server.profile).toBe('enhanced'); // the default
      const reply = await request(`${server.url}/projects`, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
      expect(reply.statusCode).toBe(200);
      await reply.body.dump();
    } finally {
      await server.close();
    }
  });

  it('keeps data across restarts of the same data directory', async () => {
    const first = await startServer({ dataDir, port: 0 });
    const { token } = await first.createUser({ email: 'keep@example.org', password: 'pw' });
    const headers = { accept: 'application/json', authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await (await request(`${first.url}/projects`, { method: 'POST', headers, body: JSON.stringify({ name: 'Kept' }) })).body.dump();
    await first.close();
    const second = await startServer({ dataDir, port: 0 });
    try {
      const list = (await (await request(`${second.url}/projects`, { headers })).body.json()) as any;
      expect(list.data.map((p: any) => p.name)).toEqual(['Kept']);
    } finally {
      await second.close();
    }
  });
});

describe('start failures', () => {
  it('rejects when the port is taken, and the data directory stays usable', async () => {
    const first = await startServer({ dataDir, port: 0 });
    try {
      await expect(startServer({ dataDir, port: first.port })).rejects.toThrow(/EADDRINUSE/);
      expect((await first.createUser({ email: 'still@example.org', password: 'pw' })).token).toHaveLength(60);
    } finally {
      await first.close();
    }
  });
});

describe('graceful close', () => {
  it('lets an in-flight upload finish before closing', async () => {
    const server = await startServer({ dataDir, port: 0 });
    const { token } = await server.createUser({ email: 'slow@example.org', password: 'pw' });
    const headers = { accept: 'application/json', authorization: `Bearer ${token}` };
    const project = (await (
      await request(`${server.url}/projects`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Slow' }),
      })
    ).body.json()) as any;
    const form = multipartBody([{ name: 'files[]', filename: 'slow.txt', content: 'slow upload' }]);
    const body = new PassThrough();
    const upload = request(`${server.url}/projects/${project.data.id}/files/${project.data.rootDir.id}/upload`, {
      method: 'POST',
      headers: { ...headers, 'content-type': form.contentType, 'content-length': String(form.body.length) },
      body,
    });
    body.write(form.body.subarray(0, 40));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = server.close();
    body.end(form.body.subarray(40));
    const reply = await upload;
    expect(reply.statusCode).toBe(200);
    expect(((await reply.body.json()) as any).data[0].name).toBe('slow.txt');
    await closed;
  });
});
