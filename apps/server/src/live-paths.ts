import { isDirectory, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { childPath } from './child-path.js';

// Deeper than any storable path: only a cycle gets here.
const MAX_DEPTH = 1000;

/**
 * The full project path of a row as the tree listing shows it: its names joined from the root
 * through live parent directories (`/a/b.txt`, the root `/`). Null when the row or one of its
 * ancestors is deleted, so the row is not reachable from the root (mc-api.md §5.8).
 *
 * Stored directory paths are not used: production leaves them stale in places (Q7's `//`, children
 * of deleted directories), and the tree and the change feed must agree with each other.
 */
export function livePath(store: Store, row: RowRecord): string | null {
  const names: string[] = [];
  let current = row;
  for (let depth = 0; current.directory_id !== null; depth++) {
    if (current.deleted_at !== null || depth > MAX_DEPTH) return null;
    names.push(current.name);
    const parent = store.rows.byId(current.directory_id);
    if (!parent || !isDirectory(parent) || parent.project_id !== row.project_id) return null;
    current = parent;
  }
  if (current.deleted_at !== null || !isDirectory(current)) return null;
  return names.reduceRight((path, name) => childPath(path, name), '/');
}

/** `livePath` for entries the tree lists: directories, and files only while they are the current version. */
export function treePath(store: Store, row: RowRecord): string | null {
  if (!isDirectory(row) && row.current !== 1) return null;
  return livePath(store, row);
}
