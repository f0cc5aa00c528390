import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Capabilities, DownloadItem, DownloadResult, Problem, RemoteEntry, UploadItem, UploadResult } from '@mcsync/core';
import { McError } from '@mcsync/core';
import { type Headers, pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, type RecordedRequest, sendJson, startStub, type StubHandler } from '../test/stub-server';
import { changesSince } from './change-feed';
import { DirectoryIndex } from './directory-index';
import { HttpClient, type HttpClientOptions } from './http-client';
import { createRemoteProject } from './remote-project';
import { treeSnapshot } from './tree-snapshot';

/**
 * A server that is broken or hostile (design.md "Bad input gets a clear error and changes nothing"):
 * names that would escape the project folder, bytes that do not match, answers that are not JSON
 * or never end, redirects to another host. Every case runs against a hand-written stub, on the stock
 * code paths (listings, one GET per file) and the enhanced ones (tree, change feed, bulk tar).
 * The project folder sits three levels down in a scratch area that must hold nothing else after
 * the run, so a write through `..` anywhere near it would show.
 */

const TOKEN = 'Host1leTestTokenHost1leTestTokenHost1leTestTokenHost1leTestTo';
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const AT = '2025-01-01T00:00:00.000000Z';
const ENHANCED = (...features: string[]): Capabilities => ({ profile: 'enhanced', features: new Set(features), limits: {} });

let scratch: string;
let root: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mcsync-hostile-'));
  root = join(scratch, 'a', 'b', 'project');
  await mkdir(root, { recursive: true });
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(scratch, { recursive: true, force: true });
});

/** Every file and folder under the scratch area that is not inside the project folder. */
async function outsideProject(): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (full === root) continue;
      const rel = relative(scratch, full);
      if (rel !== 'a' && rel !== join('a', 'b')) found.push(rel);
      if (e.isDirectory()) await walk(full);
    }
  };
  await walk(scratch);
  return found;
}

async function filesIn(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesIn(join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function stubs(handler: StubHandler, extra: Partial<HttpClientOptions> = {}) {
  const stub = await startStub(handler);
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: TOKEN, retry: { ...FAST_RETRY, retries: 1 }, ...extra });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, client };
}

/** The host a redirect points to: it must never see a request (and so never the token). */
async function otherHost() {
  const other = await startStub((_req, res) => sendJson(res, 200, { data: [] }));
  cleanup.push(() => other.close());
  return other;
}

/** Writes with backpressure; resolves early when the client has gone. */
async function send(res: ServerResponse, chunk: Buffer | string): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The bytes of one tar entry (header and padded content), without the end-of-archive blocks. */
async function tarEntryBytes(name: string, data: Buffer): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => tar.on('end', r));
  tar.entry({ name, size: data.length } as Headers, data);
  tar.finalize();
  await ended;
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** What the engine does with a snapshot: download every file to its path under the project folder, renaming verified temp files into place. */
async function downloadAll(remote: ReturnType<typeof createRemoteProject>, entries: readonly RemoteEntry[]): Promise<DownloadResult[]> {
  const items: DownloadItem[] = entries.filter((e) => e.kind === 'file').map((e) => ({ path: e.path, remote: e, localPath: join(root, e.path) }));
  const results = await collect(remote.download(items));
  for (const r of results) if (r.ok) await rename(r.tempPath, join(root, r.path));
  return results;
}

function expectMcError(err: unknown, code: string, message: RegExp): void {
  expect(err).toBeInstanceOf(McError);
  expect((err as McError).code).toBe(code);
  expect((err as McError).message).toMatch(message);
  expect(`${(err as McError).message} ${(err as McError).hint ?? ''}`).not.toContain(TOKEN);
}

const GOOD = Buffer.from('good bytes\n');
const BAD_NAMES = ['..', '..\\..\\x', 'a/b', 'nul\0.txt', '/etc/passwd', 'x\\..', '.'];

