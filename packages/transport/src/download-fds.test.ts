import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Capabilities, DownloadItem } from '@mcsync/core';
import { type Headers, pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';

const FILES = 3000;
const CONCURRENCY = 8;
const body = (id: number) => Buffer.from(`file ${id}\n`.repeat(20));

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-fds-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

/** Descriptors this process holds (its sockets, the stub's, and the temp files being written). */
const openFds = () => readdirSync('/proc/self/fd').length;

async function setup(capabilities?: Capabilities) {
  const stub = await startStub(async (req, res) => {
    if (req.url === '/api/projects/7/files/bulk-download') {
      const { ids } = JSON.parse(req.body.toString()) as { ids: number[] };
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      const tar = pack();
      tar.pipe(res);
      for (const id of ids) tar.entry({ name: String(id), size: body(id).length } as Headers, body(id));
      tar.finalize();
      return;
    }
    const id = Number(/\/files\/(\d+)\/download$/.exec(req.url)?.[1]);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body(id));
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: FAST_RETRY });
  cleanup.push(() => stub.close(), () => client.close());
  return createRemoteProject({ client, projectId: 7, concurrency: CONCURRENCY, ...(capabilities ? { capabilities } : {}) });
}

function items(): DownloadItem[] {
  return Array.from({ length: FILES }, (_, i) => {
    const path = `d${i % 30}/f${i}.txt`;
    return { path, localPath: join(dir, path), remote: { path, kind: 'file' as const, id: i + 1, size: body(i + 1).length, md5: null } };
  });
}

/** Downloads everything while sampling the descriptors in use; returns the peak above the start. */
async function peakFdsWhileDownloading(remote: ReturnType<typeof createRemoteProject>): Promise<number> {
  const baseline = openFds();
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, openFds());
  };
  const timer = setInterval(sample, 2);
  let ok = 0;
  for await (const r of remote.download(items(), { onProgress: (e) => e.type === 'start' && sample() })) {
    if (r.ok) ok++;
    sample();
  }
  clearInterval(timer);
  expect(ok).toBe(FILES);
  return peak - baseline;
}

describe.runIf(existsSync('/proc/self/fd'))('open file descriptors with thousands of downloads queued', () => {
  it('stock: a temp file is opened only when its transfer starts, so descriptors stay near the concurrency', async () => {
    expect(await peakFdsWhileDownloading(await setup())).toBeLessThan(8 * CONCURRENCY);
  });

  it('enhanced (bulk tar): entries are written a few at a time per request', async () => {
    const caps: Capabilities = { profile: 'enhanced', features: new Set(['bulk-download']), limits: { bulk_download_max_files: 100 } };
    expect(await peakFdsWhileDownloading(await setup(caps))).toBeLessThan(8 * CONCURRENCY + 8 * 8);
  });
});
