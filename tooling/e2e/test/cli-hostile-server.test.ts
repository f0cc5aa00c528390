import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McRecorder, onlyJson, userConfigFile, writeUserConfig } from '../src/cli-fixture';

/**
 * `mc down` against a hand-written server that is broken or hostile (design.md "Bad input gets a
 * clear error and changes nothing"; cli-contract.md exit codes): names that would escape the
 * project folder, a file whose bytes do not match its MD5, a token echoed in an error body, a
 * redirect to another host. The project folder sits two levels down in a scratch area that must
 * hold nothing else afterwards. The account comes from MC_API_URL / MC_API_KEY / MC_API_EMAIL.
 */

const TOKEN = 'HostileE2eTokenHostileE2eTokenHostileE2eTokenHostileE2eToken';
const EMAIL = 'ann@example.org';
const AT = '2025-01-01T00:00:00.000000Z';
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const GOOD = Buffer.from('good bytes\n');

interface Stub {
  url: string;
  origin: string;
  requests: Array<{ method: string; url: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

async function startStub(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/api`,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const dir = (id: number, name: string, path: string, parent: number | null) => ({ id, uuid: `d${id}`, name, path, mime_type: 'directory', size: 0, checksum: '', directory_id: parent });
const file = (id: number, name: string, parent: number, content = GOOD) => ({
  id, uuid: `f${id}`, name, path: null, mime_type: 'text/plain', size: content.length, checksum: md5(content), current: true, directory_id: parent, created_at: AT,
});

/** The production API as far as `mc down` uses it, with hostile rows among good ones. */
function hostileProject(other: Stub) {
  const dirs = [dir(1, '/', '/', null), dir(2, 'sub', '/sub', 1), dir(3, '..', '/..', 1), dir(4, '..\\..\\up', '/..\\..\\up', 1)];
  const lists: Record<number, unknown[]> = {
    1: [file(10, 'ok.txt', 1), file(20, '..', 1), file(21, '..\\..\\escaped.txt', 1), file(22, 'a/b', 1), file(23, 'nul\0.txt', 1), file(24, 'lying.txt', 1), file(25, 'echo.txt', 1), file(26, 'moved.txt', 1)],
    2: [file(11, 'deep.txt', 2), file(27, '..\\..\\..\\..\\evil.txt', 2)],
    3: [file(30, 'under-dotdot.txt', 3)],
    4: [file(31, 'under-backslash.txt', 4)],
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url === '/api/server/info') return sendJson(res, 200, { data: { name: 'hostile', version: '1', uuid: 'u' } });
    if (url === '/api/projects/7') return sendJson(res, 200, { data: { id: 7, uuid: 'p7', name: 'hostile', owner_id: 1, created_at: AT, updated_at: AT, is_active: true } });
    if (url === '/api/projects/7/directories') return sendJson(res, 200, { data: dirs });
    const list = /^\/api\/projects\/7\/directories\/(\d+)\/list$/.exec(url);
    if (list) return sendJson(res, 200, { data: lists[Number(list[1])] ?? [] });
    const download = /^\/api\/projects\/7\/files\/(\d+)\/download$/.exec(url);
    if (download) {
      const id = Number(download[1]);
      if (id === 25) return sendJson(res, 500, { message: `Server Error while serving the token ${TOKEN}` });
      if (id === 26) {
        res.writeHead(302, { location: `${other.origin}/steal?file=26` });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(id === 24 ? Buffer.from('tampered!!\n') : GOOD);
    }
    sendJson(res, 404, { message: 'No such route' });
  };
}

/** Every path under `scratch` outside `root` (other than the folders leading to it). */
function outside(scratch: string, root: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (full === root) continue;
      if (root.startsWith(`${full}/`)) {
        walk(full); // a folder leading to the project
        continue;
      }
      found.push(relative(scratch, full));
      if (e.isDirectory()) walk(full);
    }
  };
  walk(scratch);
  return found;
}

function projectFiles(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (rel === '.mc') continue;
    if (e.isDirectory()) out.push(...projectFiles(root, rel));
    else out.push(rel);
  }
  return out.sort();
}

describe('mc down against a hostile server', () => {
  const mc = new McRecorder();
  let main: Stub;
  let other: Stub;
  let scratch: string;
  let root: string;
  let home: string;

  beforeAll(async () => {
    other = await startStub((_req, res) => sendJson(res, 200, { data: [] }));
    main = await startStub(hostileProject(other));
    scratch = mkdtempSync(join(tmpdir(), 'mcsync-e2e-hostile-'));
    root = join(scratch, 'a', 'project');
    mkdirSync(join(root, '.mc'), { recursive: true });
    writeFileSync(join(root, '.mc', 'config.json'), JSON.stringify({ remote: { mcurl: main.url, email: EMAIL }, project_id: 7, project_uuid: 'p7' }));
    home = join(scratch, 'home');
    mkdirSync(home);
  });
  afterAll(async () => {
    await main?.close();
    await other?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const env = () => ({ MC_API_URL: main.url, MC_API_KEY: TOKEN, MC_API_EMAIL: EMAIL });

  it('downloads the good files, refuses the rest with a reason each, exits 1, and writes nothing outside the project folder', async () => {
    const down = await mc.run(['down', '-r', '.', '--json'], { home, cwd: root, env: env() });
    expect(down.code, down.stderr).toBe(1);
    const json = onlyJson<{ transferred: Array<{ path: string }>; failed: Array<{ path: string; code: string; message: string }> }>(down.stdout);
    expect(json.transferred.map((t) => t.path).sort()).toEqual(['ok.txt', 'sub/deep.txt']);
    const failed = Object.fromEntries(json.failed.map((f) => [f.path, f]));
    expect(failed['lying.txt']).toMatchObject({ code: 'VERIFY', message: expect.stringMatching(/MD5/) });
    expect(failed['echo.txt']).toMatchObject({ code: 'SERVER', message: expect.stringContaining('HTTP 500') });
    expect(failed['moved.txt']).toMatchObject({ code: 'SERVER', message: expect.stringMatching(/unexpected redirect \(HTTP 302/) });
    const unsafe = json.failed.filter((f) => /could escape the project folder/.test(f.message)).map((f) => f.path);
    expect(unsafe.length).toBeGreaterThanOrEqual(6);

    expect(projectFiles(root)).toEqual(['ok.txt', 'sub/deep.txt']);
    expect(readFileSync(join(root, 'ok.txt'))).toEqual(GOOD);
    expect(outside(scratch, root).filter((p) => !p.startsWith('home'))).toEqual([]);
    expect(other.requests).toEqual([]);
    for (const r of main.requests) {
      expect(r.url).not.toContain(TOKEN);
      expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it('--debug logs requests and errors without the token, also when the server echoes it in an error body', async () => {
    const down = await mc.run(['down', '-r', '.', '--debug'], { home, cwd: root, env: env() });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/debug: GET \/api\/projects\/7\/files\/25\/download 500/);
    expect(down.stdout + down.stderr).toContain('[redacted]');
    expect(other.requests).toEqual([]);
  });

  it('warns once, saying how to fix it, when the user config is readable by others', async () => {
    const worldHome = mkdtempSync(join(scratch, 'home-'));
    writeUserConfig(worldHome, { default_remote: { mcurl: main.url, email: EMAIL, mcapikey: TOKEN }, remotes: [{ mcurl: main.url, email: EMAIL, mcapikey: TOKEN }], globus: {} });
    chmodSync(userConfigFile(worldHome), 0o644);
    const down = await mc.run(['down', '-r', '.', '--dry-run'], { home: worldHome, cwd: root });
    const warnings = down.stderr.split('\n').filter((l) => l.includes('chmod 600'));
    expect(warnings).toEqual([expect.stringContaining(`run: chmod 600 ${userConfigFile(worldHome)}`)]);
    expect(down.stdout).not.toContain('chmod');
  });

  it('a listing redirected to another host stops the run with exit 2 before anything is written, and the other host sees nothing', async () => {
    const redirecting = await startStub((req, res) => {
      res.writeHead(307, { location: `${other.origin}${req.url}` });
      res.end();
    });
    try {
      const redirected = mkdtempSync(join(scratch, 'redirected-'));
      mkdirSync(join(redirected, '.mc'));
      writeFileSync(join(redirected, '.mc', 'config.json'), JSON.stringify({ remote: { mcurl: redirecting.url, email: EMAIL }, project_id: 7, project_uuid: 'p7' }));
      const down = await mc.run(['down', '-r', '.'], { home, cwd: redirected, env: { MC_API_URL: redirecting.url, MC_API_KEY: TOKEN, MC_API_EMAIL: EMAIL } });
      expect(down.code).toBe(2);
      expect(down.stderr).toMatch(/unexpected redirect \(HTTP 307 to http:\/\/127\.0\.0\.1:\d+\/api\//);
      expect(projectFiles(redirected)).toEqual([]);
      expect(other.requests).toEqual([]);
    } finally {
      await redirecting.close();
    }
  });

  it('no output of mc in this file contains the token', () => {
    expect(mc.count).toBeGreaterThanOrEqual(4);
    expect(mc.leaks([TOKEN])).toEqual([]);
  });
});
