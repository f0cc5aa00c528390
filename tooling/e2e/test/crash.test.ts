import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcServer, startMcServer, tempDir } from '../src/binaries';
import { type Account, type AccountServer, McRecorder, ServerView, homeWithAccounts, initProject, onlyJson, spawnMc, startServerWithAccounts, writeTree } from '../src/cli-fixture';
import { exitOf, followProgress } from '../src/process-watch';
import { prng } from '../src/prng';

/**
 * Issue 6, crashes: `mc` killed with SIGKILL at seeded random points of up, down and sync, each
 * followed by reruns that must converge to the exact content with no partial file under a final
 * name, no temporary file left and no second version of anything; the server killed during a run;
 * the state DB left in the middle of a transaction; full disks on both sides.
 * MCSYNC_CRASH_SEED replays a run.
 */
const SEED = Number(process.env.MCSYNC_CRASH_SEED ?? 20261204);
const KILLS_PER_CASE = 4;
const MAX_RERUNS = 3;

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** Random bytes from the seeded stream (content no layer can dedupe). */
function bytes(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let i = 0;
  for (; i + 4 <= size; i += 4) out.writeUInt32LE(Math.floor(random() * 0x100000000), i);
  for (; i < size; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** A small project tree of mixed sizes: empty files, a few bytes, tens of KB, a few MB. */
function mixedTree(prefix: string, count: number): Record<string, Buffer> {
  const sizes = [0, 17, 3_000, 40_000, 300_000, 1_500_000];
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) files[`${prefix}${pick(['raw', 'raw/scans', 'runs/a', 'runs/b', 'cif'])}/f${i}.dat`] = bytes(pick(sizes));
  return files;
}

/** Files under `root` (relative paths), `.mc` left out. */
function localFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (relative(root, path) === '.mc') continue;
      if (e.isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

/** The local folder holds exactly `files`, byte for byte: no partial file, no temporary file, nothing extra. */
function expectLocal(root: string, files: Record<string, Buffer>, what: string): void {
  expect(localFiles(root), `${what}: files on disk`).toEqual(Object.keys(files).sort());
  for (const [path, content] of Object.entries(files)) expect(md5(readFileSync(join(root, path))), `${what}: ${path}`).toBe(md5(content));
}

/** The server holds exactly `files` (by MD5), each with no other version than `versions` allows. */
async function expectRemote(view: ServerView, projectId: number, files: Record<string, Buffer>, what: string, versions: Record<string, number> = {}): Promise<void> {
  const tree = (await view.tree(projectId)).files;
  expect([...tree.keys()].sort(), `${what}: files on the server`).toEqual(Object.keys(files).sort());
  for (const [path, content] of Object.entries(files)) {
    const row = tree.get(path)!;
    expect(row.checksum, `${what}: ${path} on the server`).toBe(md5(content));
    expect((await view.otherVersions(projectId, row.id)).length, `${what}: older versions of ${path}`).toBe(versions[path] ?? 0);
  }
}

/** Runs `mc ARGS --progress=ndjson` and SIGKILLs it at its `killAt`-th progress event; says whether it was killed. */
async function killAt(args: string[], opts: { home: string; cwd: string }, killAt: number, onKill?: () => Promise<void>): Promise<{ killed: boolean; stderr: string; exit: number | string }> {
  const child = spawnMc([...args, '--progress=ndjson'], opts);
  let seen = 0;
  let killing: Promise<void> | null = null;
  const progress = followProgress(child, () => {
    if (++seen !== killAt || killing) return;
    killing = (onKill ? onKill() : Promise.resolve()).then(() => {
      child.kill('SIGKILL');
    });
  });
  const exit = await exitOf(child);
  await killing;
  return { killed: exit === 'SIGKILL', stderr: progress.stderr(), exit };
}

describe.each(['stock', 'enhanced'] as const)('crashes (%s)', (profile) => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let view: ServerView;
  let kills = 0;

  beforeAll(async () => {
    server = await startServerWithAccounts(`crash-${profile}`, ['ann@example.org'], profile);
    ann = server.accounts[0]!;
    view = new ServerView(server.url, ann.token);
  });
  afterAll(async () => {
    await server?.stop();
    expect(mc.leaks([ann.token, ann.password])).toEqual([]);
  });

  /** Reruns `mc ARGS --json` until it exits 0 (at most MAX_RERUNS); a non-zero run must name its failures. */
  async function converge(args: string[], opts: { home: string; cwd: string }, what: string): Promise<number> {
    for (let run = 1; run <= MAX_RERUNS; run++) {
      const r = await mc.run([...args, '--json'], opts);
      if (r.code === 0) return run;
      expect([1, 3], `${what}: rerun ${run} exit ${r.code}: ${r.stderr}`).toContain(r.code);
      if (r.code === 1) expect(onlyJson<{ failed: unknown[] }>(r.stdout).failed.length, `${what}: rerun ${run}`).toBeGreaterThan(0);
    }
    throw new Error(`${what}: no convergence after ${MAX_RERUNS} reruns`);
  }

  it(`mc up killed at ${KILLS_PER_CASE} random points: each rerun converges to the exact files, one version each`, async () => {
    for (let i = 0; i < KILLS_PER_CASE; i++) {
      const files = mixedTree(`up${i}/`, 40);
      const { root, home, projectId } = await initProject(mc, server, ann, `up-${i}`, files);
      const at = 1 + Math.floor(random() * 60);
      const k = await killAt(['up', '-r', '.'], { home, cwd: root }, at);
      if (k.killed) kills++;
      await converge(['up', '-r', '.'], { home, cwd: root }, `up kill ${i} at event ${at}`);
      await expectRemote(view, projectId, files, `up kill ${i}`);
      expectLocal(root, files, `up kill ${i}`);
      // And once converged, nothing more to do.
      expect(onlyJson<{ transferred: unknown[] }>((await mc.run(['up', '-r', '.', '--json'], { home, cwd: root })).stdout).transferred).toEqual([]);
    }
  });

  it(`mc down killed at ${KILLS_PER_CASE} random points: each rerun converges byte for byte, no temporary file left`, async () => {
    const files = mixedTree('', 40);
    const { root, home, projectId } = await initProject(mc, server, ann, 'down-src', files);
    expect((await mc.run(['up', '-r', '.'], { home, cwd: root })).code).toBe(0);
    for (let i = 0; i < KILLS_PER_CASE; i++) {
      const work = server.scratch(`down-${i}`);
      const dst = join(work, 'p');
      expect((await mc.run(['clone', String(projectId), dst], { home, cwd: work })).code).toBe(0);
      const at = 1 + Math.floor(random() * 60);
      const k = await killAt(['down', '-r', '.'], { home, cwd: dst }, at);
      if (k.killed) kills++;
      await converge(['down', '-r', '.'], { home, cwd: dst }, `down kill ${i} at event ${at}`);
      expectLocal(dst, files, `down kill ${i}`);
    }
    await expectRemote(view, projectId, files, 'down source');
  });

  it(`mc sync killed at ${KILLS_PER_CASE} random points with changes on both sides: reruns converge, both changes kept`, async () => {
    for (let i = 0; i < KILLS_PER_CASE; i++) {
      const base = mixedTree(`s${i}/`, 24);
      const { root, home, projectId } = await initProject(mc, server, ann, `sync-${i}`, base);
      expect((await mc.run(['up', '-r', '.'], { home, cwd: root })).code).toBe(0);
      const work = server.scratch(`sync-other-${i}`);
      const other = join(work, 'p');
      expect((await mc.run(['clone', String(projectId), other], { home, cwd: work })).code).toBe(0);
      expect((await mc.run(['down', '-r', '.'], { home, cwd: other })).code).toBe(0);

      // Disjoint changes: the other clone edits and adds some files and uploads them; this one edits and adds others.
      const paths = Object.keys(base);
      const expected = { ...base };
      const versions: Record<string, number> = {};
      const remoteEdits = { ...mixedTree(`s${i}/remote-new-`, 4), [paths[0]!]: bytes(5_000), [paths[1]!]: bytes(200_000) };
      const localEdits = { ...mixedTree(`s${i}/local-new-`, 6), [paths[2]!]: bytes(9_000), [paths[3]!]: bytes(800_000) };
      writeTree(other, remoteEdits);
      writeTree(root, localEdits);
      for (const p of [paths[0]!, paths[1]!, paths[2]!, paths[3]!]) versions[p] = 1;
      Object.assign(expected, remoteEdits, localEdits);
      expect((await mc.run(['up', '-r', '.'], { home, cwd: other })).code).toBe(0);

      const at = 1 + Math.floor(random() * 20);
      const k = await killAt(['sync'], { home, cwd: root }, at);
      if (k.killed) kills++;
      await converge(['sync'], { home, cwd: root }, `sync kill ${i} at event ${at}`);
      expectLocal(root, expected, `sync kill ${i}`);
      await expectRemote(view, projectId, expected, `sync kill ${i}`, versions);
    }
  });

  it('the server killed with SIGKILL and restarted in the middle of an upload and of a download: the reruns converge', async () => {
    const files = mixedTree('srv/', 60);
    const { root, home, projectId } = await initProject(mc, server, ann, 'server-kill', files);
    const child = spawnMc(['up', '-r', '.', '--progress=ndjson'], { home, cwd: root });
    let restarting: Promise<void> | null = null;
    let events = 0;
    followProgress(child, () => {
      if (++events === 15) restarting = server.restart('SIGKILL');
    });
    const exit = await exitOf(child);
    await restarting;
    expect(restarting).not.toBeNull();
    expect([0, 1]).toContain(exit);
    await converge(['up', '-r', '.'], { home, cwd: root }, 'up across a server crash');
    await expectRemote(view, projectId, files, 'up across a server crash');

    const work = server.scratch('server-kill-down');
    const dst = join(work, 'p');
    expect((await mc.run(['clone', String(projectId), dst], { home, cwd: work })).code).toBe(0);
    const down = spawnMc(['down', '-r', '.', '--progress=ndjson'], { home, cwd: dst });
    let downRestart: Promise<void> | null = null;
    events = 0;
    followProgress(down, () => {
      if (++events === 15) downRestart = server.restart('SIGKILL');
    });
    expect([0, 1]).toContain(await exitOf(down));
    await downRestart;
    await converge(['down', '-r', '.'], { home, cwd: dst }, 'down across a server crash');
    expectLocal(dst, files, 'down across a server crash');
  });

  it('a state DB left in the middle of a transaction (the writer killed) is rolled back: the next run finds everything in sync', async () => {
    const files = mixedTree('db/', 20);
    const { root, home } = await initProject(mc, server, ann, 'db-mid-tx', files);
    expect((await mc.run(['up', '-r', '.'], { home, cwd: root })).code).toBe(0);
    const db = join(root, '.mc', 'mcsync.db');
    const requireFromStore = createRequire(join(__dirname, '../../../packages/store/package.json'));
    const driver = requireFromStore.resolve('better-sqlite3');
    const rowCounts = () =>
      execFileSync(process.execPath, ['-e', `
        const Database = require(${JSON.stringify(driver)});
        const db = new Database(${JSON.stringify(db)});
        const counts = {};
        for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all()) counts[name] = db.prepare('SELECT count(*) AS n FROM "' + name + '"').get().n;
        process.stdout.write(JSON.stringify(counts));
      `], { encoding: 'utf8' });
    const before = rowCounts();
    expect(Object.values(JSON.parse(before) as Record<string, number>).some((n) => n > 0)).toBe(true);
    // A writer that empties every table inside one transaction and is killed before it commits.
    const writer = spawn(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(driver)});
      const db = new Database(${JSON.stringify(db)});
      db.exec('BEGIN IMMEDIATE');
      for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()) db.exec('DELETE FROM "' + name + '"');
      process.stdout.write('mid-transaction\\n');
      process.kill(process.pid, 'SIGKILL');
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    writer.stdout!.on('data', (c: Buffer) => (said += c.toString()));
    expect(await exitOf(writer)).toBe('SIGKILL');
    expect(said).toBe('mid-transaction\n');
    kills++;
    // SQLite rolls the half-done transaction back: every row is still there.
    expect(rowCounts()).toBe(before);
    const again = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    expect(again.code, again.stderr).toBe(0);
    const json = onlyJson<{ transferred: unknown[]; skipped: unknown[] }>(again.stdout);
    expect(json.transferred).toEqual([]);
    const status = await mc.run(['status', '--json'], { home, cwd: root });
    expect(status.code, status.stderr).toBe(0);
  });

  it(`counts at least ${3 * KILLS_PER_CASE - 2} kill -9s of mc that landed mid-run`, () => {
    console.log(`crash (${profile}, seed ${SEED}): ${kills} kill -9s landed mid-run, every rerun converged`);
    // Every case above draws its kill point at random; a run that finished first is not a kill.
    expect(kills).toBeGreaterThanOrEqual(3 * KILLS_PER_CASE - 2);
  });
});

