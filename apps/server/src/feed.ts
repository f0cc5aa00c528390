import type { NewChange } from './db/changes.js';
import { isDirectory, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { TreeWalker } from './db/tree-walk.js';

/**
 * What each mutation writes to the change feed (sync-api.md `changes`). Every function here runs
 * inside the mutation's own transaction. The feed describes the tree the `tree` listing shows
 * (live-paths.ts): a change to a row nobody can reach from the root is not recorded, and a row that
 * becomes reachable or unreachable is a `create` or a `delete`, so that a client applying the feed to
 * a listing ends with the listing of that later moment.
 */

/** A tree entry: a row and the full path it is listed at. */
export interface Placed {
  row: RowRecord;
  path: string;
}

function describe(row: RowRecord, path: string): Omit<NewChange, 'op'> {
  if (isDirectory(row)) return { kind: 'directory', rowId: row.id, path };
  return { kind: 'file', rowId: row.id, path, size: row.size, checksum: row.checksum };
}

export function recordCreate(store: Store, entry: Placed): void {
  store.changes.record(entry.row.project_id, { op: 'create', ...describe(entry.row, entry.path) });
}

/** A directory's `delete` stands for its whole subtree. */
export function recordDelete(store: Store, entry: Placed): void {
  store.changes.record(entry.row.project_id, { op: 'delete', ...describe(entry.row, entry.path) });
}

/**
 * The entry at one name of a directory (a file's current version) before and after a mutation:
 * nothing → something is a `create`, the reverse a `delete`, another row a `version`. A change of
 * spelling (`README.md` replaced by `readme.md`, one file for production's collation) is a `delete`
 * of the old path and a `create` of the new, so clients never keep both.
 */
export function recordSlot(store: Store, before: Placed | null, after: Placed | null): void {
  if (!before && !after) return;
  if (!before) return recordCreate(store, after!);
  if (!after) return recordDelete(store, before);
  if (before.path !== after.path) {
    recordDelete(store, before);
    return recordCreate(store, after);
  }
  if (before.row.id === after.row.id) return;
  store.changes.record(after.row.project_id, { op: 'version', ...describe(after.row, after.path) });
}

/**
 * A row that moved or was renamed, with its tree path before and after (null = not reachable). A
 * directory's `move` carries its subtree; a directory that becomes reachable is created with every
 * entry below it.
 */
export function recordRelocation(store: Store, row: RowRecord, oldPath: string | null, newPath: string | null): void {
  if (oldPath === newPath) return;
  if (newPath === null) return recordDelete(store, { row, path: oldPath! });
  if (oldPath === null) {
    recordCreate(store, { row, path: newPath });
    if (!isDirectory(row)) return;
    const walker = new TreeWalker(store.db, row.project_id);
    for (const node of walker.below({ id: row.id, path: newPath })) {
      store.changes.record(row.project_id, {
        op: 'create',
        kind: node.kind,
        rowId: node.id,
        path: node.path,
        ...(node.kind === 'file' && { size: node.size, checksum: node.checksum }),
      });
    }
    return;
  }
  store.changes.record(row.project_id, { op: 'move', ...describe(row, newPath), oldPath });
}
