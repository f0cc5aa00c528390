import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from './prng';

export interface SampleTreeOptions {
  /** Number of small files (default 3,000). */
  smallFiles?: number;
  /** Number of files of several MiB (default 8). */
  largeFiles?: number;
  /** Size of each large file in bytes (default 4 MiB). */
  largeFileBytes?: number;
  seed?: number;
}

export interface SampleTreeStats {
  files: number;
  folders: number;
  bytes: number;
  symlinks: number;
}


const TOP = ['crystallography/cif', 'dft/vasp', 'dft/quantum-espresso', 'md/lammps', 'microscopy/tem', 'notes'];
const EXT = ['.cif', '.in', '.out', '.log', '.dat', '.json', '.txt', '.xyz'];
/** Names production's strict rule refuses (non-ASCII, punctuation) but uploads must carry. */
const ODD = ['café résumé', '日本語 データ', 'Привет, мир', 'a+b=c', 'x [draft] #2', "o'brien & co", 'trailing.dots..', '50% done', 'tab\there'];

/**
 * Writes a project-shaped tree: thousands of small text-like files in nested folders, a few files
 * of several MiB, empty files and folders, odd names, a relative symlink and a dangling one.
 */
export function buildSampleTree(dest: string, opts: SampleTreeOptions = {}): SampleTreeStats {
  const rand = prng(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const stats: SampleTreeStats = { files: 0, folders: 0, bytes: 0, symlinks: 0 };
  const folders: string[] = [];
  const mkdir = (rel: string) => {
    mkdirSync(join(dest, rel), { recursive: true });
    folders.push(rel);
  };
  const write = (rel: string, content: Buffer) => {
    writeFileSync(join(dest, rel), content);
    stats.files++;
    stats.bytes += content.length;
  };

  for (const top of TOP) {
    mkdir(top);
    for (let i = 0; i < 6; i++) {
      let path = `${top}/run-${String(i).padStart(3, '0')}`;
      mkdir(path);
      const depth = 1 + Math.floor(rand() * 5);
      for (let d = 0; d < depth; d++) {
        path = `${path}/${pick(['step', 'relax', 'scf', 'band', 'k-mesh', 'frame'])}-${d}`;
        mkdir(path);
      }
    }
  }
  mkdir('odd names');
  for (const name of ODD) mkdir(`odd names/${name}`);
  mkdir('deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p');
  mkdir('empty folder');
  mkdir('empty folder/nested empty');

  const small = opts.smallFiles ?? 3000;
  for (let i = 0; i < small; i++) {
    const folder = pick(folders);
    const size = rand() < 0.05 ? 0 : Math.floor(64 + rand() * rand() * 48_000);
    const line = `# sample ${i} in ${folder}\n`;
    const body = Buffer.alloc(size);
    for (let o = 0; o < size; o += line.length) body.write(line, o);
    if (size > 0) body[Math.floor(rand() * size)] = Math.floor(rand() * 256); // make contents unique
    write(`${folder}/${pick(['structure', 'INCAR', 'POSCAR', 'log', 'data', 'Ü-résumé', 'χ(T) curve', 'in'])}-${i}${pick(EXT)}`, body);
  }
  for (const name of ODD) write(`odd names/${name}/${name}.txt`, Buffer.from(`${name}\n`));
  write('deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/bottom.txt', Buffer.from('bottom\n'));
  write('empty.dat', Buffer.alloc(0));

  const large = opts.largeFiles ?? 8;
  const largeBytes = opts.largeFileBytes ?? 4 << 20;
  for (let i = 0; i < large; i++) {
    const buf = Buffer.alloc(largeBytes);
    for (let o = 0; o < largeBytes; o += 4) buf.writeUInt32LE(Math.floor(rand() * 2 ** 32), o);
    write(`microscopy/tem/stack-${i}.dm4`, buf);
  }

  symlinkSync('../crystallography/cif', join(dest, 'notes/cif-link'));
  symlinkSync('missing-target.txt', join(dest, 'notes/dangling-link'));
  stats.symlinks = 2;
  const all = new Set<string>();
  for (const f of folders) {
    const parts = f.split('/');
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  stats.folders = all.size;
  return stats;
}
