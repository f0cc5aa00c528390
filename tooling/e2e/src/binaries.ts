import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const repo = resolve(import.meta.dirname, '../../..');
export const MC_BIN = join(repo, 'apps/cli/bin/run.js');
export const MC_SERVER_BIN = join(repo, 'apps/server/bin/mc-server.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Let the child write to our stderr (so a user sees its progress display) instead of capturing it. */
  inheritStderr?: boolean;
}

/** Runs a node script to completion, collecting its output. */
export function runNode(script: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: opts.cwd,
      env: withoutUnset({ ...process.env, ...opts.env }),
      stdio: ['pipe', 'pipe', opts.inheritStderr ? 'inherit' : 'pipe'],
      timeout: opts.timeoutMs ?? 900_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr?.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({ code: code ?? (signal === 'SIGINT' ? 130 : 128), stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
    child.stdin!.end(opts.input ?? '');
  });
}

/** Drops variables set to undefined, so a test can unset what the parent environment has. */
function withoutUnset(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

/** `mc ARGS` with a private HOME (never the developer's own config). */
export function mc(args: readonly string[], opts: RunOptions & { home: string }): Promise<RunResult> {
  return runNode(MC_BIN, args, {
    ...opts,
    env: { HOME: opts.home, NO_COLOR: '1', MC_API_KEY: undefined, MC_API_URL: undefined, MC_API_EMAIL: undefined, ...opts.env },
  });
}

export function mcServer(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runNode(MC_SERVER_BIN, args, opts);
}

export interface RunningServer {
  url: string;
  token: string | undefined;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<number>;
}

/** Starts `mc-server start ... --port 0` and waits for its "listening" line. */
export async function startMcServer(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [MC_SERVER_BIN, 'start', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c) => (stderr += c));
  const lines = createInterface({ input: child.stdout! });
  let url: string | undefined;
  let token: string | undefined;
  const wantToken = !args.includes('--data');
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`mc-server did not start: ${stderr}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`mc-server exited with ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      const m = /^mc-server listening on (http:\/\/\S+\/api) /.exec(line);
      if (m) url = m[1];
      const t = /^token: (\S+)$/.exec(line);
      if (t) token = t[1];
      if (url && (!wantToken || token)) {
        clearTimeout(timer);
        resolvePromise();
      }
    });
  });
  return {
    url: url!,
    token,
    process: child,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise(child.exitCode);
        child.once('exit', (code) => resolvePromise(code ?? 0));
        child.kill('SIGTERM');
      }),
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mcsync-${prefix}-`));
}
