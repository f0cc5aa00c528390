/**
 * Resumable large downloads against the real reference server (in-process, both profiles), through
 * a byte-counting TCP relay: a transfer stopped halfway (the signal aborted, as a killed run would
 * stop) is continued by a new remote and fetches only the rest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DownloadItem, type DownloadResult, type RemoteEntry, type RemoteProject, TEMP_PREFIX, resumableTempName } from '@mcsync/core';
import { type RunningServer, startServer } from '@mcsync/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, createProject, createRemoteProject, detectCapabilities, login } from '../src/index';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const SIZE = 24 << 20;
/** Server-to-client bytes per second through the relay: slow enough to stop a transfer halfway. */
const RELAY_RATE = 40e6;

/**
 * A TCP relay to `port` that counts the bytes the server sends and paces them to `rate`
 * bytes/s, so a test can see how much a download really fetched.
 */
async function countingRelay(port: number, rate: number) {
  const counter = { bytes: 0 };
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      counter.bytes += chunk.length;
      client.write(chunk);
      upstream.pause();
      setTimeout(() => upstream.resume(), (chunk.length / rate) * 1000);
    });
    upstream.on('end', () => client.end());
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    counter,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        relay.close(() => resolve());
      }),
  };
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mcsync-large-down-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.each(['stock', 'enhanced'] as const)('large downloads, %s profile', (profile) => {
  const f = {} as { server: RunningServer; token: string; direct: HttpClient; relay: Awaited<ReturnType<typeof countingRelay>>; root: string; log: string };
  beforeAll(async () => {
    f.root = await mkdtemp(join(work, `${profile}-`));
    f.log = join(f.root, 'access.log');
    f.server = await startServer({ dataDir: join(f.root, 'server'), port: 0, profile, accessLog: f.log, logError: () => {} });
    await f.server.createUser({ email: 'ann@example.org', password: 'pw' });
    f.token = (await login(f.server.url, 'ann@example.org', 'pw')).api_token;
    f.direct = new HttpClient({ baseUrl: f.server.url, token: f.token });
    f.relay = await countingRelay(f.server.port, RELAY_RATE);
  });
  afterAll(async () => {
    await f.direct?.close();
    await f.relay?.close();
    await f.server?.close();
  });

  /** A remote reached through the relay (a fresh client, as a new run would have). */
  async function relayed(projectId: number): Promise<{ remote: RemoteProject; close: () => Promise<void> }> {
    const client = new HttpClient({ baseUrl: `http://127.0.0.1:${f.relay.port}/api`, token: f.token });
    const capabilities = await detectCapabilities(client);
    const remote = createRemoteProject({ client, projectId, capabilities, largeDownloads: { resumableFrom: 1 << 20 } });
    return { remote, close: () => client.close() };
  }

  it('continues a download stopped halfway: the next run fetches only the rest (206) and the file is byte-identical', async () => {
    const content = randomBytes(SIZE);
    const src = join(f.root, 'src', 'big.bin');
    await mkdir(join(f.root, 'src'), { recursive: true });
    await writeFile(src, content);
    const st = await stat(src, { bigint: true });
    const { project } = await createProject(f.direct, { name: `large-${profile}` });
    const uploader = createRemoteProject({ client: f.direct, projectId: project.id, capabilities: await detectCapabilities(f.direct) });
    const up = await all(uploader.upload([{ path: 'data/big.bin', localPath: src, size: SIZE, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) }]));
    expect(up).toMatchObject([{ ok: true }]);
    const entry = (await uploader.snapshot()).entries.find((e): e is RemoteEntry => e.path === 'data/big.bin')!;
    const item: DownloadItem = { path: entry.path, remote: entry, localPath: join(f.root, 'dst', 'data', 'big.bin') };
    const partial = join(f.root, 'dst', 'data', resumableTempName(entry.path, entry));

    // First run: stopped once half the file has arrived.
    const first = await relayed(project.id);
    const controller = new AbortController();
    const before = f.relay.counter.bytes;
    const stopped = await all(
      first.remote.download([item], {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'bytes' && e.bytes >= SIZE / 2) controller.abort();
        },
      }),
    );
    await first.close();
    expect(stopped).toMatchObject([{ ok: false, error: { code: 'ABORTED' } }]);
    const kept = (await stat(partial)).size;
    expect(kept).toBeGreaterThanOrEqual(SIZE / 2);
    expect(kept).toBeLessThan(SIZE);
    expect(f.relay.counter.bytes - before).toBeLessThan(SIZE);

    // Second run: a new client and remote, as after a restart.
    const second = await relayed(project.id);
    const mark = f.relay.counter.bytes;
    const [done] = (await all(second.remote.download([item]))) as [DownloadResult];
    await second.close();
    const fetched = f.relay.counter.bytes - mark;
    expect(done).toMatchObject({ ok: true, tempPath: partial, bytes: SIZE, md5: md5(content), verified: 'md5', sent: SIZE - kept });
    expect(fetched).toBeLessThanOrEqual(0.55 * SIZE);
    expect(fetched).toBeGreaterThanOrEqual(SIZE - kept);
    expect((await readFile(partial)).equals(content)).toBe(true);
    expect((await readdir(join(f.root, 'dst', 'data'))).filter((n) => n.startsWith(TEMP_PREFIX))).toEqual([resumableTempName(entry.path, entry)]);

    const downloads = (await readFile(f.log, 'utf8')).split('\n').filter((l) => l.startsWith(`GET /api/projects/${project.id}/files/${entry.id}/download`));
    // The server logs the abandoned first answer or not; the last one is the resumed 206.
    expect(downloads.length).toBeLessThanOrEqual(2);
    expect(downloads.at(-1)?.split(' ')[2]).toBe('206'); // METHOD PATH STATUS …
  });
});
