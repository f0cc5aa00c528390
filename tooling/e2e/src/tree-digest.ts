import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** MD5 of every regular file under `root` (symlinks and `.mc/` excluded), by relative path. */
export async function digestTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (!rel && d.name === '.mc') continue;
      if (d.isDirectory()) await walk(p);
      else if (d.isFile()) out.set(p, await md5(join(root, p)));
    }
  };
  await walk('');
  return out;
}

/** Relative paths of every folder under `root` (`.mc/` excluded). */
export function listFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (!rel && d.name === '.mc') continue;
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory() && !lstatSync(join(root, p)).isSymbolicLink()) {
        out.push(p);
        walk(p);
      }
    }
  };
  walk('');
  return out.sort();
}

function md5(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('md5');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
