import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MC_BIN, type RunOptions, type RunResult, type RunningServer, mc, mcServer, startMcServer, tempDir } from './binaries';

/**
 * Fixtures for the binary-level tests of `mc` (cli-*.test.ts): a server with real accounts, homes
 * set up for them, a recorder of everything `mc` printed (to prove no token leaks), and a
 * read-only view of the server through its REST API (what a user would see in the web UI).
 */

export interface Account {
  email: string;
  password: string;
  token: string;
}

export interface AccountServer {
  url: string;
  accounts: Account[];
  dataDir: string;
  /** `METHOD PATH STATUS BYTES_IN` per request (MC_SERVER_ACCESS_LOG). */
  accessLog: string;
  /** A new empty folder for the test, inside this server's work area. */
  scratch(prefix: string): string;
  /** Stops the server and removes its work area (data, homes, project folders). */
  stop(): Promise<number>;
  /** Kills the server with `signal` and starts it again on the same port and data (a crash, or a restart). */
  restart(signal?: NodeJS.Signals): Promise<void>;
  server: RunningServer;
}

/** `mc-server start` on a fresh data folder with one account per email (password `pw-<email>`). */
export async function startServerWithAccounts(
  prefix: string,
  emails: readonly string[],
  profile: 'stock' | 'enhanced' = 'stock',
  /** More `mc-server start` options (e.g. `--faults SPEC --seed N`). */
  extraArgs: readonly string[] = [],
): Promise<AccountServer> {
  const work = tempDir(prefix);
  const dataDir = join(work, 'server-data');
  const accounts: Account[] = [];
  for (const email of emails) {
    const password = `pw for ${email}`;
    const added = await mcServer(['user', 'add', email, '--data', dataDir, '--password-stdin'], { input: `${password}\n` });
    if (added.code !== 0) throw new Error(`mc-server user add ${email}: ${added.stderr}`);
    accounts.push({ email, password, token: added.stdout.trim() });
  }
  const accessLog = join(work, 'access.log');
  const args = ['--data', dataDir, '--profile', profile, ...extraArgs];
  const env = { MC_SERVER_ACCESS_LOG: accessLog };
  const fixture: AccountServer = {
    url: '',
    accounts,
    dataDir,
    accessLog,
    server: await startMcServer(args, env),
    scratch: (name) => mkdtempSync(join(work, `${name}-`)),
    async stop() {
      const code = await fixture.server.stop();
      rmSync(work, { recursive: true, force: true });
      return code;
    },
    async restart(signal = 'SIGKILL') {
      const old = fixture.server.process;
      if (old.exitCode === null) {
        const exited = new Promise((resolve) => old.once('exit', resolve));
        old.kill(signal);
        await exited;
      }
      fixture.server = await startMcServer([...args, '--port', new URL(fixture.url).port], env);
    },
  };
  fixture.url = fixture.server.url;
  return fixture;
}

/**
 * A private HOME whose `~/.materialscommons/config.json` already holds these accounts (the first
 * is the default), as `mc remote --add` would leave it. Tests of `mc remote` itself start empty.
 */
export function homeWithAccounts(server: Pick<AccountServer, 'url' | 'scratch'>, accounts: readonly Account[]): string {
  const home = server.scratch('home');
  const entries = accounts.map((a) => ({ mcurl: server.url, email: a.email, mcapikey: a.token }));
  writeUserConfig(home, { default_remote: entries[0] ?? null, remotes: entries, globus: {}, developer_mode: false, REST_logging: false });
  return home;
}

export function writeUserConfig(home: string, config: object): void {
  mkdirSync(join(home, '.materialscommons'), { recursive: true, mode: 0o700 });
  const file = userConfigFile(home);
  writeFileSync(file, JSON.stringify(config, null, 2));
  chmodSync(file, 0o600);
}

export function userConfigFile(home: string): string {
  return join(home, '.materialscommons', 'config.json');
}

