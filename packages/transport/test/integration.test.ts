/**
 * Against the real reference server (@mcsync/server) started in-process on port 0: the same cases
 * against its `stock` profile (production's API) and its `enhanced` one (sync-api.md), then what
 * only the extensions can do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Capabilities, type RemoteEntry, type RemoteProject, TEMP_PREFIX, type UploadItem } from '@mcsync/core';
import { type RunningServer, startServer } from '@mcsync/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EnhancedRemoteProject,
  HttpClient,
  type RemoteProjectOptions,
  StockRemoteProject,
  createProject,
  createRemoteProject,
  detectCapabilities,
  fileByPath,
  getProject,
  listProjects,
  login,
} from '../src/index';

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mcsync-transport-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A server of one profile, a logged-in client and what the server advertises. */
function serverFixture(profile: 'stock' | 'enhanced', extra: Parameters<typeof startServer>[0] extends infer O ? Partial<O> : never = {}) {
  const f = {} as { server: RunningServer; client: HttpClient; token: string; caps: Capabilities; errors: string[]; root: string };
  beforeAll(async () => {
    f.root = await mkdtemp(join(work, `${profile}-`));
    f.errors = [];
    // The server logs requests the client abandons on purpose (a file that shrank mid-body).
    f.server = await startServer({ dataDir: join(f.root, 'server'), port: 0, profile, logError: (m) => f.errors.push(m), ...extra } as Parameters<typeof startServer>[0]);
    await f.server.createUser({ email: 'ann@example.org', password: 'correct horse' });
    f.token = (await login(f.server.url, 'ann@example.org', 'correct horse')).api_token;
    f.client = new HttpClient({ baseUrl: f.server.url, token: f.token });
    f.caps = await detectCapabilities(f.client);
  });
  afterAll(async () => {
    await f.client?.close();
    await f.server?.close();
  });
  return f;
}

