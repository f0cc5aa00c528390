/** Names mc owns inside a project folder (cli-contract.md "Files mc writes"). */
export const MC_DIR = '.mc';
export const STATE_DB_FILE = 'mcsync.db';
export const LOCK_FILE = 'mcsync.lock';
export const IGNORE_FILE = '.mcignore';
/** Temporary downloads live beside their target under this prefix and are removed when a run starts. */
export const TEMP_PREFIX = '.mc-tmp-';

const CONFLICT_COPY = /\.conflict-remote-\d+(\.[^./]*)?$/;

/** `NAME.conflict-remote-ID.EXT` copies are never scanned or uploaded. */
export function isConflictCopy(name: string): boolean {
  return CONFLICT_COPY.test(name);
}

/** True for names every scan skips: `.mc/`, temporary downloads, conflict copies. */
export function isMcOwnedName(name: string): boolean {
  return name === MC_DIR || name.startsWith(TEMP_PREFIX) || isConflictCopy(name);
}
