/**
 * Names and paths that would not mean what they say, refused wherever a request names what to store
 * (path traversal). Names are never file-system paths on this server (blobs are content-addressed),
 * but clients turn them into local paths: a NUL, a `..` segment (also between backslashes, which
 * Windows takes for separators), or a file named `.`, `..` or with a `/` in it would point outside
 * the place the name stands for. Everything else production stores stays allowed: a backslash inside
 * a name (`back\slash.txt` is a legal POSIX name), and `.` as a directory segment (Q14).
 */

const NUL = '\0';

const climbsOut = (segment: string) => segment.split('\\').includes('..');

/** Why `name` cannot be the name of a file or directory, or null when it can. */
export function unsafeNameReason(name: string): string | null {
  if (name.includes(NUL)) return 'must not contain a NUL character';
  if (name.includes('/')) return 'must be a single name, without "/"';
  if (name === '.' || climbsOut(name)) return 'must not be "." or contain a ".." segment';
  return null;
}

/**
 * Why a project path (`/a/b`, a directory or a file's whole path) cannot be used, or null when it
 * can. With `names: 'file'` the last segment is a file's name and must itself be a safe name.
 */
export function unsafePathReason(path: string, names: 'file' | 'directory'): string | null {
  if (path.includes(NUL)) return 'must not contain a NUL character';
  const segments = path.split('/');
  if (segments.some(climbsOut)) return 'must not contain a ".." segment';
  if (names === 'file') return unsafeNameReason(segments.at(-1)!);
  return null;
}
