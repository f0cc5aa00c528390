import type { RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { childPath } from './child-path.js';
import type { Placed } from './feed.js';
import { livePath } from './live-paths.js';

/**
 * The tree entry a file name of a directory shows: its current version at its full path, or null
 * when there is none or the directory is not reachable from the root.
 */
export function fileSlot(store: Store, projectId: number, directoryId: number | null, name: string): Placed | null {
  if (directoryId === null) return null;
  const current = store.rows.currentVersion(projectId, directoryId, name);
  if (!current) return null;
  const directory = store.rows.byId(directoryId);
  const directoryPath = directory ? livePath(store, directory) : null;
  return directoryPath === null ? null : { row: current, path: childPath(directoryPath, current.name) };
}

/** The live versions of a row's file (same parent and name), oldest first; none for directories and the root. */
export function versionsOf(store: Store, row: RowRecord): RowRecord[] {
  return row.directory_id === null ? [] : store.rows.versions(row.project_id, row.directory_id, row.name);
}
