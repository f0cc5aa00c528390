import type { RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { recordSlot } from './feed.js';
import { fileSlot, versionsOf } from './file-slots.js';

/**
 * `PUT …/files/{f}/make_active`: this row becomes current and the other versions of its name do not,
 * with nothing checked (Q18: a directory or a deleted row is taken as it is). The feed gets what the
 * tree shows at that name afterwards (usually a `version`). Call inside a transaction.
 */
export function makeActive(store: Store, row: RowRecord): RowRecord {
  const before = fileSlot(store, row.project_id, row.directory_id, row.name);
  for (const version of versionsOf(store, row)) {
    if (version.id !== row.id && version.current === 1) store.rows.setCurrent(version.id, false);
  }
  if (row.current !== 1) store.rows.setCurrent(row.id, true);
  recordSlot(store, before, fileSlot(store, row.project_id, row.directory_id, row.name));
  return store.rows.byId(row.id)!;
}
