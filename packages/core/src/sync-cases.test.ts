import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryRemote } from '../test/helpers/memory-remote';
import { MemoryStore } from '../test/helpers/memory-store';
import { runDown } from './run-down';
import { runSync } from './run-sync';
import { runUp } from './run-up';
import type { RunReport } from './run-report';

/**
 * The sync table of issue 3: starting from `f.txt` = "B" synced on both sides, each side does one
 * thing, then one command runs. Expected end states of both sides, for both server profiles
 * (`stock`: no change feed, so renames look like delete + create; `enhanced`: renames are seen).
 */
type Action = 'none' | 'modify' | 'delete' | 'create' | 'rename';
type Profile = 'stock' | 'enhanced';
type Tree = Record<string, string>;

interface World {
  root: string;
  remote: MemoryRemote;
  store: MemoryStore;
}

async function syncedWorld(profile: Profile, files: Tree = { 'f.txt': 'B' }): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'mcsync-sync-'));
  mkdirSync(join(root, '.mc'));
  for (const [p, c] of Object.entries(files)) write(root, p, c);
  const world = { root, remote: new MemoryRemote(profile === 'enhanced'), store: new MemoryStore() };
  const first = await runSync(ctx(world));
  expect(first.failed).toEqual([]);
  return world;
}

const ctx = (w: World) => ({ root: w.root, prefixes: [''], store: w.store, remote: w.remote });

