import type { ProjectPath } from '@mcsync/core';
import { foldName } from '@mcsync/protocol';

/**
 * protocol's `foldName` (§5.7), with a fast path for ASCII names, which NFD leaves unchanged and
 * which carry no combining marks: snapshots fold every name of a 26k-file tree.
 */
export function foldKey(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range test
  return /^[\x00-\x7f]*$/.test(name) ? name.toLowerCase().replace(/ +$/, '') : foldName(name);
}

/** The server's fold key of a whole path: paths that differ only by case or accents are one. */
export function foldPath(path: ProjectPath): string {
  return path === '' ? '' : path.split('/').map(foldKey).join('/');
}