/** Writes `files` (path → content) under `root`, creating folders, and the empty folders in `folders`. */
export function writeTree(root: string, files: Record<string, string | Buffer>, folders: readonly string[] = []): void {
  mkdirSync(root, { recursive: true });
  for (const f of folders) mkdirSync(join(root, f), { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/**
 * A new project folder `name` (in a fresh work area) holding `files` and `folders`, after a
 * successful `mc init`, with a HOME where `account` is the default.
 */
export async function initProject(
  mc: McRecorder,
  server: Pick<AccountServer, 'url' | 'scratch'>,
  account: Account,
  name: string,
  files: Record<string, string | Buffer>,
  folders: readonly string[] = [],
): Promise<{ root: string; home: string; projectId: number }> {
  const root = join(server.scratch('work'), name);
  writeTree(root, files, folders);
  const home = homeWithAccounts(server, [account]);
  const init = await mc.run(['init'], { home, cwd: root });
  if (init.code !== 0) throw new Error(`mc init in ${root} exited ${init.code}: ${init.stderr}`);
  return { root, home, projectId: readProjectConfig(root).project_id };
}

export function readProjectConfig(root: string): { remote: { mcurl: string; email: string }; project_id: number; project_uuid: string } {
  return JSON.parse(readFileSync(join(root, '.mc', 'config.json'), 'utf8'));
}

/**
 * Runs `mc` and keeps every byte it printed, so a test file can end by proving that no token or
 * password ever appeared (cli-contract.md "Secrets").
 */
export class McRecorder {
  private readonly outputs: Array<{ args: readonly string[]; text: string }> = [];

  async run(args: readonly string[], opts: RunOptions & { home: string }): Promise<RunResult> {
    const result = await mc(args, opts);
    this.record(args, result.stdout + result.stderr);
    return result;
  }

  /** For `mc remote --show-apikey`, the one command allowed to print a token. */
  runAllowedToShowToken(args: readonly string[], opts: RunOptions & { home: string }): Promise<RunResult> {
    return mc(args, opts);
  }

  record(args: readonly string[], text: string): void {
    this.outputs.push({ args, text });
  }

  /** The commands whose output contains one of `secrets`, with the secret's first characters. */
  leaks(secrets: readonly string[]): string[] {
    const found: string[] = [];
    for (const o of this.outputs) {
      for (const s of secrets) if (s && o.text.includes(s)) found.push(`mc ${o.args.join(' ')} printed ${s.slice(0, 6)}…`);
    }
    return found;
  }

  get count(): number {
    return this.outputs.length;
  }
}

/** `mc ARGS` as a child process the test can signal (for Ctrl-C), with the same private HOME. */
export function spawnMc(args: readonly string[], opts: { home: string; cwd: string }): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: opts.home, NO_COLOR: '1' };
  delete env.MC_API_KEY;
  delete env.MC_API_URL;
  delete env.MC_API_EMAIL;
  return spawn(process.execPath, [MC_BIN, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** True when util-linux `script` is installed, which `spawnMcOnTerminal` needs. */
export function canRunOnTerminal(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `mc ARGS` on a pseudo-terminal (through util-linux `script`), so stdin, stdout and stderr are a
 * TTY: progress bars and prompts appear. The child's stdin feeds the terminal's keyboard.
 */
export function spawnMcOnTerminal(args: readonly string[], opts: { home: string; cwd: string }): ChildProcess {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, MC_BIN, ...args].map(quote).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: opts.home, NO_COLOR: '1', TERM: 'xterm' };
  delete env.MC_API_KEY;
  delete env.MC_API_URL;
  delete env.MC_API_EMAIL;
  // Its own process group, so a stuck run can be killed with `process.kill(-child.pid)`.
  return spawn('script', ['-qefc', command, '/dev/null'], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
}

export interface ServerFile {
  id: number;
  size: number;
  checksum: string;
}

/** What the server holds, read through its REST API with an account's token. */
export class ServerView {
  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private async get(path: string): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, { headers: { accept: 'application/json', authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return ((await res.json()) as { data: unknown }).data;
  }

  async projects(): Promise<Array<{ id: number; name: string; uuid: string }>> {
    return (await this.get('/projects')) as Array<{ id: number; name: string; uuid: string }>;
  }

  /** Every current file (by project path, no leading slash) and every folder but the root. */
  async tree(projectId: number): Promise<{ files: Map<string, ServerFile>; folders: string[] }> {
    type Row = { id: number; name: string; path: string | null; mime_type: string; size: number; checksum: string };
    const dirs = (await this.get(`/projects/${projectId}/directories`)) as Row[];
    const files = new Map<string, ServerFile>();
    for (const dir of dirs) {
      const children = (await this.get(`/projects/${projectId}/directories/${dir.id}/list`)) as Row[];
      for (const row of children) {
        if (row.mime_type === 'directory') continue;
        const path = dir.path === '/' ? row.name : `${dir.path!.slice(1)}/${row.name}`;
        files.set(path, { id: row.id, size: row.size, checksum: row.checksum });
      }
    }
    const folders = dirs.map((d) => d.path!.slice(1)).filter((p) => p !== '');
    return { files, folders: folders.sort() };
  }

  /** MD5 of the bytes the server sends for a file id (its `checksum` is empty for production's tus uploads). */
  async md5Of(projectId: number, fileId: number): Promise<string> {
    const res = await fetch(`${this.url}/projects/${projectId}/files/${fileId}/download`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok || !res.body) throw new Error(`download ${fileId}: HTTP ${res.status}`);
    const hash = createHash('md5');
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }

  /** The other live versions of a file (production's `…/versions` leaves out the one asked about). */
  async otherVersions(projectId: number, fileId: number): Promise<unknown[]> {
    return (await this.get(`/projects/${projectId}/files/${fileId}/versions`)) as unknown[];
  }
}

/** Lines of the access log: method, path, status and the bytes the request brought in (headers and body). */
export function readAccessLog(path: string): Array<{ method: string; path: string; status: number; bytesIn: number }> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [method, p, status, bytesIn] = line.split(' ');
      return { method: method!, path: p!, status: Number(status), bytesIn: Number(bytesIn ?? 0) };
    });
}

/** Parses stdout that must be exactly one JSON document (throws otherwise). */
export function onlyJson<T = Record<string, unknown>>(stdout: string): T {
  return JSON.parse(stdout) as T;
}
