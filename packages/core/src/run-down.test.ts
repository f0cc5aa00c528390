import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryRemote } from '../test/helpers/memory-remote';
import { MemoryStore } from '../test/helpers/memory-store';
import { resumableTempName } from './project-files';
import { runDown } from './run-down';
import { runUp } from './run-up';

function emptyProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'mcsync-down-'));
  mkdirSync(join(root, '.mc'));
  return root;
}
const read = (root: string, p: string) => readFileSync(join(root, p), 'utf8');

describe('runDown', () => {
  it('downloads every file and folder, then a rerun downloads nothing', async () => {
    const remote = new MemoryRemote();
    remote.put('a/b/c.txt', 'hello');
    remote.put('x y/ñ.cif', 'data');
    remote.put('empty.txt', '');
    remote.mkdir('empty-dir');
    const root = emptyProject();
    const store = new MemoryStore();
    const report = await runDown({ root, prefixes: [''], store, remote });
    expect(report.failed).toEqual([]);
    expect(read(root, 'a/b/c.txt')).toBe('hello');
    expect(read(root, 'x y/ñ.cif')).toBe('data');
    expect(read(root, 'empty.txt')).toBe('');
    expect(existsSync(join(root, 'empty-dir'))).toBe(true);

    remote.downloads = [];
    await runDown({ root, prefixes: [''], store, remote });
    expect(remote.downloads).toEqual([]);
  });

  it('replaces a file unchanged since the last sync with the new server version', async () => {
    const remote = new MemoryRemote();
    remote.put('a.txt', 'v1');
    const root = emptyProject();
    const store = new MemoryStore();
    await runDown({ root, prefixes: [''], store, remote });
    remote.put('a.txt', 'v2');
    await runDown({ root, prefixes: [''], store, remote });
    expect(read(root, 'a.txt')).toBe('v2');
  });

  it('keeps a local edit made since the last sync, and replaces it only with force', async () => {
    const remote = new MemoryRemote();
    remote.put('a.txt', 'v1');
    const root = emptyProject();
    const store = new MemoryStore();
    await runDown({ root, prefixes: [''], store, remote });
    writeFileSync(join(root, 'a.txt'), 'mine');
    remote.put('a.txt', 'v2');
    const kept = await runDown({ root, prefixes: [''], store, remote });
    expect(read(root, 'a.txt')).toBe('mine');
    expect(kept.skipped.map((s) => s.path)).toEqual(['a.txt']);
    await runDown({ root, prefixes: [''], store, remote, force: true });
    expect(read(root, 'a.txt')).toBe('v2');
  });

  it('never overwrites a never-synced local file that differs', async () => {
    const remote = new MemoryRemote();
    remote.put('a.txt', 'server');
    const root = emptyProject();
    writeFileSync(join(root, 'a.txt'), 'local!');
    await runDown({ root, prefixes: [''], store: new MemoryStore(), remote });
    expect(read(root, 'a.txt')).toBe('local!');
  });

  it('asks before each forced replacement; "all" stops asking', async () => {
    const remote = new MemoryRemote();
    const root = emptyProject();
    for (const n of ['a', 'b', 'c']) {
      remote.put(`${n}.txt`, 'server');
      writeFileSync(join(root, `${n}.txt`), 'local');
    }
    const asked: string[] = [];
    const answers = ['no', 'all'] as const;
    await runDown({
      root, prefixes: [''], store: new MemoryStore(), remote, force: true,
      confirmReplace: async (p) => { asked.push(p); return answers[asked.length - 1]!; },
    });
    expect(asked).toEqual(['a.txt', 'b.txt']);
    expect([read(root, 'a.txt'), read(root, 'b.txt'), read(root, 'c.txt')]).toEqual(['local', 'server', 'server']);
  });

  it('does not clobber a file the user edits while it downloads', async () => {
    const remote = new MemoryRemote();
    remote.put('a.txt', 'server');
    const root = emptyProject();
    remote.beforeTransfer = () => writeFileSync(join(root, 'a.txt'), 'typed meanwhile');
    const report = await runDown({ root, prefixes: [''], store: new MemoryStore(), remote });
    expect(read(root, 'a.txt')).toBe('typed meanwhile');
    expect(report.failed.map((f) => f.code)).toEqual(['CHANGED']);
    expect(readdirSync(root).filter((n) => n.startsWith('.mc-tmp-'))).toEqual([]);
  });

  it('removes temporary files a killed run left behind, and only those', async () => {
    const root = emptyProject();
    writeFileSync(join(root, '.mc-tmp-0123456789abcdef'), 'partial');
    writeFileSync(join(root, '.mc-tmp-notes.txt'), 'my precious');
    await runDown({ root, prefixes: [''], store: new MemoryStore(), remote: new MemoryRemote() });
    expect(existsSync(join(root, '.mc-tmp-0123456789abcdef'))).toBe(false);
    expect(readFileSync(join(root, '.mc-tmp-notes.txt'), 'utf8')).toBe('my precious');
  });

  it('keeps the partial of a large download the remote still lists (the download resumes it), removes a stale one', async () => {
    const remote = new MemoryRemote();
    const entry = remote.put('big.bin', 'new content');
    const root = emptyProject();
    const resumable = resumableTempName('big.bin', entry);
    const stale = resumableTempName('big.bin', { ...entry, id: entry.id + 1000 });
    writeFileSync(join(root, resumable), 'new');
    writeFileSync(join(root, stale), 'old content');
    await runDown({ root, prefixes: [''], store: new MemoryStore(), remote, dryRun: true });
    expect(existsSync(join(root, stale))).toBe(true); // a dry run removes nothing
    const kept: string[] = [];
    remote.beforeTransfer = () => kept.push(...readdirSync(root).filter((n) => n.startsWith('.mc-tmp-')));
    const report = await runDown({ root, prefixes: [''], store: new MemoryStore(), remote });
    expect(kept).toEqual([resumable]);
    expect(read(root, 'big.bin')).toBe('new content');
    // The summary counts what crossed the network in this run, not the bytes already on disk.
    expect(report.transferred).toEqual([{ path: 'big.bin', bytes: 11, verified: 'md5' }]);
    expect(report.bytes).toBe(8);
  });

  it('round-trips what up sent, byte for byte', async () => {
    const src = emptyProject();
    mkdirSync(join(src, 'deep/er'), { recursive: true });
    writeFileSync(join(src, 'deep/er/x.bin'), Buffer.from([0, 1, 2, 255]));
    const remote = new MemoryRemote();
    await runUp({ root: src, prefixes: [''], store: new MemoryStore(), remote });
    const dst = emptyProject();
    await runDown({ root: dst, prefixes: [''], store: new MemoryStore(), remote });
    expect(readFileSync(join(dst, 'deep/er/x.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
  });
});

describe('runDown and what the scan skipped', () => {
  it('never replaces a local symlink with a downloaded file, nor writes through a symlinked folder', async () => {
    const remote = new MemoryRemote();
    remote.put('link-to-incar', 'server copy');
    remote.put('linked-dir/x.cif', 'through the link');
    const root = emptyProject();
    mkdirSync(join(root, 'real'));
    writeFileSync(join(root, 'INCAR'), 'local');
    symlinkSync('INCAR', join(root, 'link-to-incar'));
    symlinkSync('real', join(root, 'linked-dir'));
    const report = await runDown({ root, prefixes: [''], store: new MemoryStore(), remote });
    expect(report.failed).toEqual([]);
    expect(report.skipped.map((s) => s.path).sort()).toEqual(['link-to-incar', 'linked-dir']);
    expect(readlinkSync(join(root, 'link-to-incar'))).toBe('INCAR');
    expect(read(root, 'INCAR')).toBe('local');
    expect(readdirSync(join(root, 'real'))).toEqual([]);
    expect(remote.downloads).toEqual([]);
  });

  it('says so when a named path exists on neither side', async () => {
    const report = await runDown({ root: emptyProject(), prefixes: ['nothere.txt'], store: new MemoryStore(), remote: new MemoryRemote() });
    expect(report.failed).toEqual([{ path: 'nothere.txt', code: 'NOT_FOUND', message: expect.stringContaining('no such file') }]);
  });
});
