/** Names mc owns inside a project folder (cli-contract.md "Files mc writes"). */
export const MC_DIR = '.mc';
export const STATE_DB_FILE = 'mcsync.db';
export const LOCK_FILE = 'mcsync.lock';
export const IGNORE_FILE = '.mcignore';
import { createHash, randomBytes } from 'node:crypto';
import type { ProjectPath, RemoteEntry } from './types';

/** Temporary downloads live beside their target under this prefix and are removed when a run starts. */
export const TEMP_PREFIX = '.mc-tmp-';
/** Exactly the names `newTempName` makes: a user's own `.mc-tmp-notes.txt` is not ours to delete. */
const TEMP_NAME = /^\.mc-tmp-[0-9a-f]{16}$/;

/** A fresh temporary file name (to create beside the final target). */
export function newTempName(): string {
  return `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
}

/**
 * The temporary name of a resumable (large) download, beside its target: derived from the remote
 * file's name and content (version id, size, MD5), so the partial file describes itself. A
 * later run resumes it only for exactly that content (a new version gives another name), and the
 * run-start cleanup keeps it only while the remote still lists that content there. Chosen over a
 * table in the state database: nothing to keep in step with the files on disk (a deleted
 * `.mc/mcsync.db`, a crash between writing and recording), and library users without a store get
 * resume too; the bytes to resume from are the file's own length. It has the shape of
 * `newTempName`, so every scan and clean-up already treats it as mc's own.
 */
export function resumableTempName(path: ProjectPath, remote: Pick<RemoteEntry, 'id' | 'size' | 'md5'>): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const identity = `${name}\0${remote.id}\0${remote.size}\0${remote.md5 ?? ''}`;
  return `${TEMP_PREFIX}${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

const CONFLICT_COPY = /\.conflict-remote-\d+(\.[^./]*)?$/;

/** `NAME.conflict-remote-ID.EXT` copies are never scanned or uploaded. */
export function isConflictCopy(name: string): boolean {
  return CONFLICT_COPY.test(name);
}

/**
 * True for names every scan skips (cli-contract.md): `.mc/`, `.mc-tmp-*`, conflict copies. Only
 * `isTempName` files are mc's own leftovers and get removed; other `.mc-tmp-*` names are skipped
 * with a notice and left alone.
 */
export function isMcOwnedName(name: string): boolean {
  return name === MC_DIR || name.startsWith(TEMP_PREFIX) || isConflictCopy(name);
}

/**
 * Where the remote version of a conflicting file goes: `NAME.conflict-remote-ID.EXT` beside it
 * (`data.csv` → `data.conflict-remote-42.csv`; `README` and `.bashrc` get the suffix at the end).
 */
export function conflictCopyPath(path: string, remoteId: number): string {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const tag = `.conflict-remote-${remoteId}`;
  return dot > 0 ? `${dir}${name.slice(0, dot)}${tag}${name.slice(dot)}` : `${dir}${name}${tag}`;
}
