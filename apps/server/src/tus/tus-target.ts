import type { ProjectRecord } from '../db/projects.js';
import type { Store } from '../db/store.js';
import type { TusTarget } from '../db/tus-uploads.js';
import type { UserRecord } from '../db/users.js';
import type { Profile } from '../profiles.js';
import { unsafeNameReason, unsafePathReason } from '../safe-names.js';
import { MAX_STORED_NAME_LENGTH, MAX_STORED_PATH_LENGTH } from '../storage-limits.js';
import { invalidMetadata, noSuchProject } from './tus-errors.js';

/**
 * Checks an upload's metadata at creation (mc-api.md §4.3), with the messages production's upload
 * service intends (§4.4). Production checks nothing until completion and then drops bad uploads
 * silently; this server refuses them up front on both profiles, which clients may not rely on and
 * cannot be hurt by. The caller must be a member of the project (404 otherwise, as REST says).
 *
 * Names are stored, never used as file-system paths (blobs are content-addressed), but a `filename`
 * with `/` or a `directory_path` with `.`/`..` segments would not mean what it says, so both are
 * refused as path traversal (safe-names.ts: NUL and backslash-separated `..` too).
 */
export function checkTarget(
  store: Store,
  user: UserRecord,
  profile: Profile,
  metadata: ReadonlyMap<string, string>,
): { project: ProjectRecord; target: TusTarget } {
  const projectText = metadata.get('project_id');
  if (projectText === undefined || projectText === '') throw invalidMetadata('project_id not found');
  const projectId = positiveInteger(projectText);
  if (projectId === null) throw invalidMetadata('project_id must be a project id');
  const project = store.projects.byId(projectId);
  if (!project || !store.projects.roleOf(project.id, user.id)) throw noSuchProject();

  const directoryIdText = nonEmpty(metadata.get('directory_id'));
  const directoryPath = nonEmpty(metadata.get('directory_path'));
  if (directoryIdText === undefined && directoryPath === undefined) throw invalidMetadata('neither directory_id or directory_path was found');
  if (directoryIdText !== undefined && directoryPath !== undefined) {
    throw invalidMetadata('only one of directory_id or directory_path should be specified');
  }

  const target: TusTarget = { filename: checkFilename(metadata.get('filename')) };
  if (directoryIdText !== undefined) {
    // Like the HTTP upload routes (Q15): a row of the project, checked again at completion.
    const directoryId = positiveInteger(directoryIdText);
    const row = directoryId === null ? undefined : store.rows.byId(directoryId);
    if (!row || row.project_id !== project.id) throw invalidMetadata('directory_id not found');
    target.directoryId = row.id;
  } else {
    target.directoryPath = checkDirectoryPath(directoryPath!);
  }

  // Stock ignores the field, as production would (sync-api.md `preconditions`).
  const ifCurrentText = profile === 'enhanced' ? metadata.get('if_current_id') : undefined;
  if (ifCurrentText !== undefined) {
    if (!/^\d{1,15}$/.test(ifCurrentText)) throw invalidMetadata('if_current_id must be a file id, or 0 for "no file there"');
    target.ifCurrentId = Number(ifCurrentText);
  }
  return { project, target };
}

function checkFilename(filename: string | undefined): string {
  if (filename === undefined || filename === '') throw invalidMetadata('filename not found');
  const unsafe = unsafeNameReason(filename);
  if (unsafe) throw invalidMetadata(`filename must be a plain file name (no "/", not "." or ".."): it ${unsafe}`);
  if ([...filename].length > MAX_STORED_NAME_LENGTH) throw invalidMetadata(`filename is longer than ${MAX_STORED_NAME_LENGTH} characters`);
  return filename;
}

function checkDirectoryPath(path: string): string {
  const segments = path.split('/').slice(1);
  const traverses = unsafePathReason(path, 'directory') !== null;
  if (!path.startsWith('/') || traverses || segments.some((segment) => segment === '.' || segment === '..')) {
    throw invalidMetadata('directory_path must be an absolute project path without "." or ".." segments');
  }
  if ([...path].length > MAX_STORED_PATH_LENGTH) throw invalidMetadata(`directory_path is longer than ${MAX_STORED_PATH_LENGTH} characters`);
  return path;
}

function positiveInteger(text: string): number | null {
  if (!/^\d{1,15}$/.test(text)) return null;
  const value = Number(text);
  return value > 0 ? value : null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