/** A tmpfs of `mib` MiB at a new folder, or null where the machine does not allow mounting. */
function smallDisk(mib: number): { dir: string; grow(mib: number): void; release(): void } | null {
  const dir = tempDir('tmpfs');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    grow: (to) => execFileSync('mount', ['-o', `remount,size=${to}m`, dir], { stdio: 'ignore' }),
    release: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const canMount = (() => {
  const probe = smallDisk(1);
  probe?.release();
  return probe !== null;
})();

// Without the right to mount a tmpfs (not root, or in a container without CAP_SYS_ADMIN) these two
// cannot make a real full disk; the server's side is still covered by the injected `enospc` fault
// (apps/server/test/faults.test.ts, tooling/e2e/test/faults-cli.test.ts).
describe.runIf(canMount)('full disks (a real tmpfs)', () => {
  const mc = new McRecorder();
  const disks: Array<{ release(): void }> = [];
  afterAll(() => {
    for (const d of disks) d.release();
  });

  it('local disk full during mc down: the files that fit arrive whole, the others fail naming the lack of space, nothing half-written is kept; with room the rerun converges', async () => {
    const server = await startServerWithAccounts('local-full', ['lee@example.org'], 'stock');
    try {
      const lee = server.accounts[0]!;
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 12; i++) files[`data/chunk-${i}.bin`] = bytes(1_000_000);
      const { root, home, projectId } = await initProject(mc, server, lee, 'local-full-src', files);
      expect((await mc.run(['up', '-r', '.'], { home, cwd: root })).code).toBe(0);

      const disk = smallDisk(6)!;
      disks.push(disk);
      const dst = join(disk.dir, 'p');
      expect((await mc.run(['clone', String(projectId), dst], { home, cwd: disk.dir })).code).toBe(0);
      const full = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
      expect(full.code, full.stderr).toBe(1);
      const json = onlyJson<{ failed: Array<{ path: string; code: string; message: string }> }>(full.stdout);
      expect(json.failed.length).toBeGreaterThan(0);
      for (const f of json.failed) expect(`${f.code} ${f.message}`, f.path).toMatch(/NO_SPACE|no space|ENOSPC/i);
      // What is on disk under a final name is whole; nothing temporary stays behind.
      for (const path of localFiles(dst)) {
        expect(path, 'a temporary file left behind').not.toMatch(/\.mc-tmp-/);
        expect(md5(readFileSync(join(dst, path))), path).toBe(md5(files[path]!));
      }
      disk.grow(64);
      const rerun = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
      expect(rerun.code, rerun.stderr).toBe(0);
      expectLocal(dst, files, 'after the disk grew');
    } finally {
      await server.stop();
    }
  });

  it("server disk full: mc up gets 507 'out of storage space' per file, the server keeps no partial blob or temp file; with room the rerun converges", async () => {
    const disk = smallDisk(6)!;
    disks.push(disk);
    const dataDir = join(disk.dir, 'server-data');
    const added = await mcServer(['user', 'add', 'max@example.org', '--data', dataDir, '--password-stdin'], { input: 'pw max\n' });
    expect(added.code, added.stderr).toBe(0);
    const running = await startMcServer(['--data', dataDir, '--profile', 'stock']);
    try {
      const max: Account = { email: 'max@example.org', password: 'pw max', token: added.stdout.trim() };
      const fake = { url: running.url, scratch: (name: string) => tempDir(`server-full-${name}`) };
      const files: Record<string, Buffer> = { 'small.txt': bytes(2_000), 'big/one.bin': bytes(4_000_000), 'big/two.bin': bytes(4_000_000) };
      const home = homeWithAccounts(fake, [max]);
      const root = join(fake.scratch('work'), 'p');
      mkdirSync(root, { recursive: true });
      writeTree(root, files);
      expect((await mc.run(['init'], { home, cwd: root })).code).toBe(0);
      const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
      expect(up.code, up.stderr).toBe(1);
      const json = onlyJson<{ failed: Array<{ path: string; message: string }> }>(up.stdout);
      expect(json.failed.length).toBeGreaterThan(0);
      for (const f of json.failed) expect(f.message, f.path).toMatch(/out of storage space/);
      expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);
      for (const shard of readdirSync(join(dataDir, 'blobs'))) {
        for (const blob of readdirSync(join(dataDir, 'blobs', shard))) {
          const content = Object.values(files).find((c) => md5(c) === blob);
          expect(content, `blob ${blob} is the MD5 of one of the files`).toBeDefined();
          expect(statSync(join(dataDir, 'blobs', shard, blob)).size).toBe(content!.length);
        }
      }
      disk.grow(64);
      const rerun = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
      expect(rerun.code, rerun.stderr).toBe(0);
      const projectId = JSON.parse(readFileSync(join(root, '.mc', 'config.json'), 'utf8')).project_id as number;
      await expectRemote(new ServerView(running.url, max.token), projectId, files, 'after the server disk grew');
    } finally {
      await running.stop();
    }
  });
});
