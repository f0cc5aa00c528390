import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MC_BIN } from '../../e2e/src/binaries';
import { BenchContext, MC_ENHANCED, MC_SEQUENTIAL, MC_STOCK, type McContender } from './context';
import { countTree, linkCopy, tinyTree } from './data';
import { curlDownload, curlUpload, md5sumTree, rsyncNoop, tarCopy } from './floors';
import { measure } from './measure';
import { rcloneDown, rcloneUp } from './rclone';
import type { Role, RowResult, Sample, ScenarioResult } from './report-types';
import { pairedRatio } from './stats';

export interface Scenario {
  id: string;
  key: string;
  title: string;
  run(ctx: BenchContext, runs: number): Promise<ScenarioResult[]>;
}

interface Contender {
  name: string;
  role: Role;
  files?: number;
  /** Fewer runs than the others (a contender too slow to repeat); ratios then use the runs it has. */
  maxRuns?: number;
  run(i: number): Promise<Sample>;
}

/** Runs every contender once per run, in the same order each run, so each run pair saw the same machine. */
async function alternate(ctx: BenchContext, runs: number, all: readonly Contender[]): Promise<RowResult[]> {
  const contenders = all.filter((c) => !ctx.without.some((w) => c.name.startsWith(w)));
  const rows: RowResult[] = contenders.map((c) => ({ name: c.name, role: c.role, samples: [], ...(c.files ? { files: c.files } : {}) }));
  for (let i = 0; i < runs; i++) {
    for (const [k, c] of contenders.entries()) {
      if (c.maxRuns !== undefined && i >= c.maxRuns) continue;
      const s = await c.run(i);
      rows[k]!.samples.push(s);
      ctx.say(`  run ${i + 1}/${runs} ${c.name}: ${s.seconds.toFixed(2)} s${s.requests !== null ? `, ${s.requests} requests` : ''}${s.peakRssMiB ? `, ${s.peakRssMiB.toFixed(0)} MiB` : ''}`);
    }
  }
  return rows;
}

/** A row by name; a contender left out with --without gives an empty row (its ratios are n/a). */
const row = (rows: RowResult[], name: string): RowResult => rows.find((r) => r.name === name) ?? { name, role: 'mc', samples: [] };
const verdict = (ok: boolean): string => (ok ? '**met**' : '**not met**');
const RCLONE_PACER_NOTE =
  "rclone 1.60's WebDAV backend spaces its requests by at least 10 ms (its pacer), which dominates small-file runs: its times measure that pacing more than the transfer.";
const WAN_NOTE = (ctx: BenchContext): string[] =>
  ctx.delayMs > 0 ? [`--net wan: every request reaches its server ${ctx.delayMs} ms late (a delaying proxy on loopback in front of every server, rclone's and curl's too).`] : [];

/** Contenders that upload `source` into a fresh project (mc) or a fresh folder (rclone). */
function uploadContenders(ctx: BenchContext, source: { root: string; files: number }, label: string, withSequential: boolean): Contender[] {
  const mcRow = (c: McContender): Contender => ({
    name: c.name,
    role: c === MC_SEQUENTIAL ? 'baseline' : 'mc',
    async run() {
      const dir = ctx.dir(`${label}-${c.name}`);
      linkCopy(source.root, dir);
      await ctx.init(c, dir);
      const s = await ctx.timedMc(c, 'up', dir);
      if (!ctx.synced.has(`${c.name}:${source.root}`)) ctx.synced.set(`${c.name}:${source.root}`, dir);
      else rmSync(dir, { recursive: true, force: true });
      return s;
    },
  });
  const davRoot = join(ctx.work, `rclone-dav-${label}`);
  return [
    mcRow(MC_ENHANCED),
    mcRow(MC_STOCK),
    ...(withSequential ? [mcRow(MC_SEQUENTIAL)] : []),
    {
      name: 'rclone webdav',
      role: 'rival',
      // Its pacer makes a 26,000-file upload take about ten minutes: once is enough to place it.
      maxRuns: source.files > 5_000 ? 1 : undefined,
      async run(i) {
        const s = await rcloneUp(source.root, `run-${i}`, await ctx.rclone('webdav', davRoot));
        // The first complete copy stays: scenarios 2 and 3 rerun rclone against it.
        if (!ctx.rcloneCopies.has(source.root)) ctx.rcloneCopies.set(source.root, { davRoot, dest: `run-${i}` });
        else rmSync(join(davRoot, `run-${i}`), { recursive: true, force: true });
        return s;
      },
    },
  ];
}

