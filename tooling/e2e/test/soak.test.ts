import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { type RunningServer, startMcServer } from '../src/binaries';
import { type Account, type AccountServer, McRecorder, ServerView, homeWithAccounts, readAccessLog, readProjectConfig, startServerWithAccounts } from '../src/cli-fixture';
import { prng } from '../src/prng';

/**
 * The reliability soak (issue 6): hundreds of `mc up`, `mc down` and `mc sync` runs over small trees
 * of mixed sizes against servers with random seeded faults. After every run the local trees and the
 * server are checked against a model of what they must hold: nothing lost or corrupted, no partial
 * file under a final name, no duplicate version, every failure a non-zero exit that says what
 * failed; a failed run is run again until it converges.
 *
 * One person edits folder A (`up`, and `sync` with deletions); a clone B only receives (`down`, and
 * `sync`, which also deletes what A deleted). The server is read through a second `mc-server` on
 * the same data folder without faults, so the checks themselves never meet an injected fault.
 *
 * MCSYNC_SOAK_SEED=N reproduces a run (as far as concurrency allows); MCSYNC_SOAK_RUNS=N sets the
 * number of runs per profile.
 */
const SEED = Number(process.env.MCSYNC_SOAK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS_PER_PROFILE = Number(process.env.MCSYNC_SOAK_RUNS ?? 120);
/** Runs against one server (one fault SPEC, one project) before the next gets a new SPEC. */
const RUNS_PER_SERVER = 20;
/** Attempts of one run (the first and the reruns) before it counts as not converging. */
const MAX_ATTEMPTS = 8;
/** An `mc` run that takes longer than this hangs (a finding), it does not stall the suite. */
const MC_TIMEOUT_MS = 120_000;
const KiB = 1024;
const MiB = 1024 * KiB;
/**
 * Just above the thresholds for tus uploads and resumable downloads (both 64 MiB, packages/transport
 * `TUS_THRESHOLD` and `RESUMABLE_DOWNLOAD_BYTES`). Such a file costs seconds, so only some servers
 * get one, in one run.
 */
const BIG = 64 * MiB + 4321;
const SHARE_OF_SERVERS_WITH_A_BIG_FILE = 0.5;
const SHARE_OF_SERVERS_WITH_A_STORM = 0.35;

type Profile = 'stock' | 'enhanced';
type Random = () => number;

const between = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
function weighted<T>(r: Random, table: ReadonlyArray<readonly [number, T]>): T {
  let x = r() * table.reduce((n, [w]) => n + w, 0);
  for (const [w, value] of table) if ((x -= w) < 0) return value;
  return table.at(-1)![1];
}

/**
 * A random fault SPEC: three to six rules over the families mc meets, at modest probabilities so a
 * run mostly converges within a few reruns. `tus-patch:corrupt` only on enhanced: stock (like
 * production) has no checksum on tus chunks, so a flipped byte there is stored and no client can
 * tell short of downloading the file again (apps/server/test/faults.test.ts "stock cannot notice").
 * tus rules only meet the occasional BIG file.
 */
function faultSpec(r: Random, profile: Profile): string {
  const p = () => (between(r, 5, 20) / 100).toFixed(2);
  // Enhanced moves most files in bulk requests: give that family its share of the faults.
  const bulk = profile === 'enhanced' ? 3 : 1;
  const templates: ReadonlyArray<readonly [number, () => string]> = [
    [3, () => `download:corrupt=${between(r, 0, 40)}@${p()}`],
    [3, () => `download:reset@${p()}`],
    [3, () => `download:truncate@${p()}`],
    [2, () => `download:5xx@${p()}`],
    [1, () => `download:slow=${between(r, 2, 6) * MiB}@0.05`],
    [3, () => `upload:reset@${p()}`],
    [2, () => `upload:truncate@${p()}`],
    [2, () => `upload:corrupt@${p()}`],
    [3, () => `upload:5xx@${p()}`],
    [2, () => `upload:status=429@${p()}`],
    [1, () => `upload:enospc#${between(r, 1, 2)}`],
    [3, () => `listing:5xx@${p()}`],
    [2, () => `listing:status=429@${p()}`],
    [2, () => `listing:truncate@${p()}`],
    [2, () => `listing:corrupt@${p()}`],
    [bulk, () => `bulk:reset@${p()}`],
    [bulk, () => `bulk:truncate@${p()}`],
    [bulk, () => `bulk:corrupt=${between(r, 0, 600)}@${p()}`],
    [bulk, () => `bulk:5xx@${p()}`],
    [1, () => `bulk:enospc#1`],
    [1, () => `tus:5xx@${p()}`],
    [1, () => `tus-patch:reset@${p()}`],
    [1, () => `tus-create:status=429@${p()}`],
    [profile === 'enhanced' ? 1 : 0, () => `tus-patch:corrupt@${p()}`],
    [1, () => `tus-patch:enospc#1`],
    [1, () => `*:latency=${between(r, 10, 150)}@0.1`],
    [1, () => `*:5xx@0.03`],
  ];
  const rules = new Set<string>();
  for (let n = between(r, 3, 6); rules.size < n; ) rules.add(weighted(r, templates)());
  // mc retries what fails now and then, so modest faults seldom reach the exit code: some servers
  // get a storm on one family, strong enough to outlast the retries and fail runs.
  if (r() < SHARE_OF_SERVERS_WITH_A_STORM) {
    const family = pick(r, profile === 'enhanced' ? ['bulk', 'bulk', 'download', 'upload', 'listing', 'tus'] : ['download', 'upload', 'listing', 'tus']);
    const kinds = family === 'listing' ? ['5xx', 'truncate', 'corrupt'] : family === 'tus' && profile === 'stock' ? ['5xx', 'reset'] : ['5xx', 'reset', 'corrupt'];
    rules.add(`${family}:${pick(r, kinds)}@${(between(r, 30, 45) / 100).toFixed(2)}`);
  }
  return [...rules].join(',');
}

/** A file size from the mix: empty, a few bytes, a few KiB, ~100 KB, a few MiB. */
function sizeOf(r: Random): number {
  return weighted(r, [
    [8, () => 0],
    [25, () => between(r, 1, 64)],
    [25, () => between(r, 1 * KiB, 16 * KiB)],
    [28, () => between(r, 90 * KiB, 110 * KiB)],
    [10, () => between(r, 1 * MiB, 4 * MiB)],
  ] as const)();
}

/** `size` bytes, different for every (seed, path, version): a keystream, fast even for MiBs. */
function contentOf(seed: number, path: string, version: number, size: number): Buffer {
  const key = createHash('md5').update(`${seed}:${path}:${version}`).digest();
  const tag = Buffer.from(`${path} v${version}\n`);
  const body = createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
  tag.copy(body, 0, 0, Math.min(tag.length, size));
  return body;
}
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface Json {
  transferred?: Array<{ path: string; bytes: number }>;
  failed?: Array<{ path: string; code: string; message: string }>;
  conflicts?: unknown[];
  error?: { code: string; message: string };
}

interface FileState {
  md5: string;
  size: number;
}

/** What each side must hold: A's files (the truth), B's files, and every content each path has had. */
interface Model {
  a: Map<string, FileState>;
  b: Map<string, FileState>;
  /** Per path on the server, the MD5 of each content it was given (one version each). */
  history: Map<string, Set<string>>;
  nextFile: number;
  /** The run of this server that adds a BIG file, if any. */
  bigAt: number | null;
}

interface Totals {
  runs: number;
  attempts: number;
  nonZero: number;
  rerunRuns: number;
  injectedStatuses: number;
  requests: number;
  failedByCode: Map<string, number>;
  lost: number;
  corrupt: number;
  partial: number;
  duplicateVersions: number;
  unconverged: number;
  bigFiles: number;
  problems: string[];
  seconds: number;
}

const FOLDERS = ['', 'raw', 'raw/run-1', 'raw/run-2', 'analysis/fits/deep', 'notes and drafts', 'données'];
const EXTS = ['dat', 'txt', 'csv', 'h5', 'tif', 'json'];

type Op = { who: 'a'; command: 'up' | 'sync' } | { who: 'b'; command: 'down' | 'sync' };
const argsOf = (op: Op) => (op.command === 'sync' ? ['sync', '--json'] : [op.command, '-r', '.', '--json']);

/** One server with one fault SPEC, a project, its two folders, and the model of what they hold. */
class Batch {
  readonly model: Model = { a: new Map(), b: new Map(), history: new Map(), nextFile: 0, bigAt: null };
  /** MD5s of files on disk by path, reused while size, mtime, ctime and inode stay the same. */
  readonly digests = new Map<string, { key: string; md5: string }>();
  private constructor(
    readonly label: string,
    readonly server: AccountServer,
    readonly mirror: RunningServer,
    readonly view: ServerView,
    readonly a: { root: string; home: string },
    readonly b: { root: string; home: string },
    readonly projectId: number,
  ) {}

  static async start(mc: McRecorder, profile: Profile, spec: string, seed: number, label: string): Promise<Batch> {
    const server = await startServerWithAccounts(`soak-${profile}`, ['soak@example.org'], profile, ['--faults', spec, '--seed', String(seed)]);
    const account: Account = server.accounts[0]!;
    // Read-only checks go through a second server on the same data, without faults.
    const mirror = await startMcServer(['--data', server.dataDir, '--profile', profile]);
    const home = homeWithAccounts(server, [account]);
    const aRoot = join(server.scratch('work'), 'soak-project');
    mkdirSync(aRoot, { recursive: true });
    // `*` faults reach `mc init` and `mc clone` too: try again (an init that created the project
    // but lost the answer needs --use-existing).
    await retryCommand(mc, ['init'], ['init', '--use-existing'], { home, cwd: aRoot }, `${label}: mc init`);
    const projectId = readProjectConfig(aRoot).project_id;
    const bRoot = join(server.scratch('clone'), 'b');
    await retryCommand(mc, ['clone', String(projectId), bRoot], ['clone', String(projectId), bRoot], { home, cwd: server.scratch('cwd') }, `${label}: mc clone`, () =>
      rmSync(bRoot, { recursive: true, force: true }),
    );
    return new Batch(label, server, mirror, new ServerView(mirror.url, account.token), { root: aRoot, home }, { root: bRoot, home }, projectId);
  }

  async stop(): Promise<void> {
    await this.mirror.stop();
    await this.server.stop();
  }
}

async function retryCommand(
  mc: McRecorder,
  first: string[],
  again: string[],
  opts: { home: string; cwd: string },
  what: string,
  beforeRetry?: () => void,
): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) beforeRetry?.();
    const run = await mc.run(attempt === 0 ? first : again, { ...opts, timeoutMs: MC_TIMEOUT_MS });
    if (run.code === 0) return;
    last = `exit ${run.code}: ${run.stderr.trim()}`;
  }
  throw new Error(`${what} failed ${MAX_ATTEMPTS} times, last ${last}`);
}

