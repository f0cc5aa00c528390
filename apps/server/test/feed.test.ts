import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/index.js';
import { Harness, md5 } from './helpers/harness.js';
import { applyChanges, comparable, readChanges, readTree, treeMap } from './helpers/sync.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start({ profile: 'enhanced' });
});
afterAll(() => h.close());

const uploadTo = async (projectId: number, path: string, content: string) => {
  const reply = await h.call('POST', `/projects/${projectId}/files/upload-to-path`, {
    form: [{ name: 'path', value: path }, { name: 'file', filename: 'x', content }],
  });
  if (reply.status >= 300) throw new Error(`upload ${path}: ${reply.status} ${reply.text}`);
  return reply.json.data;
};
const byPath = async (projectId: number, path: string) =>
  (await h.call('POST', '/files/by_path', { json: { project_id: projectId, path } })).json.data;
const ok = (reply: { status: number; text: string }) => {
  if (reply.status !== 200) throw new Error(`${reply.status} ${reply.text}`);
  return reply;
};

/** The feed as readable tuples: op, kind, path (and old path), id. */
const summary = (changes: ReadonlyArray<{ op: string; kind: string; path: string; old_path?: string | null; id: number }>) =>
  changes.map((c) => [c.op, c.kind, c.old_path ? `${c.old_path} -> ${c.path}` : c.path, c.id]);