/** Contenders that download a project uploaded by the same contender into an empty folder. */
function downloadContenders(ctx: BenchContext, source: { root: string; files: number }, label: string, withSequential: boolean): Contender[] {
  const mcRow = (c: McContender, uploader: McContender): Contender => ({
    name: c.name,
    role: c === MC_SEQUENTIAL ? 'baseline' : 'mc',
    async run() {
      const synced = await ctx.syncedCopy(uploader, { ...source, bytes: 0, label });
      const projectId = (JSON.parse(readFileSync(join(synced, '.mc/config.json'), 'utf8')) as { project_id: number }).project_id;
      const parent = ctx.dir(`${label}-down-${c.name}`);
      mkdirSync(parent);
      const dst = join(parent, 'clone');
      await ctx.mc(c, ['clone', String(projectId), dst], parent);
      const s = await ctx.timedMc(c, 'down', dst);
      const got = countTree(dst);
      const want = countTree(synced);
      if (got.files !== want.files || got.bytes !== want.bytes) throw new Error(`${c.name}: downloaded ${got.files} files / ${got.bytes} B, expected ${want.files} / ${want.bytes}`);
      rmSync(parent, { recursive: true, force: true });
      return s;
    },
  });
  return [
    mcRow(MC_ENHANCED, MC_ENHANCED),
    mcRow(MC_STOCK, MC_STOCK),
    ...(withSequential ? [mcRow(MC_SEQUENTIAL, MC_STOCK)] : []),
    {
      name: 'rclone http',
      role: 'rival',
      async run() {
        return rcloneDown(ctx.dir(`${label}-rclone-down`), await ctx.rclone('http', source.root));
      },
    },
  ];
}

const treeUp: Scenario = {
  id: '1',
  key: 'tree-up',
  title: 'upload the project tree into an empty project',
  async run(ctx, runs) {
    const tree = ctx.tree();
    const rows = await alternate(ctx, runs, [
      ...uploadContenders(ctx, tree, 'tree', true),
      { name: 'tar copy', role: 'floor', run: () => tarCopy(tree.root, ctx.dir('tar')) },
      { name: 'md5sum', role: 'floor', run: () => md5sumTree(tree.root) },
    ]);
    const seqSpeedup = 1 / pairedRatio(row(rows, MC_STOCK.name), row(rows, MC_SEQUENTIAL.name));
    const tarRatio = pairedRatio(row(rows, MC_ENHANCED.name), row(rows, 'tar copy'));
    return [
      {
        id: '1',
        title: this.title,
        data: `${tree.label}: ${tree.files.toLocaleString('en-US')} files, ${(tree.bytes / 2 ** 20).toFixed(0)} MiB`,
        baselines: [MC_SEQUENTIAL.name, 'rclone webdav', 'tar copy', 'md5sum'],
        rows,
        targets: [
          `mc stock ≥ 15× faster than the sequential baseline with --net wan: ${seqSpeedup.toFixed(1)}× ${ctx.delayMs > 0 ? verdict(seqSpeedup >= 15) : '(measured on loopback; the target is for --net wan)'}`,
          `mc enhanced within 3× of the tar floor on loopback: ${tarRatio.toFixed(2)}× ${ctx.delayMs === 0 ? verdict(tarRatio <= 3) : '(measured with --net wan; the target is for loopback)'}`,
        ],
        notes: [RCLONE_PACER_NOTE, ...WAN_NOTE(ctx)],
      },
    ];
  },
};

