import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { scanLocal } from './scan';

/** Builds a folder from a map of path → content (a string) or null (an empty folder). */
function tree(spec: Record<string, string | null>): string {
  const root = mkdtempSync(join(tmpdir(), 'mcsync-scan-'));
  for (const [path, content] of Object.entries(spec)) {
    const abs = join(root, path);
    if (content === null) mkdirSync(abs, { recursive: true });
    else {
      mkdirSync(join(abs, '..'), { recursive: true });
      writeFileSync(abs, content);
    }
  }
  return root;
}

const paths = (root: string, opts: Partial<Parameters<typeof scanLocal>[0]> = {}) =>
  scanLocal({ root, ...opts }).entries.map((e) => `${e.kind === 'directory' ? 'd' : 'f'} ${e.path}`).sort();

describe('scanLocal', () => {
  it('lists files and folders, empty folders and odd names included, never .mc or temp files', () => {
    const root = tree({
      'a/b c/été.cif': 'x', 'a/empty': null, '日本語.txt': '', '.mc/config.json': '{}', 'a/.mc-tmp-0123456789abcdef': 'partial', 'a/.mc-tmp-mine.txt': 'user file',
      'a/x.conflict-remote-9.txt': 'copy',
    });
    expect(paths(root)).toEqual(['d a', 'd a/b c', 'd a/empty', 'f a/b c/été.cif', 'f 日本語.txt']);
    const r = scanLocal({ root });
    expect(r.tempFiles).toEqual([join(root, 'a/.mc-tmp-0123456789abcdef')]);
    // A user's own .mc-tmp-* file is skipped with a notice, never removed.
    expect(r.problems).toEqual([{ path: 'a/.mc-tmp-mine.txt', reason: expect.stringContaining('reserved'), failure: false }]);
  });

  it('records size, nanosecond mtime and inode', () => {
    const root = tree({ 'f.bin': '12345' });
    const [e] = scanLocal({ root }).entries;
    expect(e).toMatchObject({ path: 'f.bin', size: 5 });
    expect(typeof e!.mtimeNs).toBe('bigint');
    expect(e!.ino).toBeGreaterThan(0);
  });

  it('applies .mcignore with gitignore syntax, nested files to their own subtree', () => {
    const root = tree({
      '.mcignore': '*.log\nbuild/\n',
      'run.log': '', 'keep.txt': '', 'build/out.o': '',
      'sub/.mcignore': '!important.log\n*.tmp\n', 'sub/important.log': '', 'sub/other.log': '', 'sub/x.tmp': '',
      'other/x.tmp': '',
    });
    expect(paths(root)).toEqual([
      'd other', 'd sub', 'f .mcignore', 'f keep.txt', 'f other/x.tmp', 'f sub/.mcignore', 'f sub/important.log',
    ]);
  });

  it('honours ancestor .mcignore files when scanning a subfolder only', () => {
    const root = tree({ '.mcignore': '*.log\n', 'a/b/x.log': '', 'a/b/y.txt': '', 'c/z.txt': '' });
    expect(paths(root, { prefixes: ['a/b'] })).toEqual(['d a/b', 'f a/b/y.txt']);
  });

  it('scans a single file given as a prefix', () => {
    const root = tree({ 'a/b.txt': 'x', 'a/c.txt': 'y' });
    expect(paths(root, { prefixes: ['a/b.txt'] })).toEqual(['f a/b.txt']);
  });

  it('reports symlinks without following them', () => {
    const root = tree({ 'data/x.txt': 'x' });
    symlinkSync('data/x.txt', join(root, 'link.txt'));
    symlinkSync('nowhere', join(root, 'dangling'));
    const r = scanLocal({ root });
    expect(r.entries.map((e) => e.path).sort()).toEqual(['data', 'data/x.txt']);
    expect(r.problems.map((p) => [p.path, p.failure])).toEqual(expect.arrayContaining([['link.txt', false], ['dangling', false]]));
  });

  it('follows symlinks on request, reporting loops and dangling links', () => {
    const root = tree({ 'data/x.txt': 'x' });
    symlinkSync('data', join(root, 'alias'));
    symlinkSync('..', join(root, 'data/up'));
    symlinkSync('nowhere', join(root, 'dangling'));
    symlinkSync('ping', join(root, 'pong'));
    symlinkSync('pong', join(root, 'ping'));
    const r = scanLocal({ root, followSymlinks: true });
    expect(r.entries.map((e) => e.path).sort()).toEqual(['alias', 'alias/x.txt', 'data', 'data/x.txt']);
    const reasons = Object.fromEntries(r.problems.map((p) => [p.path, p.reason]));
    expect(reasons['dangling']).toMatch(/dangling/);
    expect(reasons['data/up']).toMatch(/loop/);
    // Links that point at each other are a loop, not a missing target.
    expect(reasons['ping']).toMatch(/symlink loop/);
    expect(reasons['pong']).toMatch(/symlink loop/);
  });

  it('reports FIFOs as skipped, not as files', () => {
    const root = tree({ 'a.txt': 'x' });
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const r = scanLocal({ root });
    expect(r.entries.map((e) => e.path)).toEqual(['a.txt']);
    expect(r.problems).toEqual([{ path: 'pipe', reason: expect.stringMatching(/not a regular file/), failure: false }]);
  });
});

describe('scanLocal and names that are not UTF-8', () => {
  it('reports a file whose name is not valid UTF-8 instead of dropping it silently', () => {
    const root = tree({ 'ok.txt': 'x' });
    writeFileSync(Buffer.concat([Buffer.from(`${root}/bad`), Buffer.from([0xff]), Buffer.from('.txt')]), '8');
    const r = scanLocal({ root });
    expect(r.entries.map((e) => e.path)).toEqual(['ok.txt']);
    expect(r.problems).toEqual([{ path: 'bad\uFFFD.txt', reason: expect.stringMatching(/not valid UTF-8/), failure: true }]);
  });
});