describe('names that would escape the project folder', () => {
  it('stock: listing rows named "..", "..\\..\\x", "a/b", with a NUL, "/etc/passwd" or "." are refused as failures, the others are downloaded, nothing is written outside', async () => {
    const dirRow = (id: number, name: string, path: string, parent: number | null) => ({ id, uuid: `d${id}`, name, path, mime_type: 'directory', size: 0, checksum: '', directory_id: parent });
    const fileRow = (id: number, name: string, parent: number) => ({ id, uuid: `f${id}`, name, path: null, mime_type: 'text/plain', size: GOOD.length, checksum: md5(GOOD), current: true, directory_id: parent, created_at: AT });
    const dirs = [dirRow(1, '/', '/', null), dirRow(2, 'sub', '/sub', 1), dirRow(3, '..', '/..', 1), dirRow(4, '..\\..\\up', '/..\\..\\up', 1), dirRow(5, 'evil', '/../../evil', 1)];
    const lists: Record<number, unknown[]> = {
      1: [fileRow(10, 'ok.txt', 1), ...BAD_NAMES.map((n, i) => fileRow(20 + i, n, 1))],
      2: [fileRow(11, 'deep.txt', 2), fileRow(30, '..\\..\\..\\..\\escaped.txt', 2)],
      3: [fileRow(40, 'under-dotdot.txt', 3)],
      4: [fileRow(41, 'under-backslash.txt', 4)],
      5: [fileRow(42, 'under-evil.txt', 5)],
    };
    const { stub, client } = await stubs((req, res) => {
      if (req.url === '/api/projects/7/directories') return sendJson(res, 200, { data: dirs });
      const list = /^\/api\/projects\/7\/directories\/(\d+)\/list$/.exec(req.url);
      if (list) return sendJson(res, 200, { data: lists[Number(list[1])] ?? [] });
      if (/^\/api\/projects\/7\/files\/\d+\/download$/.test(req.url)) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(GOOD);
      }
      sendJson(res, 404, { message: 'No such file' });
    });
    const remote = createRemoteProject({ client, projectId: 7 });
    const problems: Problem[] = [];
    const { entries } = await remote.snapshot(undefined, { onProblem: (p) => problems.push(p) });

    expect(entries.filter((e) => e.kind === 'file').map((e) => e.path).sort()).toEqual(['ok.txt', 'sub/deep.txt']);
    expect(problems.filter((p) => p.failure)).toHaveLength(BAD_NAMES.length + 1 + 3);
    for (const p of problems) expect(p.reason).toMatch(/could escape the project folder/);
    const results = await downloadAll(remote, entries);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await filesIn(root)).toEqual(['ok.txt', 'sub/deep.txt']);
    expect(await outsideProject()).toEqual([]);
    expect(stub.requests.filter((r) => /\/files\/(2\d|3\d|4\d)\/download/.test(r.url))).toEqual([]);
  });

  it('enhanced: tree lines at "..", "/../x", "..\\..\\x", "a/b\\..\\..\\..\\y" or with a NUL are refused with their subtree; the rest is downloaded through the tar, and tar entries named like paths are ignored', async () => {
    const line = (o: unknown) => `${JSON.stringify(o)}\n`;
    const dir = (id: number, path: string) => line({ id, kind: 'directory', path, size: 0, checksum: '', created_at: AT, updated_at: AT });
    const file = (id: number, path: string) => line({ id, kind: 'file', path, size: GOOD.length, checksum: md5(GOOD), created_at: AT, updated_at: AT });
    const tree = [
      dir(2, '/sub'),
      file(10, '/ok.txt'),
      file(11, '/sub/deep.txt'),
      dir(3, '/..'),
      file(20, '/../x'),
      dir(4, '/..\\..\\up'),
      file(21, '/..\\..\\up/under.txt'),
      file(22, '/sub/b\\..\\..\\..\\y'),
      file(23, '/nul\0.txt'),
      file(24, '/sub/./dot.txt'),
      line({ cursor: 'c1' }),
    ].join('');
    const { client } = await stubs(async (req, res) => {
      if (req.url === '/api/projects/7/tree') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        return res.end(tree);
      }
      if (req.url === '/api/projects/7/files/bulk-download') {
        res.writeHead(200, { 'content-type': 'application/x-tar' });
        const tar = pack();
        tar.on('error', () => {});
        tar.pipe(res);
        const entry = (name: string, data: Buffer) =>
          new Promise<void>((resolve, reject) => tar.entry({ name, size: data.length, pax: { 'MC.md5': md5(data) } } as Headers, data, (e) => (e ? reject(e) : resolve())));
        for (const name of ['../../escaped-by-tar', '/tmp/absolute-by-tar', '10/../../../escaped', '..\\..\\escaped']) await entry(name, Buffer.from('evil'));
        await entry('10', GOOD);
        await entry('11', GOOD);
        tar.finalize();
        return;
      }
      sendJson(res, 404, { message: 'No such route' });
    });
    const remote = createRemoteProject({ client, projectId: 7, capabilities: ENHANCED('tree', 'bulk-download') });
    const problems: Problem[] = [];
    const { entries } = await remote.snapshot(undefined, { onProblem: (p) => problems.push(p) });
    expect(entries.map((e) => e.path).sort()).toEqual(['ok.txt', 'sub', 'sub/deep.txt']);
    expect(problems.map((p) => p.path).sort()).toEqual(['..', '..\\..\\up', 'nul\\0.txt', 'sub/./dot.txt', 'sub/b\\..\\..\\..\\y'].sort());
    expect(problems.every((p) => p.failure && /could escape the project folder/.test(p.reason))).toBe(true);

    const results = await downloadAll(remote, entries);
    expect(results.map((r) => [r.path, r.ok])).toEqual(expect.arrayContaining([['ok.txt', true], ['sub/deep.txt', true]]));
    expect(await filesIn(root)).toEqual(['ok.txt', 'sub/deep.txt']);
    expect(await outsideProject()).toEqual([]);
    await expect(stat('/tmp/absolute-by-tar')).rejects.toThrow();
  });

  it('enhanced: the change feed drops changes at "..\\..\\x" or "/../x" and reports them', async () => {
    const { client } = await stubs((req, res) =>
      sendJson(res, 200, {
        data: [
          { seq: 1, op: 'create', id: 10, kind: 'file', path: '/..\\..\\x', size: 1, checksum: '', at: AT },
          { seq: 2, op: 'create', id: 11, kind: 'file', path: '/a/../../y', size: 1, checksum: '', at: AT },
          { seq: 3, op: 'create', id: 12, kind: 'file', path: '/fine.txt', size: 1, checksum: '', at: AT },
        ],
        cursor: 'c2',
        more: false,
      }),
    );
    const problems: Problem[] = [];
    const changes = await changesSince(client, 7, 'c1', { onProblem: (p) => problems.push(p) });
    expect(changes.expired === false && changes.changes.map((c) => c.path)).toEqual(['fine.txt']);
    expect(problems.map((p) => p.path)).toEqual(['..\\..\\x', 'a/../../y']);
  });
});

