/**
 * The key the server compares names by (mc-api.md §5.7: MySQL utf8mb4_unicode_ci, approximated):
 * NFD, combining marks removed, lowercase, trailing spaces trimmed. `@mcsync/protocol` holds the
 * same function for the server; core may not import it (dependency rule), and both are tested
 * against the same table.
 */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ +$/, '');
}

/** Folds every segment of a project path, so "Data/README.md" and "data/readme.md" meet. */
export function foldPath(path: string): string {
  return path.split('/').map(foldName).join('/');
}