/** The `mc` rows and the rclone row of the scenarios that rerun an upload over an already synced copy. */
function rerunContenders(ctx: BenchContext, edit: ((dir: string, i: number) => void) | null): Contender[] {
  const tree = ctx.tree();
  const mcRow = (c: McContender): Contender => ({
    name: c.name,
    role: c === MC_SEQUENTIAL ? 'baseline' : 'mc',
    async run(i) {
      const dir = await ctx.syncedCopy(c, tree);
      edit?.(dir, i);
      return ctx.timedMc(c, 'up', dir);
    },
  });
  let rcloneSrc: string | null = null;
  return [
    mcRow(MC_ENHANCED),
    mcRow(MC_STOCK),
    mcRow(MC_SEQUENTIAL),
    {
      name: 'rclone webdav',
      role: 'rival',
      async run(i) {
        if (!ctx.rcloneCopies.has(tree.root)) {
          ctx.say('  (setting up: rclone uploads the tree once)');
          const davRoot = join(ctx.work, 'rclone-dav-synced');
          await rcloneUp(tree.root, 'synced', await ctx.rclone('webdav', davRoot));
          ctx.rcloneCopies.set(tree.root, { davRoot, dest: 'synced' });
        }
        const copy = ctx.rcloneCopies.get(tree.root)!;
        const server = await ctx.rclone('webdav', copy.davRoot);
        if (!rcloneSrc) {
          rcloneSrc = ctx.dir('rclone-src');
          linkCopy(tree.root, rcloneSrc);
        }
        edit?.(rcloneSrc, i);
        return rcloneUp(rcloneSrc, copy.dest, server);
      },
    },
  ];
}

function rsyncFloor(ctx: BenchContext, root: string): Contender {
  let copy: string | null = null;
  return {
    name: 'rsync -an',
    role: 'floor',
    run() {
      if (!copy) {
        copy = ctx.dir('rsync-copy');
        linkCopy(root, copy);
      }
      return rsyncNoop(root, copy);
    },
  };
}

const noopUp: Scenario = {
  id: '2',
  key: 'noop-up',
  title: 'upload again with nothing changed',
  async run(ctx, runs) {
    const tree = ctx.tree();
    const rows = await alternate(ctx, runs, [...rerunContenders(ctx, null), rsyncFloor(ctx, tree.root)]);
    const enhanced = row(rows, MC_ENHANCED.name);
    const maxRequests = Math.max(...enhanced.samples.map((s) => s.requests ?? Infinity));
    const rsyncRatio = pairedRatio(enhanced, row(rows, 'rsync -an'));
    return [
      {
        id: '2',
        title: this.title,
        data: `${tree.label}, already uploaded by each contender`,
        baselines: [MC_SEQUENTIAL.name, 'rclone webdav', 'rsync -an'],
        rows,
        targets: [
          `mc enhanced makes ≤ 2 requests: ${maxRequests} ${verdict(maxRequests <= 2)}`,
          `mc enhanced within 3× of the rsync -an floor: ${rsyncRatio.toFixed(2)}× ${ctx.delayMs === 0 ? verdict(rsyncRatio <= 3) : '(measured with --net wan)'}`,
        ],
        notes: ['The mc runs start a Node.js process (about 0.2–0.3 s before any work); rsync is a C program.', ...WAN_NOTE(ctx)],
      },
    ];
  },
};

/** The file scenario 3 changes: the one in the middle of the sorted list, the same every run. */
function victimOf(root: string): string {
  const files: string[] = [];
  const walk = (rel: string): void => {
    for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
      if (!rel && d.name === '.mc') continue;
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) walk(p);
      else if (d.isFile()) files.push(p);
    }
  };
  walk('');
  files.sort();
  return files[Math.floor(files.length / 2)]!;
}

