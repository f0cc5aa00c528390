/**
 * Large uploads over tus against the real reference server (@mcsync/server, started in-process):
 * both profiles (stock: no checksums, the row appears after the answer; enhanced: `tus-checksum`,
 * synchronous completion), resume across runs, and the server's own fault injection.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Capabilities, ProgressEvent, UploadItem, UploadResult, UploadSession, UploadSessions } from '@mcsync/core';
import { type RunningServer, startServer } from '@mcsync/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type TusOptions, createProject, createRemoteProject, detectCapabilities, downloadFile, fileByPath } from '../src/index';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const KiB = 1024;
const FAST = { baseDelayMs: 5, maxDelayMs: 50 };

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mcsync-tus-it-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

class MemorySessions implements UploadSessions {
  readonly map = new Map<string, UploadSession>();
  onSave: ((s: UploadSession) => void) | undefined;
  load(path: string) {
    return this.map.get(path) ?? null;
  }
  save(s: UploadSession) {
    this.map.set(s.path, { ...s });
    this.onSave?.(s);
  }
  delete(path: string) {
    this.map.delete(path);
  }
  list() {
    return [...this.map.values()];
  }
}

type ServerOptions = NonNullable<Parameters<typeof startServer>[0]>;

function serverFixture(profile: 'stock' | 'enhanced', extra: Partial<ServerOptions> = {}) {
  const f = {} as { server: RunningServer; client: HttpClient; caps: Capabilities; root: string };
  beforeAll(async () => {
    f.root = await mkdtemp(join(work, `${profile}-`));
    f.server = await startServer({ dataDir: join(f.root, 'server'), port: 0, profile, logError: () => {}, ...extra } as ServerOptions);
    const { token } = await f.server.createUser({ email: 'ann@example.org', password: 'correct horse' });
    f.client = new HttpClient({ baseUrl: f.server.url, token, retry: FAST });
    f.caps = await detectCapabilities(f.client);
  });
  afterAll(async () => {
    await f.client?.close();
    await f.server?.close();
  });
  return f;
}

async function localFile(root: string, path: string, content: Buffer): Promise<UploadItem> {
  const localPath = join(root, path);
  await mkdir(dirname(localPath), { recursive: true });
  await writeFile(localPath, content);
  const st = await stat(localPath, { bigint: true });
  return { path, localPath, size: content.length, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) };
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function downloaded(client: HttpClient, projectId: number, id: number): Promise<Buffer> {
  const res = await downloadFile(client, projectId, id);
  const parts: Buffer[] = [];
  for await (const c of res.body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const TUS: TusOptions = { threshold: 256 * KiB, chunkBytes: 128 * KiB, confirmTimeoutMs: 10_000, retry: FAST };

describe.each(['stock', 'enhanced'] as const)('tus on the %s profile', (profile) => {
  const f = serverFixture(profile, { stockTusCompletionDelayMs: 150 });
  const enhanced = profile === 'enhanced';

  async function project(name: string, sessions?: UploadSessions, tus: TusOptions | false = TUS) {
    const { project: p } = await createProject(f.client, { name });
    return createRemoteProject({ client: f.client, projectId: p.id, capabilities: f.caps, tus, ...(sessions ? { uploadSessions: sessions } : {}) });
  }

  it('uploads a large file in chunks next to small multipart ones, and the stored bytes are the file', async () => {
    const remote = await project('big');
    const content = randomBytes(1000 * KiB + 17);
    const big = await localFile(join(f.root, 'big'), 'data/big.bin', content);
    const small = await localFile(join(f.root, 'big'), 'data/small.txt', Buffer.from('small'));
    const before = remote.requestCount();
    const events: ProgressEvent[] = [];
    const results = await all(remote.upload([big, small], { onProgress: (e) => events.push(e) }));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const r = results.find((x) => x.path === 'data/big.bin') as Extract<UploadResult, { ok: true }>;
    expect(r).toMatchObject({ bytes: content.length, md5: md5(content), verified: enhanced ? 'md5' : 'size' });
    expect(r.remote.size).toBe(content.length);
    const row = await fileByPath(f.client, remote.projectId, 'data/big.bin');
    expect(row.id).toBe(r.remote.id);
    expect(md5(await downloaded(f.client, remote.projectId, row.id))).toBe(md5(content));
    // OPTIONS, POST, 8 PATCHes, then on stock the row lookups (before, and polls until it shows)
    expect(remote.requestCount() - before).toBeGreaterThanOrEqual(10);
    expect(events.filter((e) => e.path === 'data/big.bin' && e.type === 'start')).toHaveLength(1);
  });

  it('resumes an interrupted upload in a later run from the acknowledged offset', async () => {
    const sessions = new MemorySessions();
    const content = randomBytes(2048 * KiB);
    const item = await localFile(join(f.root, 'resume'), 'resume.bin', content);
    const first = await project('resume', sessions);
    const stop = new AbortController();
    // Killed once the server has acknowledged half of the file.
    sessions.onSave = (s) => {
      if (s.offset >= content.length / 2) stop.abort();
    };
    const [killed] = await all(first.upload([item], { signal: stop.signal }));
    sessions.onSave = undefined;
    expect(killed).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    const session = sessions.load('resume.bin');
    expect(session).not.toBeNull();
    expect(session!.offset).toBeGreaterThan(0);

    const second = createRemoteProject({ client: f.client, projectId: first.projectId, capabilities: f.caps, tus: TUS, uploadSessions: sessions });
    const [r] = await all(second.upload([item]));
    expect(r).toMatchObject({ ok: true, md5: md5(content) });
    const sent = (r as Extract<UploadResult, { ok: true }>).sent;
    expect(sent).toBeDefined();
    expect(sent!).toBeLessThanOrEqual(content.length - session!.offset);
    expect(sessions.map.size).toBe(0);
    const row = await fileByPath(f.client, first.projectId, 'resume.bin');
    expect(md5(await downloaded(f.client, first.projectId, row.id))).toBe(md5(content));
  });

  it('fails CHANGED, stores nothing and terminates the upload when the file changes while it is sent', async () => {
    const content = randomBytes(1024 * KiB);
    const item = await localFile(join(f.root, 'changed'), 'changed.bin', content);
    const remote = await project('changed', undefined, { ...TUS, chunkBytes: 64 * KiB });
    let touched = false;
    const [r] = await all(
      remote.upload([item], {
        onProgress: (e) => {
          if (e.type === 'start' && !touched) {
            touched = true;
            appendFileSync(item.localPath, 'appended while uploading');
          }
        },
      }),
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'CHANGED' } });
    await expect(fileByPath(f.client, remote.projectId, 'changed.bin')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps the multipart route for everything when tus is switched off', async () => {
    const remote = await project('no-tus', undefined, false);
    const content = randomBytes(600 * KiB);
    const [r] = await all(remote.upload([await localFile(join(f.root, 'no-tus'), 'x.bin', content)]));
    expect(r).toMatchObject({ ok: true, verified: 'md5', md5: md5(content) });
  });
});

describe('tus on the enhanced profile: what only the extensions do', () => {
  const f = serverFixture('enhanced', { syncLimits: { tus_max_chunk_bytes: 96 * KiB } });

  it('advertises tus-checksum, and chunks respect tus_max_chunk_bytes', async () => {
    expect(f.caps.features.has('tus-checksum')).toBe(true);
    const { project: p } = await createProject(f.client, { name: 'limit' });
    const remote = createRemoteProject({ client: f.client, projectId: p.id, capabilities: f.caps, tus: { threshold: 256 * KiB, retry: FAST } });
    const content = randomBytes(960 * KiB);
    const before = remote.requestCount();
    const [r] = await all(remote.upload([await localFile(join(f.root, 'limit'), 'limit.bin', content)]));
    expect(r).toMatchObject({ ok: true, verified: 'md5' });
    // OPTIONS + POST + 10 PATCHes of 96 KiB; no by_path polling
    expect(remote.requestCount() - before).toBe(12);
  });

  it('refuses with CONFLICT when if_current_id is no longer the current version', async () => {
    const { project: p } = await createProject(f.client, { name: 'precondition' });
    const remote = createRemoteProject({ client: f.client, projectId: p.id, capabilities: f.caps, tus: TUS });
    const content = randomBytes(300 * KiB);
    const [first] = await all(remote.upload([await localFile(join(f.root, 'pre'), 'p.bin', content)]));
    expect(first?.ok).toBe(true);
    const [second] = await all(remote.upload([{ ...(await localFile(join(f.root, 'pre2'), 'p.bin', randomBytes(300 * KiB))), ifCurrentId: 0 }]));
    expect(second).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const row = await fileByPath(f.client, p.id, 'p.bin');
    expect(row.checksum).toBe(md5(content));
  });
});

describe.each([
  ['enhanced', 'tus-patch:corrupt#2'],
  ['enhanced', 'tus-patch:reset#2'],
  ['stock', 'tus-patch:reset#2'],
  ['enhanced', 'tus-patch:status=423#2'],
  ['stock', 'tus-patch:5xx#2'],
] as const)('tus on %s with server faults %s', (profile, faults) => {
  const f = serverFixture(profile, { faults, seed: 7 });

  it('still stores exactly the file', async () => {
    const { project: p } = await createProject(f.client, { name: 'faults' });
    const remote = createRemoteProject({ client: f.client, projectId: p.id, capabilities: f.caps, tus: TUS });
    const content = randomBytes(700 * KiB);
    const [r] = await all(remote.upload([await localFile(join(f.root, 'faults'), 'f.bin', content)]));
    expect(r).toMatchObject({ ok: true, md5: md5(content) });
    const row = await fileByPath(f.client, p.id, 'f.bin');
    expect(md5(await downloaded(f.client, p.id, row.id))).toBe(md5(content));
  });
});
