import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Store } from '../db/store.js';
import { embedRows } from './embed.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-server-embed-'));
  store = Store.open(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function seed() {
  const owner = store.users.insert({ email: 'o@example.org', name: 'Owner', passwordHash: 'x', token: 'T'.repeat(60) });
  const other = store.users.insert({ email: 'p@example.org', name: 'Other', passwordHash: 'x', token: 'U'.repeat(60) });
  const project = store.projects.insert({ name: 'P', description: null, summary: null, isActive: true, ownerId: owner.id });
  const root = store.rows.insertDirectory({ projectId: project.id, parentId: null, name: '/', path: '/', ownerId: owner.id, description: null });
  return { owner, other, project, root };
}

describe('embedRows', () => {
  it('embeds owners and parents of 500 rows with one query each', () => {
    const { owner, other, project, root } = seed();
    store.transaction(() => {
      for (let i = 0; i < 500; i++) {
        store.rows.insertFileVersion({
          projectId: project.id, directoryId: root.id, name: `f${i}`, mimeType: 'text/plain', size: 1,
          checksum: 'c'.repeat(32), ownerId: i % 2 ? owner.id : other.id, description: '', usesUuid: null, usesId: null,
        });
      }
    });
    const rows = store.rows.children(project.id, root.id, 'name');
    const users = vi.spyOn(store.users, 'byIds');
    const parents = vi.spyOn(store.rows, 'byIds');
    const json = embedRows(store, rows, { owner: true, directory: true });
    expect(json).toHaveLength(500);
    expect(users).toHaveBeenCalledTimes(1);
    expect(parents).toHaveBeenCalledTimes(1);
    expect(json[0]!.directory).toMatchObject({ id: root.id, path: '/' });
    expect(new Set(json.map((row) => (row.owner as { id: number }).id))).toEqual(new Set([owner.id, other.id]));
  });

  it('takes parents from the listing itself when it holds them (all directories)', () => {
    const { owner, project, root } = seed();
    let parent = root;
    store.transaction(() => {
      for (let i = 0; i < 50; i++) {
        parent = store.rows.insertDirectory({
          projectId: project.id, parentId: parent.id, name: `d${i}`, path: `${parent.path === '/' ? '' : parent.path}/d${i}`,
          ownerId: owner.id, description: null,
        });
      }
    });
    const parents = vi.spyOn(store.rows, 'byIds');
    const json = embedRows(store, store.rows.directories(project.id, 'id'), { owner: true, directory: true });
    expect(json).toHaveLength(51);
    expect(parents).toHaveBeenCalledTimes(1);
    expect(parents.mock.calls[0]![0]).toEqual([]);
    expect(json.at(-1)!.directory).toMatchObject({ name: 'd48' });
  });
});
