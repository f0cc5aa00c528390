import type { Problem } from '@mcsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const SECRET = 'OwnerTokenOwnerTokenOwnerTokenOwnerTokenOwnerTokenOwnerToken';
const owner = { id: 1, email: 'o@x', api_token: SECRET };

function dir(id: number, name: string, path: string, parent: number | null) {
  return { id, uuid: `u${id}`, name, path, mime_type: 'directory', size: 0, checksum: '', current: true, directory_id: parent, owner };
}
function file(id: number, name: string, parent: number, extra: Record<string, unknown> = {}) {
  return {
    id, uuid: `f${id}`, name, path: null, mime_type: 'text/plain', size: 3, checksum: 'ABC00000000000000000000000000def',
    current: 1, directory_id: parent, created_at: '2025-01-01T00:00:00.000000Z', owner, directory: { id: parent, name: 'x', path: '/wrong', owner },
    ...extra,
  };
}

/** A project: / (1) → a (2) → b (3, path with "//" after a move, Q7); gone (4, deleted) → orphan (5). */
const directories = [
  dir(1, '/', '/', null),
  dir(2, 'a', '/a', 1),
  dir(3, 'b', '//a//b', 2),
  dir(5, 'orphan', '/gone/orphan', 4),
  dir(6, '..', '/..', 1),
];
const listings: Record<number, unknown[]> = {
  1: [dir(2, 'a', '/a', 1), file(10, 'top.txt', 1), file(11, 'tus.bin', 1, { checksum: '' }), file(12, '..', 1)],
  2: [dir(3, 'b', '//a//b', 2), file(20, 'Data.csv', 2, { id: 20, created_at: '2025-01-01T00:00:00.000000Z' }), file(21, 'data.csv', 2, { created_at: '2025-01-02T00:00:00.000000Z' }), file(22, 'old.txt', 2, { current: false }), file(23, 'link', 2, { mime_type: 'url', url: 'https://x' })],
  3: [file(30, 'deep.cif', 3)],
  5: [file(50, 'unreachable.txt', 5)],
};

let stub: Awaited<ReturnType<typeof startStub>>;
let client: HttpClient;
afterEach(async () => {
  await client?.close();
  await stub?.close();
});

async function setup() {
  stub = await startStub((req, res) => {
    const m = /^\/api\/projects\/7\/directories(?:\/(\d+)\/list)?$/.exec(req.url);
    if (!m) return sendJson(res, 404, { message: 'No such route' });
    if (!m[1]) return sendJson(res, 200, { data: directories });
    return sendJson(res, 200, { data: listings[Number(m[1])] ?? [] });
  });
  client = new HttpClient({ baseUrl: stub.baseUrl, token: 't' });
  return createRemoteProject({ client, projectId: 7 });
}

describe('stock snapshot', () => {
  it('builds paths from the parent directory, collapses //, ignores unreachable rows, resolves duplicates', async () => {
    const remote = await setup();
    const problems: Problem[] = [];
    const { entries } = await remote.snapshot(undefined, { onProblem: (p) => problems.push(p) });
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    expect(Object.keys(byPath).sort()).toEqual(['a', 'a/b', 'a/b/deep.cif', 'a/data.csv', 'top.txt', 'tus.bin']);
    expect(byPath['a/b']).toMatchObject({ kind: 'directory', id: 3, md5: null, size: 0 });
    expect(byPath['top.txt']).toMatchObject({ kind: 'file', id: 10, size: 3, md5: 'abc00000000000000000000000000def', createdAt: Date.UTC(2025, 0, 1) });
    expect(byPath['tus.bin']!.md5).toBeNull();
    expect(byPath['a/data.csv']!.id).toBe(21);
    expect(problems.map((p) => [p.path, p.failure])).toEqual(
      expect.arrayContaining([
        ['..', true],
        ['a/data.csv', false],
        ['a/link', false],
      ]),
    );
    expect(problems.find((p) => p.path === 'a/data.csv')!.reason).toMatch(/several current versions/);
    expect(JSON.stringify(entries)).not.toContain(SECRET);
    expect(remote.requestCount()).toBe(1 + 3);
  });

  it('lists only the directories under the prefixes', async () => {
    const remote = await setup();
    const { entries } = await remote.snapshot(['a/b']);
    expect(entries.map((e) => e.path).sort()).toEqual(['a/b', 'a/b/deep.cif']);
    expect(remote.requestCount()).toBe(2);
  });

  it('finds a single file named as a prefix by listing its parent', async () => {
    const remote = await setup();
    const { entries } = await remote.snapshot(['top.txt']);
    expect(entries.map((e) => e.path)).toEqual(['top.txt']);
  });
});
