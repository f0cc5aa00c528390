import { isAbsolute, relative, resolve, sep } from 'node:path';
import { McError, type ProjectPath } from '@mcsync/core';

/**
 * Command-line paths (relative to the working folder) → project paths. Paths outside the project
 * are a usage error; `.` in the project root is "" (everything).
 */
export function toProjectPaths(args: readonly string[], cwd: string, root: string): ProjectPath[] {
  const list = args.length ? args : ['.'];
  return list.map((arg) => {
    const rel = relative(root, resolve(cwd, arg));
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new McError('USAGE', `${arg} is outside the project folder ${root}`, { hint: 'give paths inside the project' });
    }
    const path = rel.split(sep).join('/');
    if (path === '.mc' || path.startsWith('.mc/')) throw new McError('USAGE', `${arg} is mc's own folder and is never synced`);
    return path;
  });
}
