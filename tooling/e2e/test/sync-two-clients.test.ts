import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  type AccountServer,
  McRecorder,
  homeWithAccounts,
  initProject,
  onlyJson,
  readAccessLog,
  startServerWithAccounts,
  writeTree,
} from '../src/cli-fixture';
import { digestTree } from '../src/tree-digest';

/**
 * Issue 3's convergence test: two people sync one project from two folders, editing in turns and
 * at the same time; after `mc sync` on both, both folders and the server hold the same files and
 * no edit is lost (a concurrent edit survives as a conflict copy). Run against both profiles.
 */
describe.each(['stock', 'enhanced'] as const)('two clients with mc sync (%s)', (profile) => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let a: { root: string; home: string; projectId: number };
  let b: { root: string; home: string };

  beforeAll(async () => {
    server = await startServerWithAccounts(`sync-${profile}`, ['ann@example.org'], profile);
    ann = server.accounts[0]!;
    a = await initProject(mc, server, ann, 'shared', {
      'notes.txt': 'v1\n',
      'data/run-1/INCAR': 'ENCUT = 400\n',
      'data/run-1/OUTCAR': 'energy -1.0\n',
      'data/run-2/INCAR': 'ENCUT = 520\n',
      'docs/plan.md': '# plan\n',
    });
    expect((await mc.run(['sync'], { home: a.home, cwd: a.root })).code).toBe(0);
    const bRoot = join(server.scratch('work'), 'b-copy');
    b = { root: bRoot, home: homeWithAccounts(server, [ann]) };
    expect((await mc.run(['clone', String(a.projectId), bRoot], { home: b.home })).code).toBe(0);
    const first = await mc.run(['sync'], { home: b.home, cwd: b.root });
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    expect(mc.leaks([ann.token, ann.password])).toEqual([]);
    await server?.stop();
  });

  const sync = async (who: { root: string; home: string }, args: string[] = []) => {
    const r = await mc.run(['sync', '--json', ...args], { home: who.home, cwd: who.root });
    return { code: r.code, doc: onlyJson<{ conflicts: Array<{ path: string; copy: string | null }>; failed: unknown[]; requests: number }>(r.stdout), stderr: r.stderr };
  };

  it('starts identical on both sides', async () => {
    expect(Object.fromEntries(await digestTree(b.root))).toEqual(Object.fromEntries(await digestTree(a.root)));
  });

  it('propagates edits, new files, deletions and renames made in turns', async () => {
    writeFileSync(join(a.root, 'notes.txt'), 'v2 by a\n');
    writeTree(a.root, { 'data/run-3/INCAR': 'ENCUT = 600\n' });
    rmSync(join(a.root, 'docs/plan.md'));
    expect((await sync(a)).code).toBe(0);

    renameSync(join(b.root, 'data/run-2'), join(b.root, 'data/run-2-relaxed'));
    writeTree(b.root, { 'data/run-1/OUTCAR': 'energy -1.5 (rerun)\n' });
    const fromB = await sync(b);
    expect(fromB.code, fromB.stderr).toBe(0);
    expect(readFileSync(join(b.root, 'notes.txt'), 'utf8')).toBe('v2 by a\n');
    expect(existsSync(join(b.root, 'docs/plan.md'))).toBe(false);
    expect(readFileSync(join(b.root, 'data/run-3/INCAR'), 'utf8')).toBe('ENCUT = 600\n');

    expect((await sync(a)).code).toBe(0);
    expect(existsSync(join(a.root, 'data/run-2'))).toBe(false);
    expect(readFileSync(join(a.root, 'data/run-2-relaxed/INCAR'), 'utf8')).toBe('ENCUT = 520\n');
    expect(readFileSync(join(a.root, 'data/run-1/OUTCAR'), 'utf8')).toBe('energy -1.5 (rerun)\n');
    expect(Object.fromEntries(await digestTree(b.root))).toEqual(Object.fromEntries(await digestTree(a.root)));
  });

  it('keeps both versions of a file edited on both sides, exits 3 until resolved, then converges', async () => {
    writeFileSync(join(a.root, 'notes.txt'), 'v3 by a\n');
    writeFileSync(join(b.root, 'notes.txt'), 'v3 by b\n');
    expect((await sync(a)).code).toBe(0);
    const clash = await sync(b);
    expect(clash.code).toBe(3);
    expect(clash.doc.conflicts.map((c) => c.path)).toEqual(['notes.txt']);
    const copy = clash.doc.conflicts[0]!.copy!;
    expect(readFileSync(join(b.root, 'notes.txt'), 'utf8')).toBe('v3 by b\n');
    expect(readFileSync(join(b.root, copy), 'utf8')).toBe('v3 by a\n');
    expect((await sync(b)).code).toBe(3);

    writeFileSync(join(b.root, 'notes.txt'), 'v3 by a and b, merged\n');
    rmSync(join(b.root, copy));
    expect((await sync(b, ['--prefer', 'local'])).code).toBe(0);
    expect((await sync(a)).code).toBe(0);
    expect(readFileSync(join(a.root, 'notes.txt'), 'utf8')).toBe('v3 by a and b, merged\n');
    expect(Object.fromEntries(await digestTree(b.root))).toEqual(Object.fromEntries(await digestTree(a.root)));
  });

  it('interleaved edits on both sides converge after one sync each, nothing lost', async () => {
    writeTree(a.root, { 'a-only/new.dat': 'from a\n', 'data/run-1/INCAR': 'ENCUT = 450\n' });
    writeTree(b.root, { 'b-only/new.dat': 'from b\n', 'data/run-3/KPOINTS': '4 4 4\n' });
    rmSync(join(b.root, 'data/run-2-relaxed'), { recursive: true });
    expect((await sync(a)).code).toBe(0);
    expect((await sync(b)).code).toBe(0);
    expect((await sync(a)).code).toBe(0);
    const [ta, tb] = [await digestTree(a.root), await digestTree(b.root)];
    expect(Object.fromEntries(tb)).toEqual(Object.fromEntries(ta));
    expect([...ta.keys()].sort()).toEqual([
      'a-only/new.dat',
      'b-only/new.dat',
      'data/run-1/INCAR',
      'data/run-1/OUTCAR',
      'data/run-3/INCAR',
      'data/run-3/KPOINTS',
      'notes.txt',
    ]);
    expect(readdirSync(a.root).filter((n) => n.includes('conflict-remote'))).toEqual([]);
  });

  it(`a sync with nothing changed costs ${profile === 'enhanced' ? 'at most 2 requests' : 'one listing per folder and no writes'}`, async () => {
    const before = readAccessLog(server.accessLog).length;
    const quiet = await sync(a);
    const during = readAccessLog(server.accessLog).slice(before);
    expect(quiet.code).toBe(0);
    expect(during.filter((r) => r.method !== 'GET')).toEqual([]);
    if (profile === 'enhanced') expect(during.length).toBeLessThanOrEqual(2);
    expect(quiet.doc.requests).toBe(during.length);
  });
});
