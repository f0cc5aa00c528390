import type { Capabilities, RemoveItem, RemoveResult } from '@mcsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const file = (id: number, path: string): RemoveItem => ({ path, remote: { path, kind: 'file', id, size: 1, md5: null } });
const folder = (id: number, path: string): RemoveItem => ({ path, remote: { path, kind: 'directory', id, size: 0, md5: null } });
const row = (id: number, name: string) => ({ id, uuid: `u${id}`, name, mime_type: 'text/plain', directory_id: 1, current: true });

/** Files 10 (current), 11 (replaced by 12 meanwhile), 13 (gone); folder 2 empty, folder 3 not. */
async function setup(capabilities?: Capabilities) {
  const stub = await startStub((req, res) => {
    const url = new URL(req.url, 'http://x');
    const del = /^\/api\/projects\/7\/files\/(\d+)$/.exec(url.pathname);
    if (req.method === 'DELETE' && del) {
      const id = Number(del[1]);
      const want = url.searchParams.get('if_current_id');
      if (id === 13) return sendJson(res, 404, { message: 'No such file' });
      if (id === 11 && capabilities) return sendJson(res, 409, { message: 'not the current version' });
      expect(want).toBe(String(id));
      return res.end();
    }
    if (req.url === '/api/files/by_path') {
      const path = JSON.parse(req.body.toString()).path as string;
      if (path === '/gone.txt') return sendJson(res, 404, { message: 'No such file' });
      return sendJson(res, 200, { data: path === '/b.txt' ? row(12, 'b.txt') : row(10, 'a.txt') });
    }
    if (req.url === '/api/projects/7/directories/2/list') return sendJson(res, 200, { data: [] });
    if (req.url === '/api/projects/7/directories/3/list') return sendJson(res, 200, { data: [row(30, 'new.txt')] });
    if (req.method === 'DELETE' && req.url === '/api/projects/7/directories/2') return res.end();
    sendJson(res, 404, { message: 'No such route' });
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: { ...FAST_RETRY, retries: 0 } });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, remote: createRemoteProject({ client, projectId: 7, ...(capabilities ? { capabilities } : {}) }) };
}

async function all(it: AsyncIterable<RemoveResult>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const r of it) out[r.path] = r.ok ? 'ok' : r.error.code;
  return out;
}

const items = [file(10, 'a.txt'), file(11, 'b.txt'), file(13, 'gone.txt'), folder(2, 'empty'), folder(3, 'busy')];
const expected = { 'a.txt': 'ok', 'b.txt': 'CONFLICT', 'gone.txt': 'ok', empty: 'ok', busy: 'CONFLICT' };

describe('remove', () => {
  it('on stock re-reads each file by path before deleting it, and checks each folder is empty', async () => {
    const { stub, remote } = await setup();
    expect(await all(remote.remove(items))).toEqual(expected);
    expect(stub.requests.filter((r) => r.url === '/api/files/by_path')).toHaveLength(3);
  });

  it('with preconditions lets the server refuse a replaced file (409 → CONFLICT) without re-reading any by path', async () => {
    const { stub, remote } = await setup({ profile: 'enhanced', features: new Set(['tree', 'preconditions']), limits: {} });
    expect(await all(remote.remove(items))).toEqual(expected);
    expect(stub.requests.filter((r) => r.url === '/api/files/by_path')).toHaveLength(0);
    expect(stub.requests.filter((r) => r.method === 'DELETE').map((r) => r.url)).toContain('/api/projects/7/files/11?force=1&if_current_id=11');
    // folders are still checked for emptiness before their delete
    expect(stub.requests.map((r) => r.url)).toContain('/api/projects/7/directories/3/list');
  });
});
