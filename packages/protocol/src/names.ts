/**
 * The fold key production compares names and paths by (MySQL utf8mb4_unicode_ci, approximated,
 * mc-api.md §5.7): NFD, combining marks removed, lowercase, trailing spaces trimmed.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range
const ASCII = /^[\x00-\x7f]*$/;

export function foldName(name: string): string {
  // ASCII names (most of them) have no combining marks and NFD leaves them as they are.
  if (ASCII.test(name)) return name.toLowerCase().replace(/ +$/, '');
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ +$/, '');
}

/** Production's rule for `POST /directories` and renames (§5.6); uploads and by-path skip it. */
export const STRICT_NAME_RULE = /^\.?[A-Za-z0-9_() -]+(\.[A-Za-z0-9_() -]+)*$/;

/** Storage limits (§5.6, Q17): longer names or paths answer 500. */
export const MAX_NAME_LENGTH = 150;
export const MAX_DIRECTORY_PATH_LENGTH = 700;
export const MAX_PROJECT_NAME_LENGTH = 80;
