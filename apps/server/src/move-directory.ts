import { childPath } from './child-path.js';
import { isDirectory, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { Refusal, ServerError } from './errors.js';
import { recordRelocation } from './feed.js';
import { treePath } from './live-paths.js';

/**
 * `POST /directories/{d}/move`: the directory goes under `destination` and belongs to the
 * destination's owner (mc-api.md §5.9); descendant paths are rewritten as production does, which
 * gives them a leading `//` when the destination is the root (Q7). Call inside a transaction.
 */
export function moveDirectory(store: Store, row: RowRecord, destination: RowRecord): RowRecord {
  if (row.directory_id === null) throw new Refusal(400, 'Cannot move project root directory');
  for (let at: RowRecord | undefined = destination; at; at = at.directory_id === null ? undefined : store.rows.byId(at.directory_id)) {
    if (at.id === row.id) throw new Refusal(400, 'Cannot move a directory into itself');
  }
  const newPath = childPath(destination.path ?? '/', row.name);
  return relocateDirectory(store, row, {
    parentId: destination.id,
    name: row.name,
    ownerId: destination.owner_id,
    path: newPath,
    // Production builds descendant paths as `<destination path>/<name>/…`, hence `//` under the root.
    descendantPrefix: `${destination.path ?? ''}/${row.name}`,
  });
}

/**
 * `POST /directories/{d}/rename`: descendant paths rewritten; a sibling directory of that name is
 * production's 500 (Q10). Call inside a transaction.
 */
export function renameDirectory(store: Store, row: RowRecord, name: string): RowRecord {
  if (row.directory_id === null) throw new Refusal(400, 'Cannot rename project root directory');
  const sibling = store.rows.currentChild(row.project_id, row.directory_id, name);
  if (sibling && sibling.id !== row.id && isDirectory(sibling)) throw new ServerError('rename onto an existing directory');
  const parent = store.rows.byId(row.directory_id);
  const newPath = childPath(parent?.path ?? '/', name);
  return relocateDirectory(store, row, { parentId: row.directory_id, name, path: newPath, descendantPrefix: newPath });
}

interface Place {
  parentId: number;
  name: string;
  ownerId?: number;
  path: string;
  descendantPrefix: string;
}

function relocateDirectory(store: Store, row: RowRecord, to: Place): RowRecord {
  const oldPath = treePath(store, row);
  const oldStored = row.path ?? '';
  try {
    const descendants = store.rows.descendantDirectories(row.project_id, oldStored);
    store.rows.relocate([row.id], { directoryId: to.parentId, name: to.name, ...(to.ownerId !== undefined && { ownerId: to.ownerId }) });
    store.rows.setDirectoryPath(row.id, to.name, to.path);
    for (const descendant of descendants) {
      store.rows.setDirectoryPath(descendant.id, descendant.name, to.descendantPrefix + descendant.path!.slice(oldStored.length));
    }
  } catch (error) {
    // Live directory paths are unique per project: production's database refuses the same way.
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ServerError('directory path already taken');
    throw error;
  }
  const moved = store.rows.byId(row.id)!;
  recordRelocation(store, moved, oldPath, treePath(store, moved));
  return moved;
}
