import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Capabilities, type DownloadItem, type DownloadResult, type ProgressEvent, type RemoteEntry, TEMP_PREFIX, resumableTempName } from '@mcsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, type RecordedRequest, startStub } from '../test/stub-server';
import { FREE_SPACE_MARGIN } from './free-space';
import { HttpClient } from './http-client';
import { createRemoteProject } from './remote-project';
import type { LargeDownloadOptions } from './resumable-download';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const CONTENT = randomBytes(3 * 1024 * 1024 + 17);
const REMOTE: RemoteEntry = { path: 'sub/data.bin', kind: 'file', id: 5, size: CONTENT.length, md5: md5(CONTENT) };

let dir: string;
let cleanup: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcsync-resume-'));
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  await rm(dir, { recursive: true, force: true });
});

interface ServeOptions {
  /** Answer 200 with everything, as a server without range support. */
  ignoreRange?: boolean;
  /** Content-Range to send instead of the right one. */
  badContentRange?: string;
  /** Hang up after this many body bytes of the request with this index. */
  breakAt?: { request: number; bytes: number };
  /** Send this many body bytes of the request with this index slowly (128 KiB per 10 ms), then stall. */
  stallAt?: { request: number; bytes: number };
}

/** Serves files 5 and 6 of project 7 (the same bytes) with Range support, counting the body bytes it sends. */
async function setup(content: Buffer, serve: ServeOptions = {}, large: LargeDownloadOptions = {}, capabilities?: Capabilities) {
  const sent = { bytes: 0 };
  const stub = await startStub(async (req, res, i) => {
    if (!/^\/api\/projects\/7\/files\/[56]\/download$/.test(req.url)) {
      res.statusCode = 404;
      return res.end();
    }
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const start = m && !serve.ignoreRange ? Number(m[1]) : 0;
    const body = content.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(start > 0 ? { 'content-range': serve.badContentRange ?? `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
    });
    if (serve.stallAt?.request === i) {
      for (let at = 0; at < serve.stallAt.bytes && !res.destroyed; at += 128 << 10) {
        const part = body.subarray(at, Math.min(at + (128 << 10), serve.stallAt.bytes));
        sent.bytes += part.length;
        res.write(part);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return;
    }
    if (serve.breakAt?.request === i) {
      const part = body.subarray(0, serve.breakAt.bytes);
      sent.bytes += part.length;
      res.write(part, () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    sent.bytes += body.length;
    res.end(body);
  });
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', retry: FAST_RETRY });
  cleanup.push(() => stub.close(), () => client.close());
  const remote = createRemoteProject({ client, projectId: 7, largeDownloads: { resumableFrom: 1 << 20, ...large }, ...(capabilities ? { capabilities } : {}) });
  return { stub, remote, sent };
}

const item = (remote: RemoteEntry = REMOTE): DownloadItem => ({ path: remote.path, localPath: join(dir, remote.path), remote });
const partialPath = (remote: RemoteEntry = REMOTE) => join(dir, 'sub', resumableTempName(remote.path, remote));
const ranges = (requests: readonly RecordedRequest[]) => requests.map((r) => r.headers.range ?? null);

async function writePartial(bytes: Buffer, remote: RemoteEntry = REMOTE): Promise<void> {
  await mkdir(join(dir, 'sub'), { recursive: true });
  await writeFile(partialPath(remote), bytes);
}

async function download(remote: ReturnType<typeof createRemoteProject>, it: DownloadItem = item(), opts: Parameters<typeof remote.download>[1] = {}): Promise<DownloadResult> {
  const results: DownloadResult[] = [];
  for await (const r of remote.download([it], opts)) results.push(r);
  expect(results).toHaveLength(1);
  return results[0]!;
}

async function tempNames(): Promise<string[]> {
  return (await readdir(join(dir, 'sub')).catch(() => [] as string[])).filter((n) => n.startsWith(TEMP_PREFIX));
}

describe('resumable (large) download', () => {
  it('resumes a partial with Range: bytes=N-, hashes the whole file and reports only the new bytes as sent', async () => {
    const half = 1_500_000;
    await writePartial(CONTENT.subarray(0, half));
    const { stub, remote, sent } = await setup(CONTENT);
    const events: ProgressEvent[] = [];
    const result = await download(remote, item(), { onProgress: (e) => events.push(e) });
    expect(result).toMatchObject({ ok: true, bytes: CONTENT.length, sent: CONTENT.length - half, md5: md5(CONTENT), verified: 'md5', tempPath: partialPath() });
    expect(ranges(stub.requests)).toEqual([`bytes=${half}-`]);
    expect(sent.bytes).toBe(CONTENT.length - half);
    expect((await readFile(partialPath())).equals(CONTENT)).toBe(true);
    expect(events[0]).toEqual({ type: 'start', op: 'download', path: REMOTE.path, total: CONTENT.length, resumed: half });
    expect(events.at(-1)).toMatchObject({ type: 'done', bytes: CONTENT.length });
  });

  it('downloads a large file without a partial from the first byte, under its resumable name', async () => {
    const { stub, remote } = await setup(CONTENT);
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, tempPath: partialPath(), md5: md5(CONTENT) });
    expect(result.ok && result.sent).toBeUndefined();
    expect(ranges(stub.requests)).toEqual([null]);
  });

  it('starts over cleanly when the server ignores the range and answers 200', async () => {
    await writePartial(CONTENT.subarray(0, 1_000_000));
    const { stub, remote, sent } = await setup(CONTENT, { ignoreRange: true });
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, bytes: CONTENT.length, md5: md5(CONTENT) });
    expect(result.ok && result.sent).toBeUndefined(); // every byte came this run
    expect(ranges(stub.requests)).toEqual(['bytes=1000000-']);
    expect(sent.bytes).toBe(CONTENT.length);
    expect((await readFile(partialPath())).equals(CONTENT)).toBe(true);
  });

  it('does not resume a partial of another version: the new content downloads from zero and the old partial is left to the run-start clean-up', async () => {
    const old: RemoteEntry = { ...REMOTE, id: 4, md5: md5(Buffer.from('old')) };
    await writePartial(CONTENT.subarray(0, 1_000_000), old);
    const { stub, remote } = await setup(CONTENT);
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, md5: md5(CONTENT) });
    expect(ranges(stub.requests)).toEqual([null]);
    expect((await tempNames()).sort()).toEqual([resumableTempName(old.path, old), resumableTempName(REMOTE.path, REMOTE)].sort());
  });

  it('discards a partial whose bytes are wrong (MD5 mismatch) and downloads once more from zero', async () => {
    await writePartial(Buffer.alloc(1_000_000, 0xee));
    const { stub, remote, sent } = await setup(CONTENT);
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, md5: md5(CONTENT) });
    expect(ranges(stub.requests)).toEqual(['bytes=1000000-', null]);
    expect(sent.bytes).toBe(CONTENT.length - 1_000_000 + CONTENT.length);
    expect((await readFile(partialPath())).equals(CONTENT)).toBe(true);
  });

  it('fails with VERIFY when the bytes are wrong twice, and removes the partial', async () => {
    const wrong = Buffer.from(CONTENT);
    wrong[42] = (wrong[42] ?? 0) ^ 0xff;
    const { stub, remote } = await setup(wrong);
    const result = await download(remote);
    expect(result).toMatchObject({ ok: false, error: { code: 'VERIFY' } });
    expect(stub.requests).toHaveLength(2);
    expect(await tempNames()).toEqual([]);
  });

  it('refuses a 206 that does not continue at the partial end, and starts over from zero', async () => {
    await writePartial(CONTENT.subarray(0, 1_000_000));
    const { stub, remote } = await setup(CONTENT, { badContentRange: `bytes 0-${CONTENT.length - 1}/${CONTENT.length}` });
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, md5: md5(CONTENT) });
    expect(ranges(stub.requests)).toEqual(['bytes=1000000-', null]);
  });

  it('continues where a connection lost mid-body stopped, within the same run', async () => {
    const { stub, remote, sent } = await setup(CONTENT, { breakAt: { request: 0, bytes: 2_000_000 } });
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, md5: md5(CONTENT) });
    const [first, second] = ranges(stub.requests);
    expect(first).toBeNull();
    // Whatever had reached the disk when the socket closed is not fetched again.
    expect(second).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(second!)![0])).toBeGreaterThan(0);
    expect(sent.bytes).toBeLessThanOrEqual(CONTENT.length + 2_000_000);
  });

  it('keeps the partial when the transfer is aborted, and the next download resumes it', async () => {
    const { stub, remote } = await setup(CONTENT, { stallAt: { request: 0, bytes: 2_000_000 } });
    const controller = new AbortController();
    const aborted = await download(remote, item(), {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'bytes' && e.bytes >= 1_000_000) controller.abort();
      },
    });
    expect(aborted).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    const kept = (await readFile(partialPath())).length;
    expect(kept).toBeGreaterThan(0);
    expect(CONTENT.subarray(0, kept).equals(await readFile(partialPath()))).toBe(true);

    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, md5: md5(CONTENT), sent: CONTENT.length - kept });
    expect(ranges(stub.requests)).toEqual([null, `bytes=${kept}-`]);
  });

  it('verifies a partial that is already complete without a request', async () => {
    await writePartial(CONTENT);
    const { stub, remote } = await setup(CONTENT);
    const result = await download(remote);
    expect(result).toMatchObject({ ok: true, md5: md5(CONTENT), sent: 0 });
    expect(stub.requests).toHaveLength(0);
  });

  it('empties a partial longer than the file and downloads it whole', async () => {
    await writePartial(Buffer.concat([CONTENT, Buffer.from('extra')]));
    const { stub, remote } = await setup(CONTENT);
    expect(await download(remote)).toMatchObject({ ok: true, md5: md5(CONTENT) });
    expect(ranges(stub.requests)).toEqual([null]);
  });

  it('fails with NO_SPACE before writing anything when the remaining bytes do not fit', async () => {
    const free = 1_000_000;
    const { stub, remote } = await setup(CONTENT, {}, { freeBytes: async () => free });
    const result = await download(remote);
    expect(result).toMatchObject({ ok: false, error: { code: 'NO_SPACE' } });
    if (result.ok) return;
    expect(result.error.message).toContain(`${((CONTENT.length + FREE_SPACE_MARGIN) / (1 << 20)).toFixed(1)} MiB`);
    expect(result.error.message).toContain('1.0 MiB free');
    expect(stub.requests).toHaveLength(0);
    expect(existsSync(partialPath())).toBe(false);
  });

  it('counts what the run\'s other large downloads still have to write as taken', async () => {
    const other: RemoteEntry = { ...REMOTE, path: 'sub/other.bin', id: 6 };
    const { stub, remote } = await setup(CONTENT, {}, { freeBytes: async () => CONTENT.length + FREE_SPACE_MARGIN + 1000 });
    const results: DownloadResult[] = [];
    for await (const r of remote.download([item(), item(other)], { concurrency: 2 })) results.push(r);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code)).sort()).toEqual(['NO_SPACE', 'ok']);
    const refused = results.find((r) => !r.ok);
    expect(!refused?.ok && refused?.error.message).toContain('for other downloads in progress');
    expect(stub.requests).toHaveLength(1);
  });

  it('counts only the bytes still missing against the free space', async () => {
    const missing = 500_000;
    await writePartial(CONTENT.subarray(0, CONTENT.length - missing));
    const { remote } = await setup(CONTENT, {}, { freeBytes: async () => missing + FREE_SPACE_MARGIN });
    expect(await download(remote)).toMatchObject({ ok: true, sent: missing });
  });

  it('enhanced: a resumable file takes its own ranged GET even when it is small enough for a bulk tar', async () => {
    await writePartial(CONTENT.subarray(0, 1_000_000));
    const caps: Capabilities = { profile: 'enhanced', features: new Set(['bulk-download']), limits: {} };
    const { stub, remote } = await setup(CONTENT, {}, {}, caps);
    expect(await download(remote)).toMatchObject({ ok: true, md5: md5(CONTENT), sent: CONTENT.length - 1_000_000 });
    expect(stub.requests.map((r) => [r.url, r.headers.range])).toEqual([['/api/projects/7/files/5/download', 'bytes=1000000-']]);
  });

  it('leaves small files to a fresh temp file and one plain GET', async () => {
    const small = randomBytes(1000);
    const { stub, remote } = await setup(small);
    const result = await download(remote, item({ ...REMOTE, size: small.length, md5: md5(small) }));
    expect(result.ok && result.tempPath).not.toBe(partialPath({ ...REMOTE, size: small.length, md5: md5(small) }));
    expect(ranges(stub.requests)).toEqual([null]);
  });
});
