import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { type RunningServer, mcServer, startMcServer } from '../../e2e/src/binaries';
import { type DelayProxy, startDelayProxy } from './delay-proxy';

/** What a server saw between two marks: requests and bytes of request bodies. */
export interface Traffic {
  requests: number;
  bytesIn: number;
}

export interface BenchServer {
  /** The URL clients use (through the delay proxy with `--net wan`). */
  url: string;
  traffic(): Traffic;
  stop(): Promise<void>;
}

export interface McBenchServer extends BenchServer {
  profile: 'stock' | 'enhanced';
  token: string;
  email: string;
}

/** Every request of `mc-server` goes through these, so `--net wan` delays them all. */
async function behindProxy(port: number, delayMs: number): Promise<DelayProxy | null> {
  return delayMs > 0 ? startDelayProxy({ host: '127.0.0.1', port }, delayMs) : null;
}

/** `mc-server start --profile P` on its own data folder, one account, an access log to count requests. */
export async function startBenchMcServer(profile: 'stock' | 'enhanced', work: string, delayMs: number): Promise<McBenchServer> {
  const dataDir = join(work, `mc-server-${profile}`);
  const email = 'bench@mcsync.local';
  const added = await mcServer(['user', 'add', email, '--data', dataDir, '--password-stdin'], { input: 'bench password\n' });
  if (added.code !== 0) throw new Error(`mc-server user add: ${added.stderr}`);
  const accessLog = join(work, `access-${profile}.log`);
  writeFileSync(accessLog, '');
  const server: RunningServer = await startMcServer(['--data', dataDir, '--profile', profile], { MC_SERVER_ACCESS_LOG: accessLog });
  const direct = new URL(server.url);
  const proxy = await behindProxy(Number(direct.port), delayMs);
  let seen = 0;
  return {
    profile,
    email,
    token: added.stdout.trim(),
    url: proxy ? proxy.url(direct.pathname) : server.url,
    traffic: () => {
      const lines = readFileSync(accessLog, 'utf8').split('\n').filter(Boolean);
      const fresh = lines.slice(seen);
      seen = lines.length;
      return { requests: fresh.length, bytesIn: fresh.reduce((n, l) => n + (Number(l.split(' ')[3]) || 0), 0) };
    },
    async stop() {
      await proxy?.close();
      await server.stop();
    },
  };
}

/** A free loopback port (rclone needs one named up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const RCLONE_REQUEST = /: (GET|HEAD|PUT|POST|PROPFIND|PROPPATCH|MKCOL|DELETE|MOVE|COPY|OPTIONS|LOCK|UNLOCK) from /;

/**
 * `rclone serve webdav|http ROOT` on loopback. The WebDAV server logs one line per request at
 * `-v`, which gives the request count; the HTTP server does not log file GETs, so it has none.
 */
export async function startRclone(kind: 'webdav' | 'http', root: string, work: string, delayMs: number): Promise<BenchServer> {
  mkdirSync(root, { recursive: true });
  const port = await freePort();
  const log = join(work, `rclone-${kind}-${port}.log`);
  appendFileSync(log, '');
  const child: ChildProcess = spawn('rclone', ['serve', kind, root, '--addr', `127.0.0.1:${port}`, '-v', '--log-file', log], {
    stdio: 'ignore',
    env: { ...process.env, RCLONE_CONFIG: '/dev/null' },
  });
  const deadline = Date.now() + 20_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`rclone serve ${kind} did not start: ${readFileSync(log, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const proxy = await behindProxy(port, delayMs);
  let seen = 0;
  return {
    url: proxy ? proxy.url('/') : `http://127.0.0.1:${port}/`,
    traffic: () => {
      const lines = readFileSync(log, 'utf8').split('\n');
      const fresh = lines.slice(seen);
      seen = lines.length;
      return { requests: kind === 'webdav' ? fresh.filter((l) => RCLONE_REQUEST.test(l)).length : Number.NaN, bytesIn: Number.NaN };
    },
    async stop() {
      await proxy?.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function hasCommand(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