const oneChanged: Scenario = {
  id: '3',
  key: 'one-changed',
  title: 'upload again with one file changed',
  async run(ctx, runs) {
    const tree = ctx.tree();
    const victim = victimOf(tree.root);
    const edit = (dir: string, i: number): void => BenchContext.edit(join(dir, victim), `edited in run ${i + 1}\n`);
    const rows = await alternate(ctx, runs, [...rerunContenders(ctx, edit), rsyncFloor(ctx, tree.root)]);
    return [
      {
        id: '3',
        title: this.title,
        data: `${tree.label}, already uploaded; before each run one file (${victim}) gets a new line`,
        baselines: [MC_SEQUENTIAL.name, 'rclone webdav', 'rsync -an'],
        rows,
        targets: [],
        notes: ['rsync -an is the stat-walk floor: finding the one changed file costs at least one walk of the tree.', ...WAN_NOTE(ctx)],
      },
    ];
  },
};

const treeDown: Scenario = {
  id: '4',
  key: 'tree-down',
  title: 'download the whole tree into an empty folder',
  async run(ctx, runs) {
    const tree = ctx.tree();
    const rows = await alternate(ctx, runs, [
      ...downloadContenders(ctx, tree, 'tree', true),
      { name: 'tar copy', role: 'floor', run: () => tarCopy(tree.root, ctx.dir('tar')) },
      { name: 'md5sum', role: 'floor', run: () => md5sumTree(tree.root) },
    ]);
    const tarRatio = pairedRatio(row(rows, MC_ENHANCED.name), row(rows, 'tar copy'));
    const seqSpeedup = 1 / pairedRatio(row(rows, MC_STOCK.name), row(rows, MC_SEQUENTIAL.name));
    return [
      {
        id: '4',
        title: this.title,
        data: `${tree.label}, uploaded by each contender's server first; every download checked for file count and bytes`,
        baselines: [MC_SEQUENTIAL.name, 'rclone http', 'tar copy', 'md5sum'],
        rows,
        targets: [`(no stated target) mc enhanced ÷ tar copy: ${tarRatio.toFixed(2)}×; mc stock over sequential: ${seqSpeedup.toFixed(1)}×`],
        notes: ["rclone http reads `rclone serve http`'s directory pages and makes one GET per file; that server logs no per-file requests, so its count is n/a.", ...WAN_NOTE(ctx)],
      },
    ];
  },
};

/** The curl floors need the stock server's token in a header file (mode 0600), never on a command line. */
async function headerFile(ctx: BenchContext): Promise<string> {
  const file = join(ctx.work, 'curl-auth-header');
  const server = await ctx.mcServer('stock');
  writeFileSync(file, `Authorization: Bearer ${server.token}\n`, { mode: 0o600 });
  return file;
}

async function tusMetadata(projectId: number, name: string): Promise<string> {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return `project_id ${b64(String(projectId))},directory_path ${b64('/')},filename ${b64(name)}`;
}

function largeTargets(rows: RowResult[], curlName: string, direction: string): string[] {
  const curl = row(rows, curlName);
  return [MC_ENHANCED.name, MC_STOCK.name].map((n) => {
    const r = row(rows, n);
    const share = 1 / pairedRatio(r, curl);
    const rss = Math.max(...r.samples.map((s) => s.peakRssMiB ?? Infinity));
    return `${n} ${direction} ≥ 60% of the curl floor's speed with RSS ≤ 200 MiB: ${(share * 100).toFixed(0)}%, ${rss.toFixed(0)} MiB ${verdict(share >= 0.6 && rss <= 200)}`;
  });
}

