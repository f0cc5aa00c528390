import type { Capabilities, Problem } from '@mcsync/core';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const caps = (...features: string[]): Capabilities => ({ profile: 'enhanced', features: new Set(features), limits: {} });
const M = 'd41d8cd98f00b204e9800998ecf8427e';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Writes `pieces` one by one with a pause between, so the client receives them as separate chunks. */
async function dribble(res: ServerResponse, pieces: string[]) {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const p of pieces) {
    res.write(p);
    await new Promise((r) => setTimeout(r, 5));
  }
  res.end();
}

async function remoteWith(body: (url: string) => string[] | null, features = ['tree', 'changes']) {
  const stub = await startStub(async (req, res) => {
    const pieces = body(req.url);
    if (pieces) return dribble(res, pieces);
    sendJson(res, 404, { message: 'No such route' });
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: { retries: 0 } });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, remote: createRemoteProject({ client, projectId: 7, capabilities: caps(...features) }) };
}

const line = (o: unknown) => `${JSON.stringify(o)}\n`;
const dir = (id: number, path: string) => ({ id, kind: 'directory', path, size: 0, checksum: '', created_at: '2025-01-01T00:00:00.000000Z', updated_at: '2025-01-01T00:00:00.000000Z' });
const file = (id: number, path: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'file', path, size: 3, checksum: 'ABC00000000000000000000000000DEF', created_at: '2025-01-02T00:00:00.000000Z', ...extra });

