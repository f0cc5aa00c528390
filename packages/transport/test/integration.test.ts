/**
 * Against the real reference server (@mcsync/server, stock profile) started in-process on port 0.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type RemoteEntry, type RemoteProject, TEMP_PREFIX, type UploadItem, type UploadResult } from '@mcsync/core';
import { type RunningServer, startServer } from '@mcsync/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  createProject,
  createRemoteProject,
  detectCapabilities,
  fileByPath,
  getProject,
  listProjects,
  login,
} from '../src/index';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

let server: RunningServer;
let work: string;
let client: HttpClient;
let token: string;
const serverErrors: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mcsync-transport-'));
  // The server logs requests the client abandons on purpose (a file that shrank mid-body).
  server = await startServer({ dataDir: join(work, 'server'), port: 0, profile: 'stock', logError: (m) => serverErrors.push(m) });
  await server.createUser({ email: 'ann@example.org', password: 'correct horse' });
  token = (await login(server.url, 'ann@example.org', 'correct horse')).api_token;
  client = new HttpClient({ baseUrl: server.url, token });
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

/** Writes local files and returns upload items for them. */
async function localFiles(root: string, files: Record<string, Buffer>): Promise<UploadItem[]> {
  const items: UploadItem[] = [];
  for (const [path, content] of Object.entries(files)) {
    const localPath = join(root, path);
    await mkdir(dirname(localPath), { recursive: true });
    await writeFile(localPath, content);
    const st = await stat(localPath, { bigint: true });
    items.push({ path, localPath, size: content.length, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) });
  }
  return items;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function failures(results: readonly UploadResult[]) {
  return results.filter((r) => !r.ok).map((r) => [r.path, r.ok ? '' : `${r.error.code}: ${r.error.message}`]);
}

async function newProject(name: string): Promise<RemoteProject> {
  const { project } = await createProject(client, { name });
  return createRemoteProject({ client, projectId: project.id });
}

describe('endpoints against the reference server', () => {
  it('logs in, creates and lists projects, and detects the stock profile', async () => {
    const first = await createProject(client, { name: 'alpha' });
    expect(first.created).toBe(true);
    const again = await createProject(client, { name: 'alpha' });
    expect(again).toMatchObject({ created: false, project: { id: first.project.id } });
    expect((await listProjects(client)).map((p) => p.name)).toContain('alpha');
    expect((await getProject(client, first.project.id)).name).toBe('alpha');
    const caps = await detectCapabilities(client);
    expect(caps.profile).toBe('stock');
  });

  it('refuses a wrong password with AUTH and a wrong token with AUTH, never echoing either', async () => {
    await expect(login(server.url, 'ann@example.org', 'wrong')).rejects.toMatchObject({ code: 'AUTH' });
    const bad = new HttpClient({ baseUrl: server.url, token: 'x'.repeat(60) });
    try {
      const err = await listProjects(bad).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'AUTH', status: 401 });
      expect(JSON.stringify({ m: (err as Error).message, h: (err as { hint: string }).hint })).not.toContain('x'.repeat(60));
    } finally {
      await bad.close();
    }
  });
});

