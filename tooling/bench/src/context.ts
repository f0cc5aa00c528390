import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MC_BIN } from '../../e2e/src/binaries';
import { type Size, type TreeInfo, linkCopy, largeFiles, projectTree } from './data';
import { type Measured, measure } from './measure';
import type { Sample } from './report-types';
import { type BenchServer, type McBenchServer, startBenchMcServer, startRclone } from './servers';

/** An `mc` contender: which server, and any extra flags (the sequential baseline adds `--concurrency 1`). */
export interface McContender {
  name: string;
  profile: 'stock' | 'enhanced';
  flags: string[];
}

export const MC_ENHANCED: McContender = { name: 'mc enhanced', profile: 'enhanced', flags: [] };
export const MC_STOCK: McContender = { name: 'mc stock', profile: 'stock', flags: [] };
export const MC_SEQUENTIAL: McContender = { name: 'mc stock --concurrency 1', profile: 'stock', flags: ['--concurrency', '1'] };

interface McJson {
  requests: number;
  bytes: number;
  failed: Array<{ path: string; message: string }>;
}

/** Servers, data and state shared by the scenarios of one `pnpm bench` run. */
export class BenchContext {
  private readonly servers = new Map<string, Promise<BenchServer>>();
  /** Folders already uploaded in full, per mc contender (scenario 2 and 3 start from them). */
  readonly synced = new Map<string, string>();
  /** rclone's complete upload of a tree (served WebDAV root and folder), kept for scenarios 2 and 3. */
  readonly rcloneCopies = new Map<string, { davRoot: string; dest: string }>();
  private seq = 0;
  readonly home: string;

  constructor(
    readonly work: string,
    readonly size: Size,
    readonly delayMs: number,
    readonly say: (line: string) => void,
    /** Contender names (starts of) left out with --without. */
    readonly without: readonly string[] = [],
  ) {
    this.home = join(work, 'home');
    mkdirSync(this.home, { recursive: true });
  }

  tree(): TreeInfo {
    return projectTree(this.size, this.say);
  }

  large(): TreeInfo {
    return largeFiles(this.size, this.say);
  }

  /** A new folder name under the work area. */
  dir(prefix: string): string {
    return join(this.work, `${prefix.replace(/[^a-z0-9]+/gi, '-')}-${++this.seq}`);
  }

  mcServer(profile: 'stock' | 'enhanced'): Promise<McBenchServer> {
    return this.server(`mc-${profile}`, () => startBenchMcServer(profile, this.work, this.delayMs)) as Promise<McBenchServer>;
  }

  rclone(kind: 'webdav' | 'http', root: string): Promise<BenchServer> {
    return this.server(`rclone-${kind}-${root}`, () => startRclone(kind, root, this.work, this.delayMs));
  }

  private server(key: string, start: () => Promise<BenchServer>): Promise<BenchServer> {
    let s = this.servers.get(key);
    if (!s) {
      s = start();
      this.servers.set(key, s);
    }
    return s;
  }

  async stopServers(): Promise<void> {
    for (const s of this.servers.values()) await (await s).stop().catch(() => {});
    this.servers.clear();
  }

  async mcEnv(profile: 'stock' | 'enhanced'): Promise<NodeJS.ProcessEnv> {
    const s = await this.mcServer(profile);
    return { HOME: this.home, NO_COLOR: '1', MC_API_URL: s.url, MC_API_KEY: s.token, MC_API_EMAIL: s.email };
  }

  /** `mc ARGS` measured; throws when it fails, since a failed run would make its time meaningless. */
  async mc(c: McContender, args: string[], cwd: string, allowFail = false): Promise<Measured> {
    const r = await measure(process.execPath, [MC_BIN, ...args], { cwd, env: await this.mcEnv(c.profile) });
    if (r.code !== 0 && !allowFail) throw new Error(`${c.name}: mc ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
    return r;
  }

  /** `mc init` in `dir` (untimed): a new project on the contender's server. */
  async init(c: McContender, dir: string): Promise<number> {
    await this.mc(c, ['init', '--name', `bench ${++this.seq}`], dir);
    return (JSON.parse(readFileSync(join(dir, '.mc/config.json'), 'utf8')) as { project_id: number }).project_id;
  }

  /** A timed `mc up -r . --json` (plus the contender's flags) as a sample: the server counts requests and bytes. */
  async timedMc(c: McContender, verb: 'up' | 'down' | 'status', cwd: string): Promise<Sample> {
    const server = await this.mcServer(c.profile);
    server.traffic();
    const args = verb === 'status' ? ['status', '--json'] : [verb, '-r', '.', '--json', ...c.flags];
    const r = await this.mc(c, args, cwd);
    const traffic = server.traffic();
    const doc = JSON.parse(r.stdout) as McJson;
    if (doc.failed?.length) throw new Error(`${c.name}: ${doc.failed.length} files failed, e.g. ${doc.failed[0]!.path}: ${doc.failed[0]!.message}`);
    return {
      seconds: r.seconds,
      peakRssMiB: r.peakRssMiB,
      requests: traffic.requests,
      bytesSent: verb === 'up' ? traffic.bytesIn : verb === 'down' ? doc.bytes : 0,
    };
  }

  /** A folder of `source` uploaded in full by contender `c` (made once, untimed, unless a timed run left one). */
  async syncedCopy(c: McContender, source: TreeInfo): Promise<string> {
    const key = `${c.name}:${source.root}`;
    const known = this.synced.get(key);
    if (known) return known;
    const dir = this.dir(`synced-${c.name}`);
    linkCopy(source.root, dir);
    await this.init(c, dir);
    this.say(`  (setting up: ${c.name} uploads ${source.files.toLocaleString('en-US')} files once)`);
    await this.mc(c, ['up', '-r', '.', '--json'], dir);
    this.synced.set(key, dir);
    return dir;
  }

  /** Replaces one file of a linked copy with new content (a new inode: the cached original is untouched). */
  static edit(path: string, suffix: string): void {
    const tmp = `${path}.bench-edit`;
    writeFileSync(tmp, Buffer.concat([readFileSync(path), Buffer.from(suffix)]));
    renameSync(tmp, path);
  }
}
