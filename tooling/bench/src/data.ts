import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSampleTree } from '../../e2e/src/sample-tree';

export type Size = 'smoke' | 'full';

const repo = resolve(import.meta.dirname, '../../..');

/** Data lives outside the checkout, built once: `MCSYNC_CACHE` or `~/.cache/mcsync` (as `.ci/run`). */
export function cacheDir(): string {
  return process.env.MCSYNC_CACHE ?? join(homedir(), '.cache', 'mcsync');
}

export interface TreeInfo {
  root: string;
  files: number;
  bytes: number;
  label: string;
}

/** Builds `dir` with `build` unless its `.done` marker says an earlier run finished it. */
function once(dir: string, build: () => void, say: (line: string) => void, what: string): void {
  if (existsSync(`${dir}.done`)) return;
  say(`building ${what} in ${dir} (once; cached for later runs)`);
  rmSync(dir, { recursive: true, force: true });
  build();
  writeFileSync(`${dir}.done`, '');
}

/**
 * The project tree: full = the real materials-science tree of `make-real-tree.sh` (26,000 files
 * from Debian packages); smoke = a small generated project-shaped tree.
 */
export function projectTree(size: Size, say: (line: string) => void): TreeInfo {
  const cache = cacheDir();
  if (size === 'full') {
    const root = join(cache, 'real-tree');
    once(root, () => execFileSync('bash', [join(repo, 'tooling/data/make-real-tree.sh'), root, join(cache, 'debs')], { stdio: ['ignore', 'ignore', 'inherit'] }), say, 'the real tree');
    return { root, ...countTree(root), label: 'real materials-science tree (make-real-tree.sh)' };
  }
  const root = join(cache, 'bench-smoke-tree');
  once(root, () => buildSampleTree(root, { smallFiles: 600, largeFiles: 2, largeFileBytes: 2 * 1024 * 1024 }), say, 'the smoke tree');
  return { root, ...countTree(root), label: 'generated sample tree (smoke)' };
}

/** The large files: full = the three real ones of `make-large-files.sh` (134–497 MiB); smoke = one 80 MiB file. */
export function largeFiles(size: Size, say: (line: string) => void): TreeInfo {
  const cache = cacheDir();
  if (size === 'full') {
    const root = join(cache, 'large-files');
    once(root, () => execFileSync('bash', [join(repo, 'tooling/data/make-large-files.sh'), root, join(cache, 'debs')], { stdio: ['ignore', 'ignore', 'inherit'] }), say, 'the real large files');
    return { root, ...countTree(root), label: 'real large files (make-large-files.sh)' };
  }
  const root = join(cache, 'bench-smoke-large');
  once(
    root,
    () => {
      mkdirSync(root, { recursive: true });
      // Above the 64 MiB tus threshold, so the smoke run takes the chunked path too.
      writeFileSync(join(root, 'stack.raw'), Buffer.concat(Array.from({ length: 80 }, () => randomBytes(1 << 20))));
    },
    say,
    'the smoke large file',
  );
  return { root, ...countTree(root), label: 'one random 80 MiB file (smoke)' };
}

/** `files` tiny files (16–40 bytes), 500 per folder: the tree of the status scaling scenario. */
export function tinyTree(files: number, say: (line: string) => void): TreeInfo {
  const root = join(cacheDir(), `bench-tiny-${files}`);
  once(
    root,
    () => {
      for (let i = 0; i < files; i++) {
        const dir = join(root, `d${String(Math.floor(i / 500)).padStart(4, '0')}`);
        if (i % 500 === 0) mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `f${i}.txt`), `tiny file number ${i}\n`);
      }
    },
    say,
    `${files.toLocaleString('en-US')} tiny files`,
  );
  return { root, ...countTree(root), label: `${files.toLocaleString('en-US')} tiny files, 500 per folder` };
}

/** Regular files and their bytes under `root` (symlinks not followed, `.mc` left out). */
export function countTree(root: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.name === '.mc' && dir === root) continue;
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (d.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(root);
  return { files, bytes };
}

/** A copy made of hard links (instant, no bytes written); the benchmark never edits a linked file in place. */
export function linkCopy(src: string, dst: string): void {
  rmSync(dst, { recursive: true, force: true });
  execFileSync('cp', ['-al', src, dst]);
}