describe('stock RemoteProject against the reference server', () => {
  it('mkdirs creates nested and oddly named directories (parents first), then answers from what it knows', async () => {
    const remote = await newProject('mkdirs');
    const paths = ['nested/a/b', 'nested', 'empty', 'with space', 'café', 'a+b@c#1', 'Привет/日本語'];
    const results = await all(remote.mkdirs(paths));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.path).sort()).toEqual([...paths].sort());
    const { entries } = await remote.snapshot();
    expect(entries.filter((e) => e.kind === 'directory').map((e) => e.path).sort()).toEqual(
      ['a+b@c#1', 'café', 'empty', 'nested', 'nested/a', 'nested/a/b', 'with space', 'Привет', 'Привет/日本語'].sort(),
    );
    const before = remote.requestCount();
    const again = await all(remote.mkdirs(['nested/a/b', 'empty']));
    expect(again.every((r) => r.ok)).toBe(true);
    expect(remote.requestCount()).toBe(before);
  });

  it('uploads and snapshots a tree with nested and empty dirs, spaces, non-ASCII, strict-rule-refused names and an empty file', async () => {
    const remote = await newProject('tree');
    const files: Record<string, Buffer> = {
      'top.txt': Buffer.from('top'),
      'empty.dat': Buffer.alloc(0),
      'nested/a/b/deep.cif': randomBytes(5000),
      'with space/file name.txt': Buffer.from('spaces'),
      'café/日本語.cif': Buffer.from('unicode'),
      'Привет/Привет': Buffer.from('cyrillic'),
      'a+b@c#1/x+y@z#2.txt': Buffer.from('strict rule refuses these'),
      "odd/it's;[x]~&,.txt": Buffer.from('punctuation'),
      'odd/quote"d.txt': Buffer.from('quote'),
      'odd/back\\slash.txt': Buffer.from('backslash'),
      'odd/100%.txt': Buffer.from('percent'),
    };
    const items = await localFiles(join(work, 'tree'), files);
    const results = await all(remote.upload(items));
    expect(failures(results)).toEqual([]);
    await all(remote.mkdirs(['empty-dir']));

    const fresh = createRemoteProject({ client, projectId: remote.projectId });
    const { entries } = await fresh.snapshot();
    const byPath = new Map(entries.map((e) => [e.path, e]));
    for (const [path, content] of Object.entries(files)) {
      expect(byPath.get(path), path).toMatchObject({ kind: 'file', size: content.length, md5: md5(content) });
    }
    expect(byPath.get('empty.dat')!.md5).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(byPath.get('empty-dir')).toMatchObject({ kind: 'directory' });
    const dirs = entries.filter((e) => e.kind === 'directory');
    // 1 request for all directories + 1 listing per directory, root included
    expect(fresh.requestCount()).toBe(1 + dirs.length + 1);
  });

  it('uploads 50 small files and one of 20 MiB, verified by MD5, and re-uploading identical bytes keeps the ids', async () => {
    const remote = await newProject('bulk');
    const files: Record<string, Buffer> = { 'big/large.bin': randomBytes(20 << 20) };
    for (let i = 0; i < 50; i++) files[`small/f${String(i).padStart(2, '0')}.txt`] = randomBytes(100 + i * 37);
    const items = await localFiles(join(work, 'bulk'), files);

    const results = await all(remote.upload(items));
    expect(failures(results)).toEqual([]);
    expect(results).toHaveLength(51);
    for (const r of results) if (r.ok) expect(r).toMatchObject({ verified: 'md5', md5: md5(files[r.path]!) });
    // 50 small files in ≤ 20-part batches (3) + the big one + 2 directory creations
    expect(remote.requestCount()).toBe(3 + 1 + 2);

    const { entries } = await remote.snapshot();
    for (const [path, content] of Object.entries(files)) expect(entries.find((e) => e.path === path)?.md5).toBe(md5(content));
    const ids = new Map(results.map((r) => [r.path, r.ok ? r.remote.id : -1]));

    const again = await all(remote.upload(items));
    expect(failures(again)).toEqual([]);
    for (const r of again) if (r.ok) expect(r.remote.id).toBe(ids.get(r.path));

    const big = entries.find((e) => e.path === 'big/large.bin')!;
    const [dl] = await all(remote.download([{ path: big.path, remote: big, localPath: join(work, 'bulk-down', 'large.bin') }]));
    expect(dl).toMatchObject({ ok: true, verified: 'md5', bytes: 20 << 20 });
    if (dl?.ok) expect(md5(await readFile(dl.tempPath))).toBe(md5(files['big/large.bin']!));
  });

  it('fails a file that changed since it was planned with CHANGED, and still uploads its batch mates', async () => {
    const remote = await newProject('changed');
    const items = await localFiles(join(work, 'changed'), {
      'd/shrinks.bin': randomBytes(300_000),
      'd/modified.txt': Buffer.from('version one'),
      'd/steady-1.txt': Buffer.from('one'),
      'd/steady-2.txt': Buffer.from('two'),
    });
    const shrink = items[0]!;
    const modified = items[1]!;
    const results = await all(
      remote.upload(items, {
        onProgress: (e) => {
          if (e.type !== 'start') return;
          // Changes made as the read starts: one file loses bytes, the other keeps its size but not its mtime.
          if (e.path === shrink.path) void truncate(shrink.localPath, 1000);
          if (e.path === modified.path) void writeFile(modified.localPath, 'version two');
        },
      }),
    );
    const byPath = new Map(results.map((r) => [r.path, r]));
    expect(results).toHaveLength(4);
    expect(byPath.get('d/shrinks.bin')).toMatchObject({ ok: false, error: { code: 'CHANGED' } });
    expect(byPath.get('d/modified.txt')).toMatchObject({ ok: false, error: { code: 'CHANGED' } });
    expect(byPath.get('d/steady-1.txt')).toMatchObject({ ok: true });
    expect(byPath.get('d/steady-2.txt')).toMatchObject({ ok: true });
    // The server never keeps bytes of a file that changed while it was read.
    const onServer = (await remote.snapshot()).entries.map((e) => e.path).sort();
    expect(onServer).toEqual(['d', 'd/steady-1.txt', 'd/steady-2.txt']);
  });

  it('uploads into directories it did not know, creating them by path', async () => {
    const remote = await newProject('unknown-dirs');
    const items = await localFiles(join(work, 'unknown'), { 'x/y/z.txt': Buffer.from('z'), 'root.txt': Buffer.from('r') });
    const results = await all(remote.upload(items));
    expect(failures(results)).toEqual([]);
    const row = await fileByPath(client, remote.projectId, 'x/y/z.txt');
    expect(row.size).toBe(1);
  });

  it('downloads every file of a snapshot to verified temp files', async () => {
    const remote = await newProject('down');
    const files = { 'a.txt': Buffer.from('alpha'), 'sub/b.bin': randomBytes(2 << 20), 'sub/empty': Buffer.alloc(0), 'ü/日本語.cif': Buffer.from('x') };
    const items = await localFiles(join(work, 'down-src'), files);
    expect(failures(await all(remote.upload(items)))).toEqual([]);
    const entries = (await remote.snapshot()).entries.filter((e): e is RemoteEntry => e.kind === 'file');
    const target = join(work, 'down-dst');
    const results = await all(remote.download(entries.map((e) => ({ path: e.path, remote: e, localPath: join(target, e.path) }))));
    expect(results.every((r) => r.ok)).toBe(true);
    for (const r of results) {
      if (!r.ok) continue;
      expect(md5(await readFile(r.tempPath))).toBe(md5(files[r.path as keyof typeof files]));
      expect(r.tempPath.includes(TEMP_PREFIX)).toBe(true);
    }
    expect((await readdir(join(target, 'sub'))).every((n) => n.startsWith(TEMP_PREFIX))).toBe(true);
  });

  it('reports a download of a file id that is gone as a failure of that item only', async () => {
    const remote = await newProject('gone');
    const items = await localFiles(join(work, 'gone'), { 'here.txt': Buffer.from('here') });
    await all(remote.upload(items));
    const [here] = (await remote.snapshot()).entries.filter((e) => e.kind === 'file');
    const ghost: RemoteEntry = { path: 'ghost.txt', kind: 'file', id: 999_999, size: 1, md5: null };
    const results = await all(
      remote.download([
        { path: ghost.path, remote: ghost, localPath: join(work, 'gone-dst', 'ghost.txt') },
        { path: here!.path, remote: here!, localPath: join(work, 'gone-dst', 'here.txt') },
      ]),
    );
    expect(results.find((r) => r.path === 'ghost.txt')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(results.find((r) => r.path === 'here.txt')).toMatchObject({ ok: true });
  });
});

