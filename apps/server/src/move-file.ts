import { newestCurrent, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { recordDelete, recordRelocation } from './feed.js';
import { fileSlot, versionsOf } from './file-slots.js';
import { treePath } from './live-paths.js';
import { requireCurrent } from './preconditions.js';

export interface FileRelocation {
  /** The destination directory (the file's own for a rename). */
  directory: RowRecord;
  name: string;
  /** File moves give every version to the caller (mc-api.md §5.9); renames keep owners. */
  ownerId?: number;
  /**
   * Moves: the destination's current version of that name becomes a previous version of the moved
   * file (§5.9). Renames have no conflict check and leave both current (Q10).
   */
  demoteDestination: boolean;
  /** `if_current_id` (enhanced): the current version the client expects for the file it moves. */
  ifCurrentId?: number;
}

/**
 * Moves or renames a file with all its versions. The feed gets one `move` of the current version
 * (or a `create`/`delete` when it enters or leaves the reachable tree), preceded by a `delete` of a
 * destination file spelled differently that it demotes. Call inside a transaction.
 */
export function relocateFile(store: Store, row: RowRecord, to: FileRelocation): RowRecord {
  const versions = versionsOf(store, row);
  const moving = versions.some((version) => version.id === row.id) ? versions : [row];
  const current = newestCurrent(moving);
  const oldPath = current ? treePath(store, current) : null;
  requireCurrent(to.ifCurrentId, current, () => oldPath ?? row.name);

  const ids = new Set(moving.map((version) => version.id));
  let replaced = null;
  if (to.demoteDestination && current) {
    replaced = fileSlot(store, row.project_id, to.directory.id, to.name);
    if (replaced && ids.has(replaced.row.id)) replaced = null;
    for (const version of store.rows.versions(row.project_id, to.directory.id, to.name)) {
      if (!ids.has(version.id) && version.current === 1) store.rows.setCurrent(version.id, false);
    }
  }
  store.rows.relocate([...ids], { directoryId: to.directory.id, name: to.name, ...(to.ownerId !== undefined && { ownerId: to.ownerId }) });

  if (current) {
    const moved = store.rows.byId(current.id)!;
    const newPath = treePath(store, moved);
    if (replaced && replaced.path !== newPath) recordDelete(store, replaced);
    recordRelocation(store, moved, oldPath, newPath);
  }
  return store.rows.byId(row.id)!;
}