const large: Scenario = {
  id: '5',
  key: 'large',
  title: 'the large files up and down',
  async run(ctx, runs) {
    const files = ctx.large();
    const names = readdirSync(files.root).filter((n) => statSync(join(files.root, n)).isFile()).sort();
    const hdr = await headerFile(ctx);
    const stock = await ctx.mcServer('stock');
    const curlDir = ctx.dir('curl-project');
    mkdirSync(curlDir);
    const curlProject = await ctx.init(MC_STOCK, curlDir);
    const tusEndpoint = new URL('/files/', stock.url).href;
    const up = await alternate(ctx, runs, [
      ...uploadContenders(ctx, files, 'large', false),
      {
        name: 'curl',
        role: 'floor',
        async run(i) {
          const list = await Promise.all(
            names.map(async (n) => ({ path: join(files.root, n), endpoint: tusEndpoint, size: statSync(join(files.root, n)).size, metadata: await tusMetadata(curlProject, `run${i}-${n}`) })),
          );
          stock.traffic();
          const s = await curlUpload(list, hdr);
          return { ...s, requests: stock.traffic().requests };
        },
      },
    ]);
    // The curl download reads the files the stock contender uploaded, by id.
    const stockCopy = await ctx.syncedCopy(MC_STOCK, files);
    const stockProject = (JSON.parse(readFileSync(join(stockCopy, '.mc/config.json'), 'utf8')) as { project_id: number }).project_id;
    const token = stock.token;
    const ids = await Promise.all(
      names.map(async (n) => {
        const res = await fetch(`${stock.url}/files/by_path`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ project_id: stockProject, path: `/${n}` }),
        });
        if (!res.ok) throw new Error(`by_path ${n}: ${res.status}`);
        return ((await res.json()) as { data: { id: number } }).data.id;
      }),
    );
    const down = await alternate(ctx, runs, [
      ...downloadContenders(ctx, files, 'large', false),
      {
        name: 'curl',
        role: 'floor',
        async run() {
          stock.traffic();
          const s = await curlDownload(
            names.map((n, k) => ({ name: n, size: statSync(join(files.root, n)).size, url: `${stock.url}/projects/${stockProject}/files/${ids[k]}/download` })),
            hdr,
            ctx.dir('curl-down'),
          );
          return { ...s, requests: stock.traffic().requests };
        },
      },
    ]);
    const data = `${files.label}: ${names.join(', ')} (${(files.bytes / 2 ** 20).toFixed(0)} MiB)`;
    const notes = ['curl: one tus creation and one PATCH of the whole file per file (up), one GET per file (down), against the stock server, one file at a time.', ...WAN_NOTE(ctx)];
    return [
      { id: '5a', title: 'the large files up', data, baselines: ['rclone webdav', 'curl'], rows: up, targets: largeTargets(up, 'curl', 'up'), notes },
      { id: '5b', title: 'the large files down', data, baselines: ['rclone http', 'curl'], rows: down, targets: largeTargets(down, 'curl', 'down'), notes },
    ];
  },
};