describe('tree snapshot', () => {
  it('parses a streamed listing whose lines are split across chunks, in one request, and returns the cursor', async () => {
    const text = [line(dir(2, '/a')), line(file(10, '/a/x.txt')), line(file(11, '/a/日本語.cif', { checksum: '' })), line(file(12, '//a//empty', { size: 0, checksum: M })), line({ cursor: 'c-42' })].join('');
    const cut = [7, 60, 61, 130, 150, text.length - 5];
    const pieces = [0, ...cut].map((at, i, all) => text.slice(at, all[i + 1]));
    const { stub, remote } = await remoteWith((url) => (url === '/api/projects/7/tree' ? pieces : null));
    const snap = await remote.snapshot();
    expect(snap.cursor).toBe('c-42');
    expect(snap.entries).toEqual([
      { path: 'a', kind: 'directory', id: 2, size: 0, md5: null, createdAt: Date.parse('2025-01-01T00:00:00Z') },
      { path: 'a/x.txt', kind: 'file', id: 10, size: 3, md5: 'abc00000000000000000000000000def', createdAt: Date.parse('2025-01-02T00:00:00Z') },
      { path: 'a/日本語.cif', kind: 'file', id: 11, size: 3, md5: null, createdAt: Date.parse('2025-01-02T00:00:00Z') },
      { path: 'a/empty', kind: 'file', id: 12, size: 0, md5: M, createdAt: Date.parse('2025-01-02T00:00:00Z') },
    ]);
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/projects/7/tree']);
    expect(remote.requestCount()).toBe(1);
  });

  it('reports unsafe paths through onProblem and leaves them out, with the whole subtree of an unsafe folder', async () => {
    const { remote } = await remoteWith(() => [
      line(dir(2, '/ok')),
      line(dir(3, '/ok/..')),
      line(file(30, '/ok/../escape.txt')),
      line(dir(4, '/ok/../deeper')),
      line(file(31, '/ok/nul\u0000.txt')),
      line(file(32, '/ok/fine.txt')),
      line({ cursor: 'c' }),
    ]);
    const problems: Problem[] = [];
    const snap = await remote.snapshot([''], { onProblem: (p) => problems.push(p) });
    expect(snap.entries.map((e) => e.path)).toEqual(['ok', 'ok/fine.txt']);
    expect(problems.map((p) => [p.path, p.failure])).toEqual([
      ['ok/..', true],
      ['ok/nul\\0.txt', true],
    ]);
  });

  it('resolves two lines for one name as stock does: the directory over a file, the newest of two files', async () => {
    const { remote } = await remoteWith(() => [
      line(dir(2, '/Data')),
      line(file(20, '/data', { created_at: '2025-01-01T00:00:00Z' })),
      line(file(21, '/r.md', { created_at: '2025-01-01T00:00:00Z' })),
      line(file(22, '/R.md', { created_at: '2025-01-03T00:00:00Z' })),
      line({ cursor: 'c' }),
    ]);
    const problems: Problem[] = [];
    const snap = await remote.snapshot([''], { onProblem: (p) => problems.push(p) });
    expect(snap.entries.map((e) => [e.path, e.id])).toEqual([
      ['Data', 2],
      ['R.md', 22],
    ]);
    expect(problems).toHaveLength(2);
  });

  it('fails with SERVER on a line that is not JSON or does not fit the schema, naming the line', async () => {
    for (const bad of ['{"id": 1, "kind": "file", "path": "/x"', '{"id": "1", "kind": "file", "path": "/x", "size": 1}']) {
      const { remote } = await remoteWith(() => [line(dir(2, '/a')), `${bad}\n`, line({ cursor: 'c' })]);
      const err = await remote.snapshot().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SERVER' });
      expect((err as Error).message).toMatch(/line 2/);
    }
  });

  it('fails with SERVER when the listing ends without its cursor line (a cut-short answer is not a smaller tree)', async () => {
    const { remote } = await remoteWith(() => [line(dir(2, '/a')), line(file(10, '/a/x.txt'))]);
    await expect(remote.snapshot()).rejects.toMatchObject({ code: 'SERVER', message: expect.stringMatching(/cursor/) });
  });

  it('asks one listing per prefix, dropping prefixes inside another, and keeps the first cursor', async () => {
    const { stub, remote } = await remoteWith((url) => {
      if (url === '/api/projects/7/tree?prefix=%2Fa') return [line(dir(2, '/a')), line(file(10, '/a/x.txt')), line({ cursor: 'first' })];
      if (url === '/api/projects/7/tree?prefix=%2Fb') return [line(dir(3, '/b')), line(file(11, '/bb.txt')), line({ cursor: 'second' })];
      return null;
    });
    const snap = await remote.snapshot(['a', 'b', 'a/sub']);
    expect(snap.entries.map((e) => e.path)).toEqual(['a', 'a/x.txt', 'b']);
    expect(snap.cursor).toBe('first');
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/projects/7/tree?prefix=%2Fa', '/api/projects/7/tree?prefix=%2Fb']);
  });

  it('looks a prefix that is not a directory up by path: a file, or nothing', async () => {
    const { stub, remote } = await remoteWith((url) => (url === '/api/projects/7/tree?prefix=%2Fa' ? [line(dir(2, '/a')), line({ cursor: 'c' })] : null));
    const snap = await remote.snapshot(['a', 'f.txt', 'missing']);
    expect(snap.entries.map((e) => [e.path, e.kind])).toEqual([['a', 'directory']]);
    expect(stub.requests.map((r) => r.url)).toEqual([
      '/api/projects/7/tree?prefix=%2Fa',
      '/api/projects/7/tree?prefix=%2Ff.txt',
      '/api/files/by_path',
      '/api/projects/7/tree?prefix=%2Fmissing',
      '/api/files/by_path',
    ]);
  });

  it('falls back to the stock listing when `tree` is not listed', async () => {
    const root = { id: 1, uuid: 'r', name: '/', path: '/', mime_type: 'directory', directory_id: null };
    const stub = await startStub((req, res) => {
      if (req.url === '/api/projects/7/directories') return sendJson(res, 200, { data: [root] });
      if (req.url === '/api/projects/7/directories/1/list') return sendJson(res, 200, { data: [] });
      sendJson(res, 404, { message: 'No such route' });
    });
    const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't' });
    cleanup.push(() => stub.close(), () => client.close());
    const remote = createRemoteProject({ client, projectId: 7, capabilities: caps('changes', 'bulk-upload') });
    expect(await remote.snapshot()).toEqual({ entries: [], cursor: null });
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/projects/7/directories', '/api/projects/7/directories/1/list']);
  });
});