/** Changes A for one run: new files, new versions, and (for `sync`) a deletion. */
function mutateA(r: Random, seed: number, batch: Batch, op: Op, big: boolean): string[] {
  const { model, a } = batch;
  const touched: string[] = [];
  const write = (path: string, size = () => sizeOf(r)) => {
    const history = model.history.get(path) ?? new Set<string>();
    // A content this path never had, so each one is exactly one version.
    let content: Buffer;
    let sum: string;
    for (let v = history.size; ; v++) {
      content = contentOf(seed, path, v, size());
      sum = md5(content);
      if (!history.has(sum)) break;
    }
    mkdirSync(join(a.root, path, '..'), { recursive: true });
    writeFileSync(join(a.root, path), content);
    history.add(sum);
    model.history.set(path, history);
    model.a.set(path, { md5: sum, size: content.length });
    touched.push(path);
  };
  const total = () => [...model.a.values()].reduce((n, f) => n + (f.size >= BIG ? 0 : f.size), 0);
  const existing = () => [...model.a].filter(([p, f]) => !touched.includes(p) && f.size < BIG).map(([p]) => p);
  if (big) write(`raw/stack-${model.nextFile++}.tif`, () => BIG);
  const adds = model.a.size < 30 && total() < 24 * MiB ? between(r, 1, 4) : 0;
  for (let i = 0; i < adds; i++) {
    const folder = pick(r, FOLDERS);
    const name = `f${model.nextFile++}.${pick(r, EXTS)}`;
    write(folder ? `${folder}/${name}` : name);
  }
  for (let i = between(r, 0, 2); i > 0 && existing().length > 0; i--) write(pick(r, existing()));
  if (op.command === 'sync' && model.a.size > 3 && (r() < 0.5 || total() > 20 * MiB)) {
    // A BIG file does not stay long: every later run would carry its cost.
    const bigOne = [...model.a].find(([p, f]) => f.size >= BIG && !touched.includes(p))?.[0];
    const gone = bigOne ?? pick(r, existing());
    if (gone) {
      unlinkSync(join(a.root, gone));
      model.a.delete(gone);
      touched.push(gone);
    }
  }
  return touched;
}

