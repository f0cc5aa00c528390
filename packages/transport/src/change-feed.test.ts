import type { Capabilities, Problem } from '@mcsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const caps = (...features: string[]): Capabilities => ({ profile: 'enhanced', features: new Set(features), limits: {} });
const AT = '2025-03-01T12:00:00.000000Z';
const ms = Date.parse('2025-03-01T12:00:00Z');

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function feed(pages: Record<string, { status?: number; body: unknown }>, features = ['tree', 'changes']) {
  const stub = await startStub((req, res) => {
    const url = new URL(req.url, 'http://x');
    const page = url.pathname === '/api/projects/7/changes' ? pages[url.searchParams.get('cursor') ?? ''] : undefined;
    if (!page) return sendJson(res, 404, { message: 'No such route' });
    sendJson(res, page.status ?? 200, page.body);
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: { retries: 0 } });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, remote: createRemoteProject({ client, projectId: 7, capabilities: caps(...features) }) };
}

describe('changesSince', () => {
  it('follows `more` pages (limit 5000) and maps changes to relative paths, md5 "" → null, times in ms', async () => {
    const { stub, remote } = await feed({
      c1: {
        body: {
          data: [
            { seq: 1, op: 'create', id: 10, kind: 'file', path: '/a/x.txt', size: 3, checksum: 'ABC00000000000000000000000000DEF', at: AT },
            { seq: 2, op: 'create', id: 2, kind: 'directory', path: '/b', at: AT },
          ],
          cursor: 'c2',
          more: true,
        },
      },
      c2: {
        body: {
          data: [
            { seq: 3, op: 'version', id: 11, kind: 'file', path: '/a/x.txt', size: 0, checksum: '', at: AT },
            { seq: 4, op: 'move', id: 2, kind: 'directory', path: '/c', old_path: '/b', at: AT },
            { seq: 5, op: 'delete', id: 11, kind: 'file', path: '//a//x.txt', at: AT },
          ],
          cursor: 'c3',
          more: false,
        },
      },
    });
    const changes = await remote.changesSince('c1');
    expect(changes).toEqual({
      expired: false,
      cursor: 'c3',
      changes: [
        { seq: 1, op: 'create', id: 10, kind: 'file', path: 'a/x.txt', size: 3, md5: 'abc00000000000000000000000000def', at: ms },
        { seq: 2, op: 'create', id: 2, kind: 'directory', path: 'b', at: ms },
        { seq: 3, op: 'version', id: 11, kind: 'file', path: 'a/x.txt', size: 0, md5: null, at: ms },
        { seq: 4, op: 'move', id: 2, kind: 'directory', path: 'c', oldPath: 'b', at: ms },
        { seq: 5, op: 'delete', id: 11, kind: 'file', path: 'a/x.txt', md5: null, at: ms },
      ],
    });
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/projects/7/changes?cursor=c1&limit=5000', '/api/projects/7/changes?cursor=c2&limit=5000']);
  });

  it('answers expired on 410, so the caller takes a snapshot', async () => {
    const { remote } = await feed({ old: { status: 410, body: { message: 'cursor expired' } } });
    expect(await remote.changesSince('old')).toEqual({ expired: true });
  });

  it('drops changes at unsafe paths (reported), turns a move out of view into a delete, and a folder moved into view into a resync', async () => {
    const problems: Problem[] = [];
    const { remote } = await feed({
      c1: {
        body: {
          data: [
            { seq: 1, op: 'create', id: 10, kind: 'file', path: '/../x', size: 1, checksum: '', at: AT },
            { seq: 2, op: 'move', id: 11, kind: 'file', path: '/../y', old_path: '/y', at: AT },
            { seq: 3, op: 'move', id: 12, kind: 'file', path: '/z', old_path: '/../z', size: 1, checksum: '', at: AT },
          ],
          cursor: 'c2',
          more: false,
        },
      },
      c3: { body: { data: [{ seq: 4, op: 'move', id: 13, kind: 'directory', path: '/d', old_path: '/../d', at: AT }], cursor: 'c4', more: false } },
    });
    const changes = await remote.changesSince('c1', { onProblem: (p) => problems.push(p) });
    expect(changes).toEqual({
      expired: false,
      cursor: 'c2',
      changes: [
        { seq: 2, op: 'delete', id: 11, kind: 'file', path: 'y', at: ms },
        { seq: 3, op: 'create', id: 12, kind: 'file', path: 'z', size: 1, md5: null, at: ms },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual(['../x', '../y']);
    expect(await remote.changesSince('c3')).toEqual({ expired: true });
  });

  it('fails with SERVER on an answer that does not fit the schema', async () => {
    const { remote } = await feed({ c1: { body: { data: [{ seq: 1, op: 'rename', id: 1, kind: 'file', path: '/x', at: AT }], cursor: 'c2', more: false } } });
    await expect(remote.changesSince('c1')).rejects.toMatchObject({ code: 'SERVER' });
  });

  it('is null without `changes` (no request)', async () => {
    const { stub, remote } = await feed({}, ['tree']);
    expect(await remote.changesSince('c1')).toBeNull();
    expect(stub.requests).toHaveLength(0);
  });
});
