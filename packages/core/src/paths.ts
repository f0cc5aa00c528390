import { McError } from './errors';
import type { ProjectPath } from './types';

/** "a/b" → "/a/b"; "" → "/". */
export function toRemotePath(path: ProjectPath): string {
  return `/${path}`;
}

/**
 * A server path ("/a/b", possibly with "//" from Q7) → "a/b". Throws UNSAFE_PATH for anything that
 * could escape the project folder ("..", ".", NUL, a ".." between backslashes); empty segments are collapsed.
 */
export function fromRemotePath(remote: string): ProjectPath {
  const segments = remote.split('/').filter((s) => s !== '');
  for (const s of segments) assertSafeName(s, remote);
  return segments.join('/');
}

/**
 * A single name from the server must be a plain file name: not empty, `.` or `..`, no `/` or NUL,
 * and no `..` between backslashes (`..\..\x`: Windows takes them for separators). Any other
 * backslash stays allowed, as on the server (`back\slash.txt` is a legal POSIX name).
 */
export function assertSafeName(name: string, context = name): void {
  if (name === '' || name === '.' || name.includes('/') || name.includes('\0') || name.split('\\').includes('..')) {
    throw new McError('UNSAFE_PATH', `refusing remote path ${JSON.stringify(context)}: it could escape the project folder`);
  }
}

export function joinPath(parent: ProjectPath, name: string): ProjectPath {
  return parent === '' ? name : `${parent}/${name}`;
}

export function parentOf(path: ProjectPath): ProjectPath {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: ProjectPath): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `prefix` or lies under it ("" contains everything). */
export function isUnder(path: ProjectPath, prefix: ProjectPath): boolean {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** All ancestors of a path, nearest last: "a/b/c" → ["a", "a/b"]. */
export function ancestorsOf(path: ProjectPath): ProjectPath[] {
  const out: ProjectPath[] = [];
  let i = path.indexOf('/');
  while (i >= 0) {
    out.push(path.slice(0, i));
    i = path.indexOf('/', i + 1);
  }
  return out;
}

/**
 * A test "is this path one of `prefixes` or under one of them", in time proportional to the
 * path's depth rather than to the number of prefixes (a tree with many skipped symlinks checks
 * every entry against all of them).
 */
export function underAny(prefixes: Iterable<ProjectPath>): (path: ProjectPath) => boolean {
  const set = new Set(prefixes);
  if (set.size === 0) return () => false;
  if (set.has('')) return () => true;
  return (path) => {
    if (set.has(path)) return true;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) if (set.has(path.slice(0, i))) return true;
    return false;
  };
}