describe('bytes that do not match what the listing says', () => {
  it('stock: a download whose MD5 differs fails with VERIFY (after one retry) and leaves nothing; the other file is downloaded', async () => {
    const { stub, client } = await stubs((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(req.url.includes('/files/11/') ? Buffer.from('tampered!!\n') : GOOD);
    });
    const remote = createRemoteProject({ client, projectId: 7 });
    const entry = (id: number, path: string): RemoteEntry => ({ path, kind: 'file', id, size: GOOD.length, md5: md5(GOOD) });
    const results = await downloadAll(remote, [entry(10, 'ok.txt'), entry(11, 'lying.txt')]);
    const lying = results.find((r) => r.path === 'lying.txt')!;
    expect(lying.ok).toBe(false);
    if (!lying.ok) expectMcError(lying.error, 'VERIFY', /lying\.txt: downloaded bytes have MD5 [0-9a-f]{32}, the server lists/);
    expect(await filesIn(root)).toEqual(['ok.txt']);
    expect(stub.requests.filter((r) => r.url.includes('/files/11/'))).toHaveLength(2);
  });

  it('stock: a download that never ends stops just past the listed size with VERIFY, not when the disk is full', async () => {
    const { client } = await stubs(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const block = Buffer.alloc(64 << 10, 1);
      while (!res.destroyed && res.writable) {
        await send(res, block);
      }
    });
    const remote = createRemoteProject({ client, projectId: 7 });
    const [result] = await downloadAll(remote, [{ path: 'small.txt', kind: 'file', id: 10, size: 1000, md5: md5('x') }]);
    expect(result!.ok).toBe(false);
    if (!result!.ok) expectMcError(result!.error, 'VERIFY', /small\.txt: the server sent more than the 1000 bytes it lists/);
    expect(await filesIn(root)).toEqual([]);
  });

  it('enhanced: a tar entry larger than the listed size fails that file with VERIFY; an endless tar is cut off with SERVER; other files are kept', async () => {
    const sent: number[] = [];
    const { client } = await stubs(async (req, res) => {
      const { ids } = JSON.parse(req.body.toString()) as { ids: number[] };
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      const write = (b: Buffer) => send(res, b);
      for (const id of ids) {
        if (id === 10) await write(await tarEntryBytes('10', GOOD));
        if (id === 11) await write(await tarEntryBytes('11', Buffer.alloc(3 << 20, 2))); // listed as 11 bytes
      }
      // then entries nobody asked for, for ever (6 GiB if nothing stops it)
      const unasked = await tarEntryBytes('999', Buffer.alloc(64 << 10));
      for (let i = 0; !res.destroyed && i < 100_000; i++) {
        await write(unasked);
        sent.push(i);
      }
      res.end();
    });
    const remote = createRemoteProject({ client, projectId: 7, capabilities: ENHANCED('bulk-download') });
    const entry = (id: number, path: string): RemoteEntry => ({ path, kind: 'file', id, size: GOOD.length, md5: md5(GOOD) });
    const results = await downloadAll(remote, [entry(10, 'ok.txt'), entry(11, 'big.txt')]);
    const byPath = Object.fromEntries(results.map((r) => [r.path, r]));
    expect(byPath['ok.txt']!.ok).toBe(true);
    const big = byPath['big.txt']!;
    expect(big.ok).toBe(false);
    if (!big.ok) expectMcError(big.error, 'VERIFY', /big\.txt: the server sent 3145728 bytes, it lists 11/);
    expect(sent.length).toBeLessThan(1000); // cut off after the budget, not after 6 GiB
    expect(await filesIn(root)).toEqual(['ok.txt']);
  });
});

