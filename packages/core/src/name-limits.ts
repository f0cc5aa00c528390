import type { McErrorCode } from './errors';
import type { ProjectPath } from './types';

/**
 * Production's column sizes (mc-api.md §5.6, Q17): a longer name or directory path makes the insert
 * fail with a 500, which also sinks every other file sent in the same request. `@mcsync/protocol`
 * holds the same numbers for the server; core may not import it (dependency rule).
 */
export const MAX_NAME_LENGTH = 150;
export const MAX_DIRECTORY_PATH_LENGTH = 700;

/** Why the server cannot store this path (a name or folder path too long), or null when it can. */
export function unstorableReason(path: ProjectPath, kind: 'file' | 'directory'): { code: McErrorCode; message: string } | null {
  const segments = path.split('/');
  const long = segments.find((s) => [...s].length > MAX_NAME_LENGTH);
  if (long !== undefined) {
    return { code: 'NAME', message: `the name "${long.slice(0, 40)}…" has ${[...long].length} characters; the server stores at most ${MAX_NAME_LENGTH}; rename it` };
  }
  const folder = kind === 'directory' ? path : segments.slice(0, -1).join('/');
  const length = [...`/${folder}`].length;
  if (length > MAX_DIRECTORY_PATH_LENGTH) {
    return { code: 'NAME', message: `the folder path has ${length} characters; the server stores at most ${MAX_DIRECTORY_PATH_LENGTH}; shorten it` };
  }
  return null;
}
