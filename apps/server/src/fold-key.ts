/**
 * The key production's MySQL collation (utf8mb4_unicode_ci, PAD SPACE) effectively compares names and
 * paths by (mc-api.md §5.7): NFD, combining marks stripped, lowercase, trailing spaces ignored.
 * An approximation: the real collation also equates e.g. `ß` and `ss`.
 */
export function foldKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ +$/, '');
}