describe('stock remove against the reference server', () => {
  it('deletes files, then folders deepest first, and keeps what changed or was added meanwhile', async () => {
    const remote = await newProject('remove');
    const items = await localFiles(join(work, 'remove'), {
      'gone/a/x.txt': Buffer.from('x'),
      'gone/y.txt': Buffer.from('y'),
      'kept/v.txt': Buffer.from('v1'),
      'busy/z.txt': Buffer.from('z'),
    });
    expect(failures(await all(remote.upload(items)))).toEqual([]);
    const { entries } = await remote.snapshot();
    const at = (p: string) => entries.find((e) => e.path === p)!;

    // Meanwhile: a new version of kept/v.txt and a new file in busy/.
    const other = createRemoteProject({ client, projectId: remote.projectId });
    const later = await localFiles(join(work, 'remove-later'), { 'kept/v.txt': Buffer.from('v2'), 'busy/new.txt': Buffer.from('n') });
    expect(failures(await all(other.upload(later)))).toEqual([]);

    const results = await all(remote.remove(['gone/a/x.txt', 'gone/y.txt', 'gone/a', 'gone', 'kept/v.txt', 'busy/z.txt', 'busy'].map((p) => ({ path: p, remote: at(p) }))));
    const byPath = Object.fromEntries(results.map((r) => [r.path, r.ok ? 'ok' : r.error.code]));
    expect(byPath).toEqual({ 'gone/a/x.txt': 'ok', 'gone/y.txt': 'ok', 'gone/a': 'ok', gone: 'ok', 'kept/v.txt': 'CONFLICT', 'busy/z.txt': 'ok', busy: 'CONFLICT' });
    const after = (await remote.snapshot()).entries.map((e) => e.path).sort();
    expect(after).toEqual(['busy', 'busy/new.txt', 'kept', 'kept/v.txt']);
  });
});