describe('answers that are not JSON, or never end', () => {
  const html = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
    res.end('<!DOCTYPE html><html><head><title>Login</title></head><body>please log in</body></html>');
  };

  it('stock: an HTML page or truncated JSON instead of the directory listing fails with SERVER, saying what came', async () => {
    const { client } = await stubs((req, res) => (req.url.endsWith('/directories') ? html(res) : sendJson(res, 200, { data: [] })));
    const err = await createRemoteProject({ client, projectId: 7 }).snapshot().catch((e: unknown) => e);
    expectMcError(err, 'SERVER', /expected JSON from GET \/projects\/7\/directories, got text\/html/);

    const { client: client2 } = await stubs((_req, res) => {
      const text = '{"data":[{"id":1,"uuid":"r","name":"/","path":"/","mime_type":"direc';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    const err2 = await createRemoteProject({ client: client2, projectId: 7 }).snapshot().catch((e: unknown) => e);
    expectMcError(err2, 'SERVER', /invalid JSON from GET \/projects\/7\/directories/);
  });

  it('enhanced: an HTML page instead of the tree or the change feed fails with SERVER', async () => {
    const { client } = await stubs((_req, res) => html(res));
    const remote = createRemoteProject({ client, projectId: 7, capabilities: ENHANCED('tree', 'changes') });
    expectMcError(await remote.snapshot().catch((e: unknown) => e), 'SERVER', /expected an NDJSON listing from GET \/projects\/7\/tree, got text\/html/);
    expectMcError(await remote.changesSince('c1').catch((e: unknown) => e), 'SERVER', /expected JSON from GET \/projects\/7\/changes/);
  });

  it('stock: a listing that never ends is refused once it passes the cap, and one that announces gigabytes is refused before reading', async () => {
    let written = 0;
    const { client } = await stubs(
      async (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data":[');
        const row = `${JSON.stringify({ id: 2, uuid: 'u', name: 'x', path: '/x', mime_type: 'directory', directory_id: 1 })},`.repeat(100);
        while (!res.destroyed && written < 1 << 30) {
          written += row.length;
          await send(res, row);
        }
        res.end();
      },
      { maxJsonBytes: 1 << 20 },
    );
    const err = await createRemoteProject({ client, projectId: 7 }).snapshot().catch((e: unknown) => e);
    expectMcError(err, 'SERVER', /the answer to GET \/projects\/7\/directories is larger than 1048576 bytes; it was not read to the end/);
    expect(written).toBeLessThan(64 << 20);

    const { stub, client: client2 } = await stubs((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(5 * 2 ** 30) });
      res.write('{"data":[');
    });
    const err2 = await client2.json({ method: 'GET', path: '/projects' }).catch((e: unknown) => e);
    expectMcError(err2, 'SERVER', /larger than 268435456 bytes/);
    expect(stub.requests).toHaveLength(1);
  });

  it('an error page that never ends is read only as far as its message', async () => {
    const { client } = await stubs(async (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.write('<html><head><title>Server Error</title></head><body>');
      for (let i = 0; i < 10_000 && !res.destroyed; i++) {
        await send(res, 'x'.repeat(64 << 10));
      }
      res.end();
    }, { retry: { ...FAST_RETRY, retries: 0 } });
    const err = await client.json({ method: 'GET', path: '/projects' }).catch((e: unknown) => e);
    expectMcError(err, 'SERVER', /server error on GET \/projects \(HTTP 500\): Server Error/);
  });

  it('enhanced: a tree listing that goes on beyond its bounds (bytes, or lines) is refused with SERVER', async () => {
    const endless = async (_req: RecordedRequest, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (let i = 0; !res.destroyed && i < 1_000_000; i++) {
        const line = `${JSON.stringify({ id: i + 2, kind: 'file', path: `/f${i}`, size: 1, checksum: '', created_at: AT })}\n`;
        await send(res, line);
      }
      res.end();
    };
    const { client } = await stubs(endless);
    const err = await treeSnapshot(client, 7, new DirectoryIndex(client, 7), [''], { maxBytes: 256 << 10 }).catch((e: unknown) => e);
    expectMcError(err, 'SERVER', /GET \/projects\/7\/tree: the listing goes on beyond 262144 bytes; refused/);
    const err2 = await treeSnapshot(client, 7, new DirectoryIndex(client, 7), [''], { maxLines: 1000 }).catch((e: unknown) => e);
    expectMcError(err2, 'SERVER', /the listing goes on beyond 1000 lines; refused/);
  });

  it('enhanced: a change feed whose "more" never ends is given up after its page bound, answering expired (a fresh snapshot follows)', async () => {
    const { stub, client } = await stubs((req, res) => {
      const n = Number(new URL(req.url, 'http://x').searchParams.get('cursor')!.slice(1));
      sendJson(res, 200, { data: [{ seq: n, op: 'create', id: n, kind: 'file', path: `/f${n}`, size: 1, checksum: '', at: AT }], cursor: `c${n + 1}`, more: true });
    });
    expect(await changesSince(client, 7, 'c1', { maxPages: 25 })).toEqual({ expired: true });
    expect(stub.requests).toHaveLength(25);
  });

  it('stock: file-changes-since announcing a billion pages is refused after the first', async () => {
    const { fileChangesSince } = await import('./endpoints/file-changes');
    const { stub, client } = await stubs((_req, res) => sendJson(res, 200, { current_page: 1, data: [], last_page: 1_000_000_000, per_page: 500, total: 5e11 }));
    const err = await fileChangesSince(client, 7, new Date(0)).catch((e: unknown) => e);
    expectMcError(err, 'SERVER', /announces 1000000000 pages/);
    expect(stub.requests).toHaveLength(1);
  });
});