describe('the change feed after a scripted sequence of operations', () => {
  let project: { id: number; rootId: number };
  const ids: Record<string, number> = {};
  let midCursor: string;

  beforeAll(async () => {
    project = await h.project('Feed script');
    const v1 = await uploadTo(project.id, '/docs/a.txt', 'v1');
    ids.docs = v1.directory_id;
    ids.v1 = v1.id;
    ids.v2 = (await uploadTo(project.id, '/docs/a.txt', 'v2')).id;
    await uploadTo(project.id, '/docs/a.txt', 'v1'); // rule 2: the first version is current again
    ids.b = (await uploadTo(project.id, '/docs/b.txt', 'bee')).id;
    ok(await h.call('DELETE', `/projects/${project.id}/files/${ids.b}`));
    midCursor = (await readTree(h, project.id)).cursor;
    ids.other = (await h.mkdirs(project.id, '/other')).id;
    ok(await h.call('POST', `/files/${ids.v1}/move`, { json: { project_id: project.id, directory_id: ids.other } }));
    ok(await h.call('POST', `/directories/${ids.docs}/move`, { json: { project_id: project.id, to_directory_id: ids.other } }));
    ok(await h.call('POST', `/files/${ids.v1}/rename`, { json: { project_id: project.id, name: 'renamed.txt' } }));
    ok(await h.call('POST', `/directories/${ids.other}/rename`, { json: { project_id: project.id, name: 'archive' } }));
    ok(await h.call('PUT', `/projects/${project.id}/files/${ids.v2}/make_active`, { json: {} }));
    ok(await h.call('DELETE', `/projects/${project.id}/directories/${ids.docs}`));
  });

  it('lists every change in order, with full paths, one per directory move or delete', async () => {
    const { changes, cursor } = await readChanges(h, project.id, '0');
    expect(summary(changes)).toEqual([
      ['create', 'directory', '/docs', ids.docs],
      ['create', 'file', '/docs/a.txt', ids.v1],
      ['version', 'file', '/docs/a.txt', ids.v2],
      ['version', 'file', '/docs/a.txt', ids.v1], // the re-activation production's file-changes-since never shows
      ['create', 'file', '/docs/b.txt', ids.b],
      ['delete', 'file', '/docs/b.txt', ids.b],
      ['create', 'directory', '/other', ids.other],
      ['move', 'file', '/docs/a.txt -> /other/a.txt', ids.v1],
      ['move', 'directory', '/docs -> /other/docs', ids.docs],
      ['move', 'file', '/other/a.txt -> /other/renamed.txt', ids.v1],
      ['move', 'directory', '/other -> /archive', ids.other],
      ['version', 'file', '/archive/renamed.txt', ids.v2],
      ['delete', 'directory', '/archive/docs', ids.docs],
    ]);
    expect(changes.map((c) => c.seq)).toEqual(changes.map((_, i) => i + 1));
    expect(cursor).toBe(String(changes.length));
    expect(changes[1]).toMatchObject({ size: 2, checksum: md5('v1') });
    expect(changes[2]).toMatchObject({ size: 2, checksum: md5('v2') });
    expect(changes[0]).not.toHaveProperty('size');
    expect(changes[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  it('gives from a tree cursor exactly the operations made after that listing', async () => {
    const { changes } = await readChanges(h, project.id, midCursor);
    expect(changes[0]).toMatchObject({ op: 'create', path: '/other' });
    expect(changes).toHaveLength(7);
  });

  it('replayed on the listing it started from, ends at the current listing', async () => {
    const now = await readTree(h, project.id);
    const { changes, cursor } = await readChanges(h, project.id, '0');
    expect(cursor).toBe(now.cursor);
    expect(comparable(applyChanges(new Map(), changes))).toEqual(comparable(treeMap(now.entries)));
    expect(now.entries.map((e) => e.path)).toEqual(['/archive', '/archive/renamed.txt']);
  });

  it('pages with limit, cursor and more', async () => {
    const first = await h.call('GET', `/projects/${project.id}/changes?cursor=0&limit=5`);
    expect(first.json).toMatchObject({ cursor: '5', more: true });
    expect(first.json.data).toHaveLength(5);
    const all = await readChanges(h, project.id, '0', 4);
    expect(all.changes.map((c) => c.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const atHead = await h.call('GET', `/projects/${project.id}/changes?cursor=13`);
    expect(atHead.json).toEqual({ data: [], cursor: '13', more: false });
  });
});

describe('what the feed and the tree agree on', () => {
  it('a file replaced through a differently spelled name is a delete and a create (one file for production)', async () => {
    const project = await h.project('Spelling');
    const first = await uploadTo(project.id, '/README.md', 'one');
    const second = await uploadTo(project.id, '/readme.md', 'two');
    const { changes } = await readChanges(h, project.id, '0');
    expect(summary(changes)).toEqual([
      ['create', 'file', '/README.md', first.id],
      ['delete', 'file', '/README.md', first.id],
      ['create', 'file', '/readme.md', second.id],
    ]);
    expect((await readTree(h, project.id)).entries.map((e) => e.path)).toEqual(['/readme.md']);
  });

  it('children of a deleted directory leave the tree and the feed (Q6), even when uploads still reach them by path', async () => {
    const project = await h.project('Orphans');
    await uploadTo(project.id, '/a/b/c.txt', 'c');
    const a = await byPath(project.id, '/a');
    ok(await h.call('DELETE', `/projects/${project.id}/directories/${a.id}`));
    const { cursor } = await readTree(h, project.id);
    // Production finds the old /a/b by path and stores the file there: invisible from the root.
    await uploadTo(project.id, '/a/b/d.txt', 'd');
    const after = await readTree(h, project.id);
    expect(after.entries.map((e) => e.path)).toEqual(['/a']);
    const { changes } = await readChanges(h, project.id, cursor);
    expect(summary(changes)).toEqual([['create', 'directory', '/a', expect.any(Number)]]);
  });

  it('a directory that becomes reachable again is created with its whole subtree', async () => {
    const project = await h.project('Rescue');
    await uploadTo(project.id, '/lost/keep/x.txt', 'x');
    const lost = await byPath(project.id, '/lost');
    const keep = await byPath(project.id, '/lost/keep');
    ok(await h.call('DELETE', `/projects/${project.id}/directories/${lost.id}`));
    const { cursor, entries } = await readTree(h, project.id);
    expect(entries).toEqual([]);
    ok(await h.call('POST', `/directories/${keep.id}/move`, { json: { project_id: project.id, to_directory_id: project.rootId } }));
    const now = await readTree(h, project.id);
    expect(now.entries.map((e) => e.path)).toEqual(['/keep', '/keep/x.txt']);
    const { changes } = await readChanges(h, project.id, cursor);
    expect(summary(changes)).toEqual([
      ['create', 'directory', '/keep', keep.id],
      ['create', 'file', '/keep/x.txt', expect.any(Number)],
    ]);
  });

  it('a file moved onto an existing name replaces it in the tree and the feed (§5.9)', async () => {
    const project = await h.project('Replace');
    const moving = await uploadTo(project.id, '/from/f.txt', 'new');
    const existing = await uploadTo(project.id, '/to/f.txt', 'old');
    const { cursor } = await readTree(h, project.id);
    ok(await h.call('POST', `/files/${moving.id}/move`, { json: { project_id: project.id, directory_id: existing.directory_id } }));
    const now = await readTree(h, project.id);
    expect(now.entries.filter((e) => e.kind === 'file').map((e) => [e.path, e.id])).toEqual([['/to/f.txt', moving.id]]);
    const { changes } = await readChanges(h, project.id, cursor);
    expect(summary(changes)).toEqual([['move', 'file', '/from/f.txt -> /to/f.txt', moving.id]]);
  });
});

describe('GET /projects/{p}/changes: errors', () => {
  it('422 for a missing or malformed cursor or limit', async () => {
    const project = await h.project('Changes errors');
    for (const query of ['', '?cursor=abc', '?cursor=-1', '?cursor=1.5', '?cursor=0&limit=0', '?cursor=0&limit=x']) {
      const reply = await h.call('GET', `/projects/${project.id}/changes${query}`);
      expect(reply.status, query).toBe(422);
      expect(reply.json.errors).toBeTypeOf('object');
    }
  });

  it('410 for a cursor ahead of the feed (another server) and caps limit at 5000', async () => {
    const project = await h.project('Changes ahead');
    const ahead = await h.call('GET', `/projects/${project.id}/changes?cursor=5`);
    expect(ahead.status).toBe(410);
    expect(ahead.json).toEqual({ message: 'cursor expired; list the tree again' });
    expect((await h.call('GET', `/projects/${project.id}/changes?cursor=0&limit=999999`)).status).toBe(200);
  });

  it('401 without a token, 404 for another user\'s project or an unknown one', async () => {
    const bobs = await h.project('Bob feed', h.bob.token);
    expect((await h.call('GET', `/projects/${bobs.id}/changes?cursor=0`, { token: null })).status).toBe(401);
    expect((await h.call('GET', `/projects/${bobs.id}/changes?cursor=0`)).json).toEqual({ message: 'No such project' });
    expect((await h.call('GET', `/projects/99999/changes?cursor=0`)).json).toEqual({ data: 'Resource not found' });
  });
});

describe('retention', () => {
  it('keeps the last N changes per project; a cursor before them is 410, one inside them works', async () => {
    const small = await Harness.start({ profile: 'enhanced', changesRetention: 3 });
    try {
      const project = await small.project('Retained');
      const other = await small.project('Untouched');
      await small.mkdirs(project.id, '/a/b/c/d/e');
      expect((await small.call('GET', `/projects/${project.id}/changes?cursor=1`)).status).toBe(410);
      const kept = await small.call('GET', `/projects/${project.id}/changes?cursor=2`);
      expect(kept.json.data.map((c: any) => c.seq)).toEqual([3, 4, 5]);
      expect((await small.call('GET', `/projects/${other.id}/changes?cursor=0`)).json).toEqual({ data: [], cursor: '0', more: false });
    } finally {
      await small.close();
    }
  });
});

describe('recorded in both profiles, served by enhanced only', () => {
  it('changes made while the data directory was served as stock are in the feed once served as enhanced', async () => {
    const stock = await Harness.start({ profile: 'stock' });
    const project = await stock.project('Both profiles');
    await stock.mkdirs(project.id, '/made/under/stock');
    expect((await stock.call('GET', `/projects/${project.id}/changes?cursor=0`)).status).toBe(404);
    const dataDir = stock.dataDir;
    await stock.close({ keepData: true });
    const enhanced = await startServer({ dataDir, port: 0, profile: 'enhanced' });
    try {
      const { request } = await import('undici');
      const reply = await request(`${enhanced.url}/projects/${project.id}/changes?cursor=0`, {
        headers: { accept: 'application/json', authorization: `Bearer ${stock.alice.token}` },
      });
      const body = (await reply.body.json()) as any;
      expect(body.data.map((c: any) => c.path)).toEqual(['/made', '/made/under', '/made/under/stock']);
    } finally {
      await enhanced.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
