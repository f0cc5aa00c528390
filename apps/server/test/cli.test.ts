import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// The CLI is built from the current sources into a scratch folder under node_modules (so its
// dependencies resolve), leaving dist/ to the real build.
const buildDir = join(packageDir, 'node_modules', '.cache', 'mc-server-cli-test');
const runner = join(buildDir, 'mc-server.mjs');

let work: string;
beforeAll(async () => {
  await build({
    entry: { main: join(packageDir, 'src/main.ts') },
    outDir: buildDir,
    format: ['esm'],
    target: 'node20',
    config: false,
    dts: false,
    silent: true,
    external: [/^[^./]/],
  });
  // The same two lines as bin/mc-server.js.
  await writeFile(runner, "import { main } from './main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  work = await mkdtemp(join(tmpdir(), 'mc-server-cli-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin = ''): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Starts `mc-server start …` and collects stdout lines until the listening line. */
async function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [runner, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  await new Promise<void>((resolve, reject) => {
    reader.on('line', (line) => {
      lines.push(line);
      if (line.startsWith('mc-server listening on ')) resolve();
    });
    exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return {
    lines,
    url: /listening on (\S+) /.exec(lines.at(-1)!)![1]!,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const started = Date.now();
      child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}

async function getJson(url: string, token?: string) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const reply = await request(url, { headers });
  return { status: reply.statusCode, body: (await reply.body.json()) as any };
}

describe('mc-server user', () => {
  it('add prints only the new token; a second add of that email exits 1', async () => {
    const data = join(work, 'users');
    const added = await run(['user', 'add', 'ann@example.org', '--data', data, '--password-stdin', '--name', 'Ann'], 'pw with spaces \n');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^[A-Za-z0-9]{60}\n$/);
    expect(added.stderr).toBe('');
    const again = await run(['user', 'add', 'ANN@example.org', '--data', data, '--password-stdin'], 'x\n');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/already exists/);
  });

  it('token prints the token, and --new replaces it', async () => {
    const data = join(work, 'tokens');
    const token = (await run(['user', 'add', 'tom@example.org', '--data', data, '--password-stdin'], 'pw\n')).stdout.trim();
    const shown = await run(['user', 'token', 'tom@example.org', '--data', data]);
    expect(shown).toMatchObject({ code: 0, stdout: `${token}\n` });
    const renewed = await run(['user', 'token', 'tom@example.org', '--data', data, '--new']);
    expect(renewed.code).toBe(0);
    expect(renewed.stdout.trim()).toMatch(/^[A-Za-z0-9]{60}$/);
    expect(renewed.stdout.trim()).not.toBe(token);
    expect((await run(['user', 'token', 'tom@example.org', '--data', data])).stdout).toBe(renewed.stdout);
    const unknown = await run(['user', 'token', 'nobody@example.org', '--data', data]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user/);
  });

  it('refuses to run without --data, and without a terminal unless --password-stdin', async () => {
    expect((await run(['user', 'add', 'x@example.org'])).code).toBe(2);
    const noTty = await run(['user', 'add', 'x@example.org', '--data', join(work, 'tty')]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--password-stdin/);
  });
});

describe('mc-server start', () => {
  it('prints the exact listening line, serves the data dir, and exits 0 on SIGTERM', async () => {
    const data = join(work, 'served');
    const token = (await run(['user', 'add', 'sam@example.org', '--data', data, '--password-stdin'], 'sam-pw\n')).stdout.trim();
    const server = await start(['--data', data, '--port', '0']);
    expect(server.lines).toHaveLength(1);
    expect(server.lines[0]).toMatch(new RegExp(`^mc-server listening on http://127\\.0\\.0\\.1:\\d+/api \\(profile enhanced, data ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
    const projects = await getJson(`${server.url}/projects`, token);
    expect(projects).toEqual({ status: 200, body: { data: [] } });
    const login = await request(`${server.url}/get_apitoken`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sam@example.org', password: 'sam-pw' }),
    });
    expect(((await login.body.json()) as any).data.api_token).toBe(token);
    const stopped = await server.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(5000);
    expect(server.stderr()).toBe('');
  });

  it('says which flag to change when the port is taken', async () => {
    const data = join(work, 'busy');
    await run(['user', 'add', 'busy@example.org', '--data', data, '--password-stdin'], 'pw\n');
    const first = await start(['--data', data, '--port', '0']);
    const port = new URL(first.url).port;
    const second = await run(['start', '--data', data, '--port', port]);
    await first.stop('SIGTERM');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port} on 127.0.0.1 is already in use; choose another with --port`);
  });

  it('without --data: a temporary folder, a dev user whose token it prints, removed on SIGINT', async () => {
    const server = await start(['--port', '0']);
    expect(server.lines).toHaveLength(2);
    const token = /^token: ([A-Za-z0-9]{60})$/.exec(server.lines[0]!)![1]!;
    const dataDir = /\(profile enhanced, data (.+)\)$/.exec(server.lines[1]!)![1]!;
    expect(existsSync(dataDir)).toBe(true);
    expect((await getJson(`${server.url}/projects`, token)).status).toBe(200);
    expect((await server.stop('SIGINT')).code).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
    expect(server.stderr()).not.toContain(token);
  });

  it('appends METHOD PATH STATUS BYTES_IN per request to MC_SERVER_ACCESS_LOG, never the query string', async () => {
    const log = join(work, 'access.log');
    const server = await start(['--port', '0'], { MC_SERVER_ACCESS_LOG: log });
    const token = server.lines[0]!.slice('token: '.length);
    await getJson(`${server.url}/projects?api_token=${token}`);
    await getJson(`${server.url}/projects/424242`, token);
    await getJson(`${server.url}/server/info`);
    const body = JSON.stringify({ name: 'x'.repeat(50_000), description: '' });
    await fetch(`${server.url}/projects`, { method: 'POST', headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' }, body, redirect: 'manual' });
    expect((await server.stop()).code).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'GET /api/projects 200',
      'GET /api/projects/424242 404',
      'GET /api/server/info 200',
      'POST /api/projects 422',
    ]);
    const bytesIn = lines.map((l) => Number(l.split(' ')[3]));
    // A GET brings only its headers; the POST its headers and its whole body.
    for (const n of bytesIn.slice(0, 3)) expect(n).toBeGreaterThan(30);
    for (const n of bytesIn.slice(0, 3)) expect(n).toBeLessThan(1000);
    expect(bytesIn[3]).toBeGreaterThanOrEqual(body.length);
    expect(bytesIn[3]).toBeLessThan(body.length + 1000);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('serves the enhanced profile by default and production\'s API alone with --profile stock', async () => {
    const enhanced = await start(['--port', '0']);
    const info = await getJson(`${enhanced.url}/server/info`);
    expect(info.body.data.sync_api).toMatchObject({ version: 1, features: expect.arrayContaining(['tree', 'changes']) });
    expect((await enhanced.stop()).code).toBe(0);

    const stock = await start(['--port', '0', '--profile', 'stock']);
    expect(stock.lines.at(-1)).toMatch(/\(profile stock, data /);
    const token = stock.lines[0]!.slice('token: '.length);
    expect((await getJson(`${stock.url}/server/info`)).body.data).not.toHaveProperty('sync_api');
    expect((await getJson(`${stock.url}/projects/1/tree`, token)).status).toBe(404);
    expect((await stock.stop()).code).toBe(0);
  });

  it('--changes-retention N keeps the last N changes of each project; an older cursor is 410', async () => {
    const server = await start(['--port', '0', '--changes-retention', '2']);
    const token = server.lines[0]!.slice('token: '.length);
    const headers = { accept: 'application/json', authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const reply = await request(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return (await reply.body.json()) as any;
    };
    const project = (await post('/projects', { name: 'Retention' })).data;
    await post('/directories/by-path', { project_id: project.id, path: '/a/b/c' });
    expect((await getJson(`${server.url}/projects/${project.id}/changes?cursor=0`, token)).status).toBe(410);
    const kept = await getJson(`${server.url}/projects/${project.id}/changes?cursor=1`, token);
    expect(kept.status).toBe(200);
    expect(kept.body.data.map((change: any) => change.path)).toEqual(['/a/b', '/a/b/c']);
    expect((await server.stop()).code).toBe(0);
  });

  it('injects the faults of --faults (with --seed)', async () => {
    const server = await start(['--port', '0', '--faults', '*:status=503#1', '--seed', '7']);
    const first = await request(`${server.url}/server/info`, { headers: { accept: 'application/json' } });
    expect(first.statusCode).toBe(503);
    expect(await first.body.json()).toEqual({ message: 'Service Unavailable' });
    const second = await request(`${server.url}/server/info`, { headers: { accept: 'application/json' } });
    await second.body.dump();
    expect(second.statusCode).toBe(200);
    expect((await server.stop()).code).toBe(0);
  });

  it('rejects unknown profiles, bad values and fault SPECs that do not parse', async () => {
    expect((await run(['start', '--profile', 'fancy'])).code).toBe(2);
    const faults = await run(['start', '--faults', 'latency=10', '--port', '0']);
    expect(faults.code).toBe(2);
    expect(faults.stderr).toContain('mc-server: --faults: fault rule "latency=10": expected FAMILY:KIND[=ARG][@PROBABILITY][#COUNT]');
    const kind = await run(['start', '--faults', 'download:explode', '--port', '0']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('unknown kind "explode"');
    const seed = await run(['start', '--faults', 'download:reset', '--seed', 'x', '--port', '0']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--seed must be a whole number');
    expect((await run(['start', '--port', 'abc'])).code).toBe(2);
    for (const retention of ['0', '-1', 'many']) {
      const refused = await run(['start', '--changes-retention', retention, '--port', '0']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--changes-retention');
    }
    expect((await run(['start', '--bogus'])).code).toBe(2);
  });

  it('exits 2 with usage for an unknown command', async () => {
    const reply = await run(['frobnicate']);
    expect(reply.code).toBe(2);
    expect(reply.stderr).toMatch(/Usage:/);
    expect((await run(['--help'])).stdout).toMatch(/mc-server start/);
  });
});