describe('a redirect to another host is never followed, and the token never goes there', () => {
  async function redirecting(status: number) {
    const other = await otherHost();
    const { stub, client } = await stubs((req, res) => {
      res.writeHead(status, { location: `${other.origin}${req.url}` });
      res.end();
    });
    return { other, stub, client };
  }

  it.each([301, 302, 307, 308])('stock listing, download and the enhanced tree, feed and bulk download on %i', async (status) => {
    const { other, stub, client } = await redirecting(status);
    const stock = createRemoteProject({ client, projectId: 7 });
    const enhanced = createRemoteProject({ client, projectId: 7, capabilities: ENHANCED('tree', 'changes', 'bulk-download') });
    const entry: RemoteEntry = { path: 'f.txt', kind: 'file', id: 10, size: GOOD.length, md5: md5(GOOD) };

    expectMcError(await stock.snapshot().catch((e: unknown) => e), 'SERVER', new RegExp(`unexpected redirect \\(HTTP ${status} to http://127\\.0\\.0\\.1:\\d+/api/projects/7/directories\\)`));
    expectMcError(await enhanced.snapshot().catch((e: unknown) => e), 'SERVER', /unexpected redirect/);
    expectMcError(await enhanced.changesSince('c1').catch((e: unknown) => e), 'SERVER', /unexpected redirect/);
    for (const remote of [stock, enhanced]) {
      const [r] = await downloadAll(remote, [entry]);
      expect(r!.ok).toBe(false);
      if (!r!.ok) expectMcError(r!.error, 'SERVER', /unexpected redirect/);
    }
    expect(other.requests).toEqual([]);
    expect(stub.requests.length).toBeGreaterThanOrEqual(5);
    expect(await filesIn(root)).toEqual([]);
    expect(await outsideProject()).toEqual([]);
  });

  it('tus: an upload URL on another host (Location of the creation, or a redirect of a chunk) is refused', async () => {
    const other = await otherHost();
    const created: RecordedRequest[] = [];
    const { stub, client } = await stubs((req, res) => {
      if (req.method === 'OPTIONS' && req.url === '/files/') {
        res.writeHead(204, { 'tus-resumable': '1.0.0', 'tus-version': '1.0.0', 'tus-extension': 'creation,termination' });
        return res.end();
      }
      if (req.method === 'POST' && req.url === '/files/') {
        created.push(req);
        res.writeHead(201, { 'tus-resumable': '1.0.0', location: `${other.origin}/files/abc` });
        return res.end();
      }
      if (req.url.startsWith('/api/projects/7/directories')) {
        return sendJson(res, 200, { data: [{ id: 1, uuid: 'r', name: '/', path: '/', mime_type: 'directory', directory_id: null }] });
      }
      sendJson(res, 404, { message: 'No such file' });
    });
    const remote = createRemoteProject({ client, projectId: 7, tus: { threshold: 1024, chunkBytes: 8192, confirmTimeoutMs: 500, retry: FAST_RETRY } });
    await remote.snapshot();
    const localPath = join(root, 'big.bin');
    await writeFile(localPath, Buffer.alloc(20_000, 3));
    const st = await stat(localPath, { bigint: true });
    const item: UploadItem = { path: 'big.bin', localPath, size: 20_000, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) };
    const results: UploadResult[] = await collect(remote.upload([item]));
    expect(created).toHaveLength(1);
    expect(results).toHaveLength(1);
    expect(results[0]!.ok).toBe(false);
    if (!results[0]!.ok) expectMcError(results[0]!.error, 'SERVER', /upload URL on another host \(http:\/\/127\.0\.0\.1:\d+\); it was not followed/);
    expect(other.requests).toEqual([]);
    for (const r of stub.requests) expect(r.url).not.toContain(TOKEN);
    expect(await readFile(localPath)).toHaveLength(20_000);
  });
});
