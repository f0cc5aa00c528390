/**
 * The key the server compares names by (mc-api.md §5.7: MySQL utf8mb4_unicode_ci, approximated):
 * NFD, combining marks removed, lowercase, trailing spaces trimmed. `@mcsync/protocol` holds the
 * same function for the server; core may not import it (dependency rule), and both are tested
 * against the same table.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range
const ASCII = /^[\x00-\x7f]*$/;

export function foldName(name: string): string {
  // ASCII names (most of them) have no combining marks and NFD leaves them as they are.
  if (ASCII.test(name)) return name.toLowerCase().replace(/ +$/, '');
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ +$/, '');
}

/** A segment ending in spaces: the one ASCII case where folding is more than lowercasing. */
const TRAILING_SPACE = / (\/|$)/;

/** Folds every segment of a project path, so "Data/README.md" and "data/readme.md" meet. */
export function foldPath(path: string): string {
  // Fast path (a no-op run folds every path of the tree several times): an ASCII path with no
  // segment ending in a space folds to its lowercase, without splitting it.
  if (ASCII.test(path) && !TRAILING_SPACE.test(path)) return path.toLowerCase();
  return path === '' ? '' : path.split('/').map(foldName).join('/');
}