/** MD5 of every file under `root` but `.mc/` (temporary files included), by relative path. */
async function digestTree(root: string, cache: Map<string, { key: string; md5: string }>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      if (path === '.mc') continue;
      if (d.isDirectory()) await walk(path);
      else if (d.isFile()) out.set(path, await md5OfFile(join(root, path), cache));
    }
  };
  await walk('');
  return out;
}

async function md5OfFile(file: string, cache: Map<string, { key: string; md5: string }>): Promise<string> {
  const st = statSync(file, { bigint: true });
  // ctime too: a write cannot leave it unchanged, even one that puts mtime back.
  const key = `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  const known = cache.get(file);
  if (known?.key === key) return known.md5;
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  const sum = hash.digest('hex');
  cache.set(file, { key, md5: sum });
  return sum;
}

function sameState(x: ReadonlyMap<string, string>, y: ReadonlyMap<string, FileState>): boolean {
  return x.size === y.size && [...y].every(([path, f]) => x.get(path) === f.md5);
}

/**
 * The checks after one attempt. Always: A holds exactly its model (mc never writes there: nobody
 * else changes the project); every file in B is the model's old or new content (never a partial
 * file under a final name); what the run reported as transferred is there with the right bytes; a
 * non-zero exit says what failed. After exit 0 also: B and the server hold exactly the model, with
 * one version per content a path was given.
 */
async function checkAttempt(
  batch: Batch,
  op: Op,
  attempt: { code: number; json: Json | null; stdout: string; stderr: string },
  converged: boolean,
  r: Random,
  totals: Totals,
  where: string,
): Promise<void> {
  const { model } = batch;
  const problem = (kind: 'lost' | 'corrupt' | 'partial' | 'duplicateVersions' | null, text: string) => {
    if (kind) totals[kind]++;
    totals.problems.push(`${where}: ${text}`);
  };
  const { json, code } = attempt;
  if (!json) problem(null, `stdout is not one JSON document (exit ${code}): ${attempt.stdout.slice(0, 300)} ${attempt.stderr.slice(0, 300)}`);
  if (code !== 0 && json && !json.error && !(json.failed?.length ?? 0) && !(json.conflicts?.length ?? 0)) problem(null, `exit ${code} but nothing reported as failed: ${attempt.stderr.slice(0, 300)}`);
  if (code === 0 && json && (json.error || (json.failed?.length ?? 0) > 0)) problem(null, `exit 0 with failures reported: ${JSON.stringify(json.failed ?? json.error)}`);
  if (![0, 1, 2].includes(code)) problem(null, `exit ${code} (expected 0, 1 or 2; nothing here conflicts): ${attempt.stderr.slice(0, 400)}`);

  const onDiskA = await digestTree(batch.a.root, batch.digests);
  if (!sameState(onDiskA, model.a)) problem('corrupt', `folder A changed under mc ${op.command}: ${diffText(onDiskA, model.a)}`);

  const onDiskB = await digestTree(batch.b.root, batch.digests);
  for (const [path, sum] of onDiskB) {
    if (path.split('/').pop()!.startsWith('.mc-tmp-')) {
      if (converged) problem('partial', `temporary file ${path} left after a run that exited 0`);
      continue;
    }
    const allowed = [model.b.get(path)?.md5, op.who === 'b' ? model.a.get(path)?.md5 : undefined];
    if (!allowed.includes(sum)) problem(model.history.get(path)?.has(sum) ? 'corrupt' : 'partial', `B/${path} holds content it never had (${sum})`);
  }
  for (const [path] of model.b) {
    const deletable = op.who === 'b' && op.command === 'sync' && !model.a.has(path);
    if (!onDiskB.has(path) && !deletable) problem('lost', `B/${path} is gone`);
  }

  const remote = (await batch.view.tree(batch.projectId)).files;
  const transferred = json?.transferred ?? [];
  for (const t of transferred) {
    if (op.who === 'a') {
      const want = model.a.get(t.path);
      const got = remote.get(t.path);
      if (!want) problem(null, `reported ${t.path} as uploaded, which A does not have`);
      else if (!got) problem('lost', `reported ${t.path} as uploaded, the server has no file there`);
      else if ((await remoteMd5(batch, got)) !== want.md5) problem('corrupt', `uploaded ${t.path}: the server holds other bytes`);
    } else {
      const want = model.a.get(t.path);
      if (!want) problem(null, `reported ${t.path} as downloaded, which the server should not have`);
      else if (onDiskB.get(t.path) !== want.md5) problem('corrupt', `downloaded ${t.path}: B holds ${onDiskB.get(t.path) ?? 'nothing'}, not ${want.md5}`);
    }
  }
  // What B holds now is its state for the next checks, whatever the exit code (checked above).
  model.b = new Map([...onDiskB].filter(([p]) => !p.split('/').pop()!.startsWith('.mc-tmp-')).map(([p, sum]) => [p, { md5: sum, size: -1 }]));
  if (!converged) return;

  if (op.who === 'b') {
    const stale = [...model.b.keys()].filter((p) => !model.a.has(p));
    if (op.command === 'sync' && stale.length > 0) problem('lost', `mc sync exited 0 but B still has what A deleted: ${stale.join(', ')}`);
    for (const [path, f] of model.a) {
      if (model.b.get(path)?.md5 !== f.md5) problem(onDiskB.has(path) ? 'corrupt' : 'lost', `after mc ${op.command} exited 0, B/${path} is ${onDiskB.get(path) ?? 'missing'}, not ${f.md5}`);
    }
  }
  for (const [path, f] of model.a) {
    const got = remote.get(path);
    if (!got) {
      problem('lost', `after mc ${op.command} in ${op.who.toUpperCase()} exited 0 the server has no ${path}`);
      continue;
    }
    if (got.size !== f.size || (got.checksum !== '' && got.checksum !== f.md5)) problem('corrupt', `server ${path}: ${got.size} bytes, MD5 ${got.checksum}; expected ${f.size}, ${f.md5}`);
  }
  for (const path of remote.keys()) if (!model.a.has(path)) problem(null, `the server has ${path}, which A deleted (and mc sync there exited 0)`);
  // Bytes as the server sends them, and the versions, for a sample (all of them at a batch's end).
  const sample = [...remote.keys()].filter((p) => model.a.has(p) && (transferred.some((t) => t.path === p) || r() < 0.15));
  for (const path of sample) await checkVersionsAndBytes(batch, path, remote.get(path)!, problem);
}

async function checkVersionsAndBytes(
  batch: Batch,
  path: string,
  file: { id: number; size: number; checksum: string },
  problem: (kind: 'corrupt' | 'duplicateVersions', text: string) => void,
): Promise<void> {
  const want = batch.model.a.get(path)!;
  const history = batch.model.history.get(path)!;
  if ((await batch.view.md5Of(batch.projectId, file.id)) !== want.md5) problem('corrupt', `server ${path}: the download is not the content uploaded`);
  const others = (await batch.view.otherVersions(batch.projectId, file.id)) as Array<{ checksum: string }>;
  if (others.length + 1 > history.size) {
    problem('duplicateVersions', `server ${path}: ${others.length + 1} versions for ${history.size} contents (${others.map((o) => o.checksum || '""').join(', ')})`);
  }
  for (const o of others) if (o.checksum && !history.has(o.checksum)) problem('corrupt', `server ${path}: a previous version holds content never uploaded (${o.checksum})`);
}

async function remoteMd5(batch: Batch, file: { id: number; checksum: string }): Promise<string> {
  return file.checksum !== '' ? file.checksum : batch.view.md5Of(batch.projectId, file.id);
}

function diffText(onDisk: ReadonlyMap<string, string>, want: ReadonlyMap<string, FileState>): string {
  const out: string[] = [];
  for (const [p, f] of want) if (onDisk.get(p) !== f.md5) out.push(`${p} ${onDisk.has(p) ? 'differs' : 'missing'}`);
  for (const p of onDisk.keys()) if (!want.has(p)) out.push(`${p} unexpected`);
  return out.slice(0, 6).join(', ');
}

/** A short account of what a run reported. */
function outcome(json: Json | null, stderr: string): string {
  if (!json) return stderr.trim().slice(0, 200);
  if (json.error) return `${json.error.code} ${json.error.message}`;
  const items = [...(json.failed ?? []).map((f) => `${f.path}: ${f.code} ${f.message}`), ...(json.conflicts ?? []).map((c) => `conflict ${JSON.stringify(c)}`)];
  return items.slice(0, 3).join('; ') + (items.length > 3 ? ` (+${items.length - 3})` : '');
}

function parseJson(stdout: string): Json | null {
  try {
    return JSON.parse(stdout) as Json;
  } catch {
    return null;
  }
}

async function soak(profile: Profile, mc: McRecorder, seed: number, runs: number, secrets: string[]): Promise<Totals> {
  const r = prng(seed);
  const started = performance.now();
  const totals: Totals = {
    runs: 0,
    attempts: 0,
    nonZero: 0,
    rerunRuns: 0,
    injectedStatuses: 0,
    requests: 0,
    failedByCode: new Map(),
    lost: 0,
    corrupt: 0,
    partial: 0,
    duplicateVersions: 0,
    unconverged: 0,
    bigFiles: 0,
    problems: [],
    seconds: 0,
  };
  for (let serverNo = 0; totals.runs < runs; serverNo++) {
    const spec = faultSpec(r, profile);
    const serverSeed = between(r, 1, 2 ** 31);
    const label = `${profile} server ${serverNo} (--faults '${spec}' --seed ${serverSeed})`;
    console.log(`soak: ${label}`);
    const batch = await Batch.start(mc, profile, spec, serverSeed, label);
    if (r() < SHARE_OF_SERVERS_WITH_A_BIG_FILE) batch.model.bigAt = between(r, 0, RUNS_PER_SERVER / 2);
    secrets.push(...batch.server.accounts.flatMap((a) => [a.token, a.password]));
    try {
      for (let i = 0; i < RUNS_PER_SERVER && totals.runs < runs; i++) {
        const op = weighted<Op>(r, [
          [35, { who: 'a', command: 'up' }],
          [25, { who: 'a', command: 'sync' }],
          [25, { who: 'b', command: 'down' }],
          [15, { who: 'b', command: 'sync' }],
        ]);
        if (i === batch.model.bigAt && op.who === 'b') batch.model.bigAt++;
        const touched = op.who === 'a' ? mutateA(r, seed + serverNo, batch, op, i === batch.model.bigAt) : [];
        if (i === batch.model.bigAt) totals.bigFiles++;
        const cwd = op.who === 'a' ? batch.a : batch.b;
        totals.runs++;
        let converged = false;
        /** What each attempt said, for the report of a run that does not converge or breaks a check. */
        const said: string[] = [];
        for (let attempt = 1; attempt <= MAX_ATTEMPTS && !converged; attempt++) {
          const where = `${label} run ${i} (mc ${op.command} in ${op.who.toUpperCase()}, attempt ${attempt}, touched ${touched.join(' ') || 'nothing'})`;
          const run = await mc.run(argsOf(op), { home: cwd.home, cwd: cwd.root, timeoutMs: MC_TIMEOUT_MS });
          const json = parseJson(run.stdout);
          totals.attempts++;
          converged = run.code === 0;
          if (!converged) {
            totals.nonZero++;
            if (attempt === 1) totals.rerunRuns++;
            for (const f of json?.failed ?? []) totals.failedByCode.set(f.code, (totals.failedByCode.get(f.code) ?? 0) + 1);
            if (json?.error) totals.failedByCode.set(json.error.code, (totals.failedByCode.get(json.error.code) ?? 0) + 1);
          }
          said.push(`exit ${run.code}: ${outcome(json, run.stderr)}`);
          const before = totals.problems.length;
          await checkAttempt(batch, op, { code: run.code, json, stdout: run.stdout, stderr: run.stderr }, converged, r, totals, where);
          if (totals.problems.length > before) totals.problems.push(`${where}: the attempts said: ${said.join(' | ')}`);
        }
        if (!converged) {
          totals.unconverged++;
          totals.problems.push(`${label} run ${i}: mc ${op.command} did not succeed in ${MAX_ATTEMPTS} attempts: ${said.join(' | ')}`);
          break; // the model cannot follow a run that never finished: next server
        }
      }
      // Every file's versions and bytes once per server.
      const remote = (await batch.view.tree(batch.projectId)).files;
      for (const [path, file] of remote) {
        if (!batch.model.a.has(path)) continue;
        await checkVersionsAndBytes(batch, path, file, (kind, text) => {
          totals[kind]++;
          totals.problems.push(`${label} at the end: ${text}`);
        });
      }
      const log = readAccessLog(batch.server.accessLog);
      totals.requests += log.length;
      totals.injectedStatuses += log.filter((l) => l.status === 429 || l.status >= 500).length;
    } finally {
      await batch.stop();
    }
  }
  totals.seconds = (performance.now() - started) / 1000;
  return totals;
}

function summary(profile: string, t: Totals): string {
  const codes = [...t.failedByCode].map(([c, n]) => `${c} ${n}`).join(', ');
  return (
    `soak ${profile}: ${t.runs} runs (${t.attempts} mc runs), ${t.nonZero} non-zero exits, ${t.rerunRuns} runs needed reruns, ` +
    `${t.unconverged === 0 ? 'all converged' : `${t.unconverged} did not converge`}, ${t.lost} lost, ${t.corrupt} corrupt, ${t.partial} partial, ` +
    `${t.duplicateVersions} duplicate versions; ${t.bigFiles} files of ${(BIG / MiB).toFixed(0)} MiB; ${t.requests} requests, ${t.injectedStatuses} answered 429/5xx; failures by code: ${codes || 'none'}; ${t.seconds.toFixed(0)} s`
  );
}

describe('soak: mc up/down/sync under random seeded faults', () => {
  const mc = new McRecorder();
  const results: Totals[] = [];
  afterAll(() => {
    if (results.length < 2) return;
    const sum = (f: (t: Totals) => number) => results.reduce((n, t) => n + f(t), 0);
    const unconverged = sum((t) => t.unconverged);
    console.log(
      `soak: ${sum((t) => t.runs)} runs, ${sum((t) => t.nonZero)} non-zero exits, ${unconverged === 0 ? 'all converged' : `${unconverged} did not converge`}, ` +
        `${sum((t) => t.lost)} lost, ${sum((t) => t.corrupt)} corrupt, ${sum((t) => t.partial)} partial, ${sum((t) => t.duplicateVersions)} duplicate versions (seed ${SEED})`,
    );
  });
  console.log(`soak: seed ${SEED} (MCSYNC_SOAK_SEED=${SEED} to repeat), ${RUNS_PER_PROFILE} runs per profile`);

  // Both profiles at once: most of a run is waiting on processes, and two cores are enough for both.
  it.concurrent.for(['stock', 'enhanced'] as const)(
    '%s: every run converges, nothing is lost, corrupted, partial or duplicated, every failure exits non-zero',
    { timeout: 900_000 },
    async (profile, { expect }) => {
      const secrets: string[] = [];
      const totals = await soak(profile, mc, SEED + (profile === 'stock' ? 0 : 1), RUNS_PER_PROFILE, secrets);
      results.push(totals);
      console.log(summary(profile, totals));
      expect(totals.problems, `seed ${SEED}`).toEqual([]);
      expect(totals.runs).toBe(RUNS_PER_PROFILE);
      expect(mc.leaks(secrets)).toEqual([]);
    },
  );
});
