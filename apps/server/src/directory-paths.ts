import { childPath } from './child-path.js';
import type { ProjectRecord } from './db/projects.js';
import type { NewDirectory, RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { ServerError } from './errors.js';
import { recordCreate } from './feed.js';
import { livePath } from './live-paths.js';

export { childPath };

/** The project's root directory (`name "/"`, `path "/"`); every project has one. */
export function rootOf(store: Store, project: ProjectRecord): RowRecord {
  const root = store.rows.root(project.id);
  if (!root) throw new ServerError(`project ${project.id} has no root directory`);
  return root;
}

/**
 * The directory at `path`, creating every missing level, as production's by-path routes do: the path
 * is split on `/`, empty segments are skipped and nothing else is interpreted (`.` and `..` become
 * directory names; a relative `c` is `/c`). Existing levels match by fold key and keep their spelling.
 * Call inside a transaction.
 */
export function ensureDirectoryPath(store: Store, project: ProjectRecord, path: string, ownerId: number): RowRecord {
  let directory = rootOf(store, project);
  for (const name of path.split('/')) {
    if (name === '') continue;
    const levelPath = childPath(directory.path ?? '/', name);
    directory =
      store.rows.directoryByPath(project.id, levelPath) ??
      createDirectory(store, {
        projectId: project.id,
        parentId: directory.id,
        name,
        path: levelPath,
        ownerId,
        description: null,
      });
  }
  return directory;
}

/** Inserts a directory and records its `create` in the change feed. Call inside a transaction. */
export function createDirectory(store: Store, directory: NewDirectory): RowRecord {
  const row = store.rows.insertDirectory(directory);
  const path = livePath(store, row);
  if (path !== null) recordCreate(store, { row, path });
  return row;
}
