import { isDirectory, newestCurrent, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { ServerError } from './errors.js';
import { recordDelete, recordSlot } from './feed.js';
import { fileSlot, versionsOf } from './file-slots.js';
import { treePath } from './live-paths.js';
import { requireCurrent } from './preconditions.js';

/**
 * `DELETE /projects/{p}/files/{f}`: soft-deletes the file and all its versions (mc-api.md §5.8);
 * the feed gets a `delete` of the current version. With `ifCurrentId` (enhanced), refuses (409)
 * unless the current version is that one; then a non-current `row` is production's 500 (Q3).
 * Call inside a transaction.
 */
export function deleteFile(store: Store, row: RowRecord, ifCurrentId?: number): void {
  const versions = isDirectory(row) ? [] : versionsOf(store, row);
  const shown = isDirectory(row) ? row : newestCurrent(versions);
  const path = shown ? treePath(store, shown) : null;
  if (!isDirectory(row)) requireCurrent(ifCurrentId, shown, () => path ?? row.name);
  if (row.current !== 1) throw new ServerError('delete of a non-current version');
  for (const version of versions) store.rows.softDelete(version.id);
  if (row.deleted_at === null && !versions.some((version) => version.id === row.id)) store.rows.softDelete(row.id);
  if (shown && path !== null) recordDelete(store, { row: shown, path });
}

/**
 * `DELETE /projects/{p}/directories/{d}`: soft-deletes that row only, whatever it is (Q6). A
 * directory's `delete` stands for its subtree, which is no longer reachable; a file version is a
 * change only when it was the current one. Call inside a transaction.
 */
export function deleteRowOnly(store: Store, row: RowRecord): void {
  if (row.deleted_at !== null) return;
  if (isDirectory(row)) {
    const path = treePath(store, row);
    store.rows.softDelete(row.id);
    if (path !== null) recordDelete(store, { row, path });
    return;
  }
  const before = fileSlot(store, row.project_id, row.directory_id, row.name);
  store.rows.softDelete(row.id);
  recordSlot(store, before, fileSlot(store, row.project_id, row.directory_id, row.name));
}
