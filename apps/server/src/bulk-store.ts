import type { ManifestEntry } from '@mcsync/protocol';
import { splitPath } from './bulk-manifest.js';
import type { ProjectRecord } from './db/projects.js';
import type { Store } from './db/store.js';
import type { UserRecord } from './db/users.js';
import { ensureDirectoryPath } from './directory-paths.js';
import { HttpError, PreconditionFailed, ServerError } from './errors.js';
import { storeVersion, type Content } from './record-upload.js';
import { rowJson, type RowJson } from './serialize/row.js';

/** One BulkResultEntrySchema entry. */
export interface BulkResult {
  path: string;
  status: 'created' | 'unchanged' | 'conflict' | 'failed' | 'need_bytes';
  file?: RowJson;
  error?: string;
}

/**
 * Stores entries whose content is in the blob store, each on its own (`storeEntry`), all inside one
 * outer transaction: each entry's own transaction becomes a savepoint, so a failed entry rolls back
 * alone, and 500 entries cost one commit instead of 500.
 */
export function storeEntries(
  store: Store,
  access: { user: UserRecord; project: ProjectRecord },
  items: ReadonlyArray<{ entry: ManifestEntry; content: Content }>,
  logError: (message: string) => void,
): BulkResult[] {
  return store.transaction(() => items.map(({ entry, content }) => storeEntry(store, access, entry, content, logError)));
}

/**
 * Stores one entry of a bulk upload or a by-checksum request whose content is in the blob store:
 * missing directories (owned by the project owner, as the HTTP by-path routes make them) and the
 * version, in one transaction, under the single-upload rules (mc-api.md §5.1). A failed precondition
 * is a `conflict`, any other refusal a `failed`: the entry changes nothing and the others go on.
 */
export function storeEntry(
  store: Store,
  access: { user: UserRecord; project: ProjectRecord },
  entry: ManifestEntry,
  content: Content,
  logError: (message: string) => void,
): BulkResult {
  const { directory, name } = splitPath(entry.path);
  try {
    const { row, created } = store.transaction(() =>
      storeVersion(
        store,
        {
          projectId: access.project.id,
          directory: () => ensureDirectoryPath(store, access.project, directory, access.project.owner_id),
          name,
          ownerId: access.user.id,
          ...(entry.if_current_id !== undefined && { ifCurrentId: entry.if_current_id }),
        },
        content,
      ),
    );
    return { path: entry.path, status: created ? 'created' : 'unchanged', file: rowJson(row) };
  } catch (error) {
    if (error instanceof PreconditionFailed) return { path: entry.path, status: 'conflict', error: error.message };
    // Our own refusals say what went wrong (a name too long to store, …); anything else is a bug.
    if (error instanceof ServerError) return { path: entry.path, status: 'failed', error: error.reason };
    if (error instanceof HttpError) return { path: entry.path, status: 'failed', error: error.message };
    logError(`mc-server: bulk entry ${entry.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { path: entry.path, status: 'failed', error: 'Server Error' };
  }
}