const resume: Scenario = {
  id: '6',
  key: 'resume',
  title: 'kill at 50% of the largest upload, then resume',
  async run(ctx, runs) {
    const files = ctx.large();
    const largest = readdirSync(files.root)
      .map((n) => ({ n, size: statSync(join(files.root, n)).size }))
      .sort((a, b) => b.size - a.size)[0]!;
    const row6 = (c: McContender): Contender => ({
      name: c.name,
      role: 'mc',
      async run() {
        const dir = ctx.dir(`resume-${c.name}`);
        mkdirSync(dir);
        linkSync(join(files.root, largest.n), join(dir, largest.n));
        await ctx.init(c, dir);
        const server = await ctx.mcServer(c.profile);
        server.traffic();
        let killedAt = 0;
        const first = await measure(process.execPath, [MC_BIN, 'up', '-r', '.', '--progress=ndjson', ...c.flags], {
          cwd: dir,
          env: await ctx.mcEnv(c.profile),
          onStderrLine(line, kill) {
            if (!line.startsWith('{"')) return;
            const e = JSON.parse(line) as { type: string; bytes?: number; total?: number };
            if (e.type === 'bytes' && e.total && e.bytes! >= e.total / 2 && !killedAt) {
              killedAt = e.bytes!;
              kill();
            }
          },
        });
        if (!first.killed) throw new Error(`${c.name}: the upload ended before it reached 50% (exit ${first.code})`);
        const firstSent = server.traffic().bytesIn;
        const s = await ctx.timedMc(c, 'up', dir);
        rmSync(dir, { recursive: true, force: true });
        return { ...s, extra: { killedAtPct: (100 * killedAt) / largest.size, firstRunSentPct: (100 * firstSent) / largest.size, resentPct: (100 * (s.bytesSent ?? 0)) / largest.size } };
      },
    });
    const rows = await alternate(ctx, runs, [row6(MC_ENHANCED), row6(MC_STOCK)]);
    const targets = rows.map((r) => {
      const worst = Math.max(...r.samples.map((s) => s.extra!.resentPct!));
      const at = r.samples.map((s) => `${s.extra!.killedAtPct!.toFixed(0)}%`).join(', ');
      return `${r.name}: killed at ${at} of the file (client's count); the resume re-sent at most ${worst.toFixed(1)}% of it (server's count) ${verdict(worst <= 55)} (≤ 55%)`;
    });
    return [
      {
        id: '6',
        title: this.title,
        data: `${largest.n} (${(largest.size / 2 ** 20).toFixed(0)} MiB); times are the resuming run's`,
        baselines: [],
        rows,
        targets,
        notes: ['rclone is not in this race: its WebDAV upload has no resume and sends the whole file again.', ...WAN_NOTE(ctx)],
      },
    ];
  },
};

const statusScale: Scenario = {
  id: '7',
  key: 'status-scale',
  title: 'no-op mc status on a synthetic tree of tiny files, at two sizes',
  async run(ctx, runs) {
    const sizes = ctx.size === 'full' ? [50_000, 200_000] : [1_000, 4_000];
    const contenders: Contender[] = [];
    for (const n of sizes) {
      const tree = tinyTree(n, ctx.say);
      contenders.push(
        {
          name: `mc enhanced status, ${n.toLocaleString('en-US')} files`,
          role: 'mc',
          files: n,
          async run() {
            return ctx.timedMc(MC_ENHANCED, 'status', await ctx.syncedCopy(MC_ENHANCED, tree));
          },
        },
        { ...rsyncFloor(ctx, tree.root), name: `rsync -an, ${n.toLocaleString('en-US')} files`, files: n },
      );
    }
    const rows = await alternate(ctx, runs, contenders);
    const perFile = (r: RowResult): number => (1e6 * Math.min(...r.samples.map((s) => s.seconds))) / r.files!;
    const mcAt = (n: number): RowResult => rows.find((r) => r.role === 'mc' && r.files === n)!;
    const [small, big] = [mcAt(sizes[0]!), mcAt(sizes[1]!)];
    const growth = perFile(big) / perFile(small);
    return [
      {
        id: '7',
        title: this.title,
        data: `${sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} tiny files, 500 per folder, uploaded to enhanced first`,
        baselines: rows.filter((r) => r.role === 'floor').map((r) => r.name),
        rows,
        targets: [
          `time per file does not grow with the tree: ${perFile(small).toFixed(1)} µs at ${sizes[0]!.toLocaleString('en-US')}, ${perFile(big).toFixed(1)} µs at ${sizes[1]!.toLocaleString('en-US')} (best runs; ×${growth.toFixed(2)}) ${verdict(growth <= 1.25)}`,
        ],
        notes: ['The per-file time includes the fixed cost of starting mc, which flatters the larger tree; both sizes pay it once.', ...WAN_NOTE(ctx)],
      },
    ];
  },
};

export const SCENARIOS: readonly Scenario[] = [treeUp, noopUp, oneChanged, treeDown, large, resume, statusScale];