function write(root: string, path: string, content: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

function localSide(w: World, action: Action): void {
  if (action === 'modify') write(w.root, 'f.txt', 'L2');
  if (action === 'delete') rmSync(join(w.root, 'f.txt'));
  if (action === 'create') write(w.root, 'g.txt', 'GL');
  if (action === 'rename') renameSync(join(w.root, 'f.txt'), join(w.root, 'h.txt'));
}

function remoteSide(w: World, action: Action): void {
  if (action === 'modify') w.remote.put('f.txt', 'R2');
  if (action === 'delete') w.remote.delete('f.txt');
  if (action === 'create') w.remote.put('g.txt', 'GR');
  if (action === 'rename') w.remote.move('f.txt', 'k.txt');
}

/** Files on disk (conflict copies with their id replaced by N), `.mc/` excluded. */
function localTree(root: string, rel = ''): Tree {
  const out: Tree = {};
  for (const name of readdirSync(join(root, rel))) {
    if (!rel && name === '.mc') continue;
    const p = rel ? `${rel}/${name}` : name;
    if (statSync(join(root, p)).isDirectory()) Object.assign(out, localTree(root, p));
    else out[p.replace(/conflict-remote-\d+/, 'conflict-remote-N')] = readFileSync(join(root, p), 'utf8');
  }
  return out;
}

function remoteTree(remote: MemoryRemote): Tree {
  const out: Tree = {};
  for (const e of remote.entries.values()) if (e.kind === 'file') out[e.path] = remote.content(e.path)!;
  return out;
}

interface Case {
  local: Action;
  remote: Action;
  /** Both sides after `mc sync` (same on both unless `remoteAfter` says otherwise). */
  after: Tree;
  remoteAfter?: Tree;
  conflicts?: number;
  /** Where the stock profile ends differently (no change feed to see renames). */
  stock?: { after: Tree; remoteAfter?: Tree };
}

const SYNC_CASES: Case[] = [
  { local: 'none', remote: 'none', after: { 'f.txt': 'B' } },
  { local: 'none', remote: 'modify', after: { 'f.txt': 'R2' } },
  { local: 'none', remote: 'delete', after: {} },
  { local: 'none', remote: 'create', after: { 'f.txt': 'B', 'g.txt': 'GR' } },
  { local: 'none', remote: 'rename', after: { 'k.txt': 'B' } },
  { local: 'modify', remote: 'none', after: { 'f.txt': 'L2' } },
  { local: 'modify', remote: 'modify', after: { 'f.txt': 'L2', 'f.conflict-remote-N.txt': 'R2' }, remoteAfter: { 'f.txt': 'R2' }, conflicts: 1 },
  { local: 'modify', remote: 'delete', after: { 'f.txt': 'L2' } },
  { local: 'modify', remote: 'create', after: { 'f.txt': 'L2', 'g.txt': 'GR' } },
  // The feed shows the rename: the local edit follows the file to its new name.
  { local: 'modify', remote: 'rename', after: { 'k.txt': 'L2' }, stock: { after: { 'f.txt': 'L2', 'k.txt': 'B' } } },
  { local: 'delete', remote: 'none', after: {} },
  { local: 'delete', remote: 'modify', after: { 'f.txt': 'R2' } },
  { local: 'delete', remote: 'delete', after: {} },
  { local: 'delete', remote: 'create', after: { 'g.txt': 'GR' } },
  { local: 'delete', remote: 'rename', after: { 'k.txt': 'B' } },
  { local: 'create', remote: 'none', after: { 'f.txt': 'B', 'g.txt': 'GL' } },
  { local: 'create', remote: 'modify', after: { 'f.txt': 'R2', 'g.txt': 'GL' } },
  { local: 'create', remote: 'delete', after: { 'g.txt': 'GL' } },
  {
    local: 'create',
    remote: 'create',
    after: { 'f.txt': 'B', 'g.txt': 'GL', 'g.conflict-remote-N.txt': 'GR' },
    remoteAfter: { 'f.txt': 'B', 'g.txt': 'GR' },
    conflicts: 1,
  },
  { local: 'create', remote: 'rename', after: { 'g.txt': 'GL', 'k.txt': 'B' } },
  { local: 'rename', remote: 'none', after: { 'h.txt': 'B' } },
  { local: 'rename', remote: 'modify', after: { 'f.txt': 'R2', 'h.txt': 'B' } },
  { local: 'rename', remote: 'delete', after: { 'h.txt': 'B' } },
  { local: 'rename', remote: 'create', after: { 'g.txt': 'GR', 'h.txt': 'B' } },
  { local: 'rename', remote: 'rename', after: { 'h.txt': 'B', 'k.txt': 'B' } },
];

describe.each<Profile>(['stock', 'enhanced'])('mc sync on %s: one change per side since the last sync', (profile) => {
  it.each(SYNC_CASES)('local $local, remote $remote', async (c) => {
    const w = await syncedWorld(profile);
    localSide(w, c.local);
    remoteSide(w, c.remote);
    const report = await runSync(ctx(w));
    const expected = (profile === 'stock' && c.stock) || c;
    expect(localTree(w.root)).toEqual(expected.after);
    expect(remoteTree(w.remote)).toEqual(expected.remoteAfter ?? c.remoteAfter ?? expected.after);
    expect(report.conflicts.length).toBe(c.conflicts ?? 0);
    expect(report.failed).toEqual([]);
    // A second run changes nothing more (and, without conflicts, finds nothing to do).
    const again = await runSync(ctx(w));
    expect(localTree(w.root)).toEqual(expected.after);
    expect(again.transferred).toEqual([]);
    expect(again.deleted).toEqual([]);
  });
});

describe('one-way commands against the same table', () => {
  const run = (cmd: 'up' | 'down', w: World, extra: { delete?: boolean; force?: boolean } = {}): Promise<RunReport> =>
    (cmd === 'up' ? runUp : runDown)({ ...ctx(w), ...extra });

  it.each<[string, Action, Action, 'up' | 'down', { delete?: boolean; force?: boolean }, Tree, Tree]>([
    // [name, local, remote, command, flags, local after, remote after]
    ['up sends a local edit', 'modify', 'none', 'up', {}, { 'f.txt': 'L2' }, { 'f.txt': 'L2' }],
    ['up never reverts a remote edit', 'none', 'modify', 'up', {}, { 'f.txt': 'B' }, { 'f.txt': 'R2' }],
    ['up keeps a remote edit over a local one', 'modify', 'modify', 'up', {}, { 'f.txt': 'L2' }, { 'f.txt': 'R2' }],
    ['up -f makes the local edit the new version', 'modify', 'modify', 'up', { force: true }, { 'f.txt': 'L2' }, { 'f.txt': 'L2' }],
    ['up does not delete without --delete', 'delete', 'none', 'up', {}, {}, { 'f.txt': 'B' }],
    ['up --delete mirrors a local deletion', 'delete', 'none', 'up', { delete: true }, {}, {}],
    ['up --delete keeps a remote edit of a locally deleted file', 'delete', 'modify', 'up', { delete: true }, {}, { 'f.txt': 'R2' }],
    ['up does not resurrect a file deleted on the server', 'none', 'delete', 'up', {}, { 'f.txt': 'B' }, {}],
    ['up -f does', 'none', 'delete', 'up', { force: true }, { 'f.txt': 'B' }, { 'f.txt': 'B' }],
    ['down brings a remote edit', 'none', 'modify', 'down', {}, { 'f.txt': 'R2' }, { 'f.txt': 'R2' }],
    ['down keeps a local edit over a remote one', 'modify', 'modify', 'down', {}, { 'f.txt': 'L2' }, { 'f.txt': 'R2' }],
    ['down -f takes the remote one', 'modify', 'modify', 'down', { force: true }, { 'f.txt': 'R2' }, { 'f.txt': 'R2' }],
    ['down does not delete without --delete', 'none', 'delete', 'down', {}, { 'f.txt': 'B' }, {}],
    ['down --delete mirrors a remote deletion', 'none', 'delete', 'down', { delete: true }, {}, {}],
    ['down --delete keeps a local edit of a remotely deleted file', 'modify', 'delete', 'down', { delete: true }, { 'f.txt': 'L2' }, {}],
    ['down does not resurrect a file deleted here', 'delete', 'none', 'down', {}, {}, { 'f.txt': 'B' }],
  ])('%s', async (_name, local, remote, cmd, flags, localAfter, remoteAfter) => {
    const w = await syncedWorld('enhanced');
    localSide(w, local);
    remoteSide(w, remote);
    const report = await run(cmd, w, flags);
    expect(report.failed).toEqual([]);
    expect(localTree(w.root)).toEqual(localAfter);
    expect(remoteTree(w.remote)).toEqual(remoteAfter);
  });
});

describe('mc sync: kinds, case and conflicts', () => {
  it('propagates a file replaced by a folder on one side', async () => {
    const w = await syncedWorld('enhanced', { 'x/a.txt': 'A', 'y': 'plain file' });
    rmSync(join(w.root, 'y'));
    write(w.root, 'y/inside.txt', 'now a folder');
    await runSync(ctx(w));
    expect(remoteTree(w.remote)).toEqual({ 'x/a.txt': 'A', 'y/inside.txt': 'now a folder' });
    expect(w.remote.entries.get('y')?.kind).toBe('directory');
  });

  it('propagates a folder replaced by a file on the server', async () => {
    const w = await syncedWorld('enhanced', { 'd/a.txt': 'A' });
    w.remote.delete('d');
    w.remote.put('d', 'a file now');
    await runSync(ctx(w));
    expect(localTree(w.root)).toEqual({ d: 'a file now' });
  });

  it('treats a case-only local rename as the same file (the server ignores case): nothing is sent', async () => {
    const w = await syncedWorld('enhanced', { 'Readme.md': 'R' });
    renameSync(join(w.root, 'Readme.md'), join(w.root, 'README.md'));
    w.remote.uploads = [];
    const report = await runSync(ctx(w));
    expect(report.failed).toEqual([]);
    expect(w.remote.uploads).toEqual([]);
    expect(remoteTree(w.remote)).toEqual({ 'Readme.md': 'R' });
    expect(localTree(w.root)).toEqual({ 'README.md': 'R' });
  });

  it('--prefer local and --prefer remote resolve a conflict', async () => {
    for (const prefer of ['local', 'remote'] as const) {
      const w = await syncedWorld('enhanced');
      localSide(w, 'modify');
      remoteSide(w, 'modify');
      const report = await runSync({ ...ctx(w), prefer });
      const winner = prefer === 'local' ? 'L2' : 'R2';
      expect(report.conflicts).toEqual([]);
      expect(localTree(w.root)).toEqual({ 'f.txt': winner });
      expect(remoteTree(w.remote)).toEqual({ 'f.txt': winner });
    }
  });

  it('keeps reporting a conflict until it is resolved, without downloading the copy again', async () => {
    const w = await syncedWorld('enhanced');
    localSide(w, 'modify');
    remoteSide(w, 'modify');
    await runSync(ctx(w));
    w.remote.downloads = [];
    const again = await runSync(ctx(w));
    expect(again.conflicts).toHaveLength(1);
    expect(w.remote.downloads).toEqual([]);
    // Merged by hand, then kept: the merge becomes the new version.
    write(w.root, 'f.txt', 'merged');
    const resolved = await runSync({ ...ctx(w), prefer: 'local' });
    expect(resolved.conflicts).toEqual([]);
    expect(remoteTree(w.remote)).toEqual({ 'f.txt': 'merged' });
  });

  it('turns a remote change that lands during the run into a conflict instead of overwriting it', async () => {
    const w = await syncedWorld('enhanced');
    localSide(w, 'modify');
    w.remote.beforeTransfer = () => {
      w.remote.beforeTransfer = undefined;
      w.remote.put('f.txt', 'landed meanwhile');
    };
    const report = await runSync(ctx(w));
    expect(remoteTree(w.remote)).toEqual({ 'f.txt': 'landed meanwhile' });
    expect(report.conflicts.map((c) => c.path)).toEqual(['f.txt']);
    expect(localTree(w.root)).toEqual({ 'f.txt': 'L2' });
  });

  it('repeats a remote folder rename locally (enhanced), keeping local edits inside it', async () => {
    const w = await syncedWorld('enhanced', { 'old/a.txt': 'A', 'old/b.txt': 'B' });
    w.remote.move('old', 'new');
    write(w.root, 'old/b.txt', 'B edited here');
    w.remote.downloads = [];
    const report = await runSync(ctx(w));
    expect(report.renamed).toEqual([{ from: 'old', to: 'new' }]);
    expect(w.remote.downloads).toEqual([]);
    expect(localTree(w.root)).toEqual({ 'new/a.txt': 'A', 'new/b.txt': 'B edited here' });
    expect(remoteTree(w.remote)).toEqual({ 'new/a.txt': 'A', 'new/b.txt': 'B edited here' });
    expect(existsSync(join(w.root, 'old'))).toBe(false);
  });

  it('asks the enhanced server only for changes when nothing changed', async () => {
    const w = await syncedWorld('enhanced', { 'a.txt': 'A' });
    w.remote.snapshotCalls = 0;
    w.remote.changesCalls = 0;
    const before = w.remote.requestCount();
    await runSync(ctx(w));
    expect(w.remote.requestCount() - before).toBe(1);
    expect([w.remote.snapshotCalls, w.remote.changesCalls]).toEqual([0, 1]);
  });

  it('lists the whole tree again when the change cursor expired', async () => {
    const w = await syncedWorld('enhanced', { 'a.txt': 'A' });
    w.remote.put('b.txt', 'B');
    w.remote.expireBefore = w.remote.log.length;
    w.remote.snapshotCalls = 0;
    await runSync(ctx(w));
    expect(w.remote.snapshotCalls).toBe(1);
    expect(localTree(w.root)).toEqual({ 'a.txt': 'A', 'b.txt': 'B' });
  });
});

describe('the change feed after a run that changed the server', () => {
  it('is read at the end of that run, so the next quiet run costs one request', async () => {
    const w = await syncedWorld('enhanced', { 'a.txt': 'A' });
    for (let i = 0; i < 30; i++) write(w.root, `many/${i}.txt`, `file ${i}`);
    await runSync(ctx(w));
    w.remote.changesCalls = 0;
    const before = w.remote.requestCount();
    const quiet = await runSync(ctx(w));
    expect(quiet.transferred).toEqual([]);
    expect(w.remote.requestCount() - before).toBe(1);
  });
});