/** Writes local files and returns upload items for them (MD5 unknown unless `withMd5`). */
async function localFiles(root: string, files: Record<string, Buffer>, withMd5 = false): Promise<UploadItem[]> {
  const items: UploadItem[] = [];
  for (const [path, content] of Object.entries(files)) {
    const localPath = join(root, path);
    await mkdir(dirname(localPath), { recursive: true });
    await writeFile(localPath, content);
    const st = await stat(localPath, { bigint: true });
    items.push({ path, localPath, size: content.length, md5: withMd5 ? md5(content) : null, mtimeNs: st.mtimeNs, ino: Number(st.ino) });
  }
  return items;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function failures(results: readonly { ok: boolean; path: string; error?: { code: string; message: string } }[]) {
  return results.filter((r) => !r.ok).map((r) => [r.path, `${r.error?.code}: ${r.error?.message}`]);
}

describe.each(['stock', 'enhanced'] as const)('%s profile', (profile) => {
  const f = serverFixture(profile);
  const enhanced = profile === 'enhanced';
  const at = (name: string) => join(f.root, name);

  async function newProject(name: string, extra: Partial<RemoteProjectOptions> = {}): Promise<RemoteProject> {
    const { project } = await createProject(f.client, { name });
    return createRemoteProject({ client: f.client, projectId: project.id, capabilities: f.caps, ...extra });
  }
  const again = (remote: RemoteProject) => createRemoteProject({ client: f.client, projectId: remote.projectId, capabilities: f.caps });

  it('refuses an upload whose file got a new version after the snapshot (stock: checked with file-changes-since)', async () => {
    const remote = await newProject('precheck');
    expect(failures(await all(remote.upload(await localFiles(at('pc-1'), { 'x.txt': Buffer.from('x1'), 'keep.txt': Buffer.from('k1') }))))).toEqual([]);
    const planner = again(remote);
    const { entries } = await planner.snapshot();
    const idOf = (p: string) => entries.find((e) => e.path === p)!.id;
    // Someone else uploads a new version of x.txt after the snapshot.
    expect(failures(await all(again(remote).upload(await localFiles(at('pc-2'), { 'x.txt': Buffer.from('x2 by someone else') }))))).toEqual([]);
    const mine = await localFiles(at('pc-3'), { 'x.txt': Buffer.from('x-mine'), 'keep.txt': Buffer.from('k-mine'), 'new.txt': Buffer.from('n') });
    const results = await all(planner.upload(mine.map((i) => ({ ...i, ifCurrentId: i.path === 'new.txt' ? 0 : idOf(i.path) }))));
    expect(Object.fromEntries(results.map((r) => [r.path, r.ok ? 'ok' : r.error.code]))).toEqual({ 'x.txt': 'CONFLICT', 'keep.txt': 'ok', 'new.txt': 'ok' });
    const after = (await again(remote).snapshot()).entries;
    expect(after.find((e) => e.path === 'x.txt')?.md5).toBe(md5(Buffer.from('x2 by someone else')));
  });

  it('logs in, creates and lists projects, and picks the strategy from what the server advertises', async () => {
    const first = await createProject(f.client, { name: 'alpha' });
    expect(first.created).toBe(true);
    const dup = await createProject(f.client, { name: 'alpha' });
    expect(dup).toMatchObject({ created: false, project: { id: first.project.id } });
    expect((await listProjects(f.client)).map((p) => p.name)).toContain('alpha');
    expect((await getProject(f.client, first.project.id)).name).toBe('alpha');
    expect(f.caps.profile).toBe(profile);
    expect(await newProject('strategy')).toBeInstanceOf(enhanced ? EnhancedRemoteProject : StockRemoteProject);
    if (enhanced) expect([...f.caps.features].sort()).toEqual(['bulk-download', 'bulk-upload', 'by-checksum', 'changes', 'preconditions', 'tree', 'tus-checksum']);
  });

  it('refuses a wrong password with AUTH and a wrong token with AUTH, never echoing either', async () => {
    await expect(login(f.server.url, 'ann@example.org', 'wrong')).rejects.toMatchObject({ code: 'AUTH' });
    const bad = new HttpClient({ baseUrl: f.server.url, token: 'x'.repeat(60) });
    try {
      const err = await listProjects(bad).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'AUTH', status: 401 });
      expect(JSON.stringify({ m: (err as Error).message, h: (err as { hint: string }).hint })).not.toContain('x'.repeat(60));
    } finally {
      await bad.close();
    }
  });

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
    expect((await all(remote.mkdirs(['nested/a/b', 'empty']))).every((r) => r.ok)).toBe(true);
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
    const results = await all(remote.upload(await localFiles(at('tree'), files)));
    expect(failures(results)).toEqual([]);
    await all(remote.mkdirs(['empty-dir']));

    const fresh = again(remote);
    const { entries, cursor } = await fresh.snapshot();
    const byPath = new Map(entries.map((e) => [e.path, e]));
    for (const [path, content] of Object.entries(files)) {
      expect(byPath.get(path), path).toMatchObject({ kind: 'file', size: content.length, md5: md5(content) });
    }
    expect(byPath.get('empty.dat')!.md5).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(byPath.get('empty-dir')).toMatchObject({ kind: 'directory' });
    const dirs = entries.filter((e) => e.kind === 'directory');
    // stock: 1 request for all directories + 1 listing per directory, root included; enhanced: one tree listing
    expect(fresh.requestCount()).toBe(enhanced ? 1 : 1 + dirs.length + 1);
    expect(cursor === null).toBe(!enhanced);

    // A prefix: a folder, a file, or nothing.
    const part = await again(remote).snapshot(['nested/a', 'top.txt', 'no/such']);
    expect(part.entries.map((e) => e.path).sort()).toEqual(['nested/a', 'nested/a/b', 'nested/a/b/deep.cif', 'top.txt']);
  });

  it('uploads 50 small files and one of 20 MiB, verified by MD5, and re-uploading identical bytes keeps the ids', async () => {
    const remote = await newProject('bulk');
    const files: Record<string, Buffer> = { 'big/large.bin': randomBytes(20 << 20) };
    for (let i = 0; i < 50; i++) files[`small/f${String(i).padStart(2, '0')}.txt`] = randomBytes(100 + i * 37);
    const items = await localFiles(at('bulk'), files);

    const results = await all(remote.upload(items));
    expect(failures(results)).toEqual([]);
    expect(results).toHaveLength(51);
    for (const r of results) if (r.ok) expect(r).toMatchObject({ verified: 'md5', md5: md5(files[r.path]!) });
    // stock: 50 small files in ≤ 20-part batches (3) + the big one + 2 directory creations;
    // enhanced: one bulk request (it makes its folders) + the big one alone + its folder
    expect(remote.requestCount()).toBe(enhanced ? 1 + 1 + 1 : 3 + 1 + 2);

    const { entries } = await remote.snapshot();
    for (const [path, content] of Object.entries(files)) expect(entries.find((e) => e.path === path)?.md5).toBe(md5(content));
    const ids = new Map(results.map((r) => [r.path, r.ok ? r.remote.id : -1]));

    const second = await all(remote.upload(items));
    expect(failures(second)).toEqual([]);
    for (const r of second) if (r.ok) expect(r.remote.id).toBe(ids.get(r.path));

    const big = entries.find((e) => e.path === 'big/large.bin')!;
    const [dl] = await all(remote.download([{ path: big.path, remote: big, localPath: at('bulk-down/large.bin') }]));
    expect(dl).toMatchObject({ ok: true, verified: 'md5', bytes: 20 << 20 });
    if (dl?.ok) expect(md5(await readFile(dl.tempPath))).toBe(md5(files['big/large.bin']!));
  });

  it('fails a file that changed since it was planned with CHANGED, and still uploads its batch mates', async () => {
    const remote = await newProject('changed');
    const items = await localFiles(at('changed'), {
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
          if (e.path === shrink.path) truncateSync(shrink.localPath, 1000);
          if (e.path === modified.path) writeFileSync(modified.localPath, 'version two');
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
    const items = await localFiles(at('unknown'), { 'x/y/z.txt': Buffer.from('z'), 'root.txt': Buffer.from('r') });
    expect(failures(await all(remote.upload(items)))).toEqual([]);
    const row = await fileByPath(f.client, remote.projectId, 'x/y/z.txt');
    expect(row.size).toBe(1);
  });

  it('downloads every file of a snapshot to verified temp files', async () => {
    const remote = await newProject('down');
    const files = { 'a.txt': Buffer.from('alpha'), 'sub/b.bin': randomBytes(2 << 20), 'sub/empty': Buffer.alloc(0), 'ü/日本語.cif': Buffer.from('x') };
    expect(failures(await all(remote.upload(await localFiles(at('down-src'), files))))).toEqual([]);
    const entries = (await remote.snapshot()).entries.filter((e): e is RemoteEntry => e.kind === 'file');
    const target = at('down-dst');
    const before = remote.requestCount();
    const results = await all(remote.download(entries.map((e) => ({ path: e.path, remote: e, localPath: join(target, e.path) }))));
    expect(failures(results)).toEqual([]);
    expect(remote.requestCount() - before).toBe(enhanced ? 1 : 4);
    for (const r of results) {
      if (!r.ok) continue;
      expect(md5(await readFile(r.tempPath))).toBe(md5(files[r.path as keyof typeof files]));
      expect(r.tempPath.includes(TEMP_PREFIX)).toBe(true);
    }
    expect((await readdir(join(target, 'sub'))).every((n) => n.startsWith(TEMP_PREFIX))).toBe(true);
  });

  it('reports a download of a file id that is gone as a failure of that item only', async () => {
    const remote = await newProject('gone');
    await all(remote.upload(await localFiles(at('gone'), { 'here.txt': Buffer.from('here') })));
    const [here] = (await remote.snapshot()).entries.filter((e) => e.kind === 'file');
    const ghost: RemoteEntry = { path: 'ghost.txt', kind: 'file', id: 999_999, size: 1, md5: null };
    const results = await all(
      remote.download([
        { path: ghost.path, remote: ghost, localPath: at('gone-dst/ghost.txt') },
        { path: here!.path, remote: here!, localPath: at('gone-dst/here.txt') },
      ]),
    );
    expect(results.find((r) => r.path === 'ghost.txt')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(results.find((r) => r.path === 'here.txt')).toMatchObject({ ok: true });
    expect((await readdir(at('gone-dst'))).length).toBe(1);
  });

  it('deletes files, then folders deepest first, and keeps what changed or was added meanwhile', async () => {
    const remote = await newProject('remove');
    const items = await localFiles(at('remove'), {
      'gone/a/x.txt': Buffer.from('x'),
      'gone/y.txt': Buffer.from('y'),
      'kept/v.txt': Buffer.from('v1'),
      'busy/z.txt': Buffer.from('z'),
    });
    expect(failures(await all(remote.upload(items)))).toEqual([]);
    const { entries } = await remote.snapshot();
    const entry = (p: string) => entries.find((e) => e.path === p)!;

    // Meanwhile: a new version of kept/v.txt and a new file in busy/.
    const later = await localFiles(at('remove-later'), { 'kept/v.txt': Buffer.from('v2'), 'busy/new.txt': Buffer.from('n') });
    expect(failures(await all(again(remote).upload(later)))).toEqual([]);

    const paths = ['gone/a/x.txt', 'gone/y.txt', 'gone/a', 'gone', 'kept/v.txt', 'busy/z.txt', 'busy'];
    const before = remote.requestCount();
    const results = await all(remote.remove(paths.map((p) => ({ path: p, remote: entry(p) }))));
    const byPath = Object.fromEntries(results.map((r) => [r.path, r.ok ? 'ok' : r.error.code]));
    expect(byPath).toEqual({ 'gone/a/x.txt': 'ok', 'gone/y.txt': 'ok', 'gone/a': 'ok', gone: 'ok', 'kept/v.txt': 'CONFLICT', 'busy/z.txt': 'ok', busy: 'CONFLICT' });
    // 4 files: a delete each (stock re-reads each by path first, and does not send the delete of the
    // changed one); 3 folders: a listing and, when empty, a delete
    expect(remote.requestCount() - before).toBe((enhanced ? 4 : 4 + 3) + 3 + 2);
    const after = (await remote.snapshot()).entries.map((e) => e.path).sort();
    expect(after).toEqual(['busy', 'busy/new.txt', 'kept', 'kept/v.txt']);
  });
});

describe('enhanced profile: what only the extensions do', () => {
  const f = serverFixture('enhanced');
  const at = (name: string) => join(f.root, name);
  async function newProject(name: string, caps: Capabilities = f.caps): Promise<RemoteProject> {
    const { project } = await createProject(f.client, { name });
    return createRemoteProject({ client: f.client, projectId: project.id, capabilities: caps });
  }

  it('uploads 2,000 small files in ceil(2000 / bulk_upload_max_files) requests and downloads them in one', async () => {
    const remote = await newProject('two-thousand');
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 2000; i++) files[`d${i % 40}/f${i}.dat`] = randomBytes(64 + (i % 50));
    const results = await all(remote.upload(await localFiles(at('2000'), files)));
    expect(failures(results)).toEqual([]);
    const limit = f.caps.limits.bulk_upload_max_files!;
    expect(remote.requestCount()).toBe(Math.ceil(2000 / limit));

    const snap = await remote.snapshot();
    expect(snap.entries.filter((e) => e.kind === 'file')).toHaveLength(2000);
    const before = remote.requestCount();
    const downloads = await all(
      remote.download(snap.entries.filter((e) => e.kind === 'file').map((e) => ({ path: e.path, remote: e, localPath: join(at('2000-down'), e.path) }))),
    );
    expect(failures(downloads)).toEqual([]);
    expect(remote.requestCount() - before).toBe(1);
  });

  it('uploads content the server already holds by checksum: a copy at another path costs no bytes', async () => {
    const remote = await newProject('by-checksum');
    const content = { 'a/one.bin': randomBytes(300_000), 'a/two.bin': randomBytes(1000) };
    expect(failures(await all(remote.upload(await localFiles(at('bc-1'), content))))).toEqual([]);

    const copies = await localFiles(at('bc-2'), { 'copy/one.bin': content['a/one.bin'], 'copy/two.bin': content['a/two.bin'] }, true);
    const fresh = createRemoteProject({ client: f.client, projectId: remote.projectId, capabilities: f.caps });
    const results = await all(fresh.upload(copies));
    expect(failures(results)).toEqual([]);
    expect(results.map((r) => r.ok && r.verified)).toEqual(['md5', 'md5']);
    expect(results.map((r) => r.ok && r.sent)).toEqual([0, 0]);
    expect(fresh.requestCount()).toBe(1); // one by-checksum request, no upload
    const { entries } = await fresh.snapshot();
    expect(entries.find((e) => e.path === 'copy/one.bin')).toMatchObject({ size: 300_000, md5: md5(content['a/one.bin']) });
  });

  it('refuses uploads over a version it did not see with CONFLICT (by checksum, in bulk and on the single route) and takes the right ones', async () => {
    const remote = await newProject('preconditions');
    const big = randomBytes(9 << 20);
    const v1 = await localFiles(at('pre-1'), { 'x.txt': Buffer.from('x1'), 'y.txt': Buffer.from('y1'), 'big.bin': big });
    const first = await all(remote.upload(v1.map((i) => ({ ...i, ifCurrentId: 0 }))));
    expect(failures(first)).toEqual([]);
    const id = Object.fromEntries(first.map((r) => [r.path, r.ok ? r.remote.id : -1]));

    // Stale expectations: "no file there" for files that exist, and a wrong id.
    const stale = await localFiles(at('pre-2'), { 'x.txt': Buffer.from('x2'), 'y.txt': Buffer.from('y1'), 'big.bin': randomBytes(9 << 20) });
    stale[1]!.md5 = md5('y1'); // by checksum
    const refused = await all(remote.upload(stale.map((i) => ({ ...i, ifCurrentId: i.path === 'x.txt' ? id['x.txt']! + 1000 : 0 }))));
    // y.txt sends the very bytes the current version holds: that changes nothing, so the server answers it as
    // unchanged rather than as a conflict (an upload repeated because its first answer was lost must not
    // become a conflict: apps/server/README.md, preconditions). Different bytes over an unseen version are refused.
    expect(Object.fromEntries(refused.map((r) => [r.path, r.ok ? 'ok' : r.error.code]))).toEqual({ 'x.txt': 'CONFLICT', 'y.txt': 'ok', 'big.bin': 'CONFLICT' });

    const right = await all(remote.upload(stale.map((i) => ({ ...i, ifCurrentId: id[i.path]! }))));
    expect(failures(right)).toEqual([]);
    expect((await fileByPath(f.client, remote.projectId, 'x.txt')).checksum).toBe(md5('x2'));
  });

  it('follows the change feed from a snapshot cursor: one request when nothing changed', async () => {
    const remote = await newProject('feed');
    expect(failures(await all(remote.upload(await localFiles(at('feed-1'), { 'a/x.txt': Buffer.from('x') }))))).toEqual([]);
    const snap = await remote.snapshot();
    const before = remote.requestCount();
    expect(await remote.changesSince(snap.cursor!)).toEqual({ expired: false, changes: [], cursor: snap.cursor });
    expect(remote.requestCount() - before).toBe(1);

    expect(failures(await all(remote.upload(await localFiles(at('feed-2'), { 'a/x.txt': Buffer.from('x2'), 'b/y.txt': Buffer.from('y') }))))).toEqual([]);
    const feed = await remote.changesSince(snap.cursor!);
    if (!feed || feed.expired) throw new Error('expected changes');
    expect(feed.changes.map((c) => [c.op, c.kind, c.path]).sort()).toEqual([
      ['create', 'directory', 'b'],
      ['create', 'file', 'b/y.txt'],
      ['version', 'file', 'a/x.txt'],
    ]);
    expect(feed.changes.find((c) => c.path === 'a/x.txt')).toMatchObject({ md5: md5('x2'), size: 2 });
    expect(await remote.changesSince('999999')).toEqual({ expired: true });
  });

  it('works the stock way against an enhanced server when the capabilities list no feature', async () => {
    const none: Capabilities = { profile: 'enhanced', features: new Set(), limits: {} };
    const remote = await newProject('no-features', none);
    const items = await localFiles(at('none'), { 'a/x.txt': Buffer.from('x'), 'b.txt': Buffer.from('b') }, true);
    expect(failures(await all(remote.upload(items)))).toEqual([]);
    expect(remote.requestCount()).toBe(2 + 2); // the root's id and a folder creation, one upload per folder
    const snap = await remote.snapshot();
    expect(snap).toMatchObject({ cursor: null });
    expect(snap.entries.map((e) => e.path).sort()).toEqual(['a', 'a/x.txt', 'b.txt']);
    expect(await remote.changesSince('1')).toBeNull();
  });
});
