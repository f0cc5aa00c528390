import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DownloadItem, type DownloadResult, McError, resumableTempName } from '@mcsync/core';
import { downloadFile } from './endpoints/files';
import { type FreeBytes, type SpaceLedger, ensureFreeSpace } from './free-space';
import { type HttpClient, type StreamResponse, discardBody } from './http-client';
import type { ProgressReporter } from './progress';
import { TempFile, ensureFolder, verifyDownload } from './temp-file';

/**
 * Files of at least this size download into a partial that survives the process and is resumed
 * with `Range`: below it, fetching again costs less than a second on a fast link. One stream per
 * file: parallel ranged segments were not faster on loopback (bench/range-bench.mjs, README), and
 * they would need per-segment progress on disk and a second read for the MD5.
 */
export const RESUMABLE_DOWNLOAD_BYTES = 64 << 20;

/** How large files are fetched; the defaults suit production, tests lower the threshold. */
export interface LargeDownloadOptions {
  /** Files of at least this many bytes are resumable (default `RESUMABLE_DOWNLOAD_BYTES`). */
  resumableFrom?: number;
  /** Free space on the target filesystem (default: statfs). */
  freeBytes?: FreeBytes;
}

export function isResumable(item: DownloadItem, opts: LargeDownloadOptions | undefined): boolean {
  return item.remote.size >= (opts?.resumableFrom ?? RESUMABLE_DOWNLOAD_BYTES);
}

/**
 * One attempt at a large file: into the partial beside the target named after the remote file
 * (`resumableTempName`), continuing from its length with `Range: bytes=N-` (206 with a matching
 * `Content-Range`; a 200 means the server ignored the range, and the file is written again from
 * the start). The bytes already there are hashed from disk first, so the MD5 checked at the end
 * covers the whole file. Free space for the remaining bytes is checked before anything is written
 * (NO_SPACE). A mismatch (VERIFY) removes the partial, so the caller's next attempt starts from
 * zero; any other failure, an abort included, leaves the partial for the next attempt or run.
 */
export async function downloadResumableOnce(
  client: HttpClient,
  projectId: number,
  item: DownloadItem,
  opts: {
    signal?: AbortSignal | undefined;
    progress?: ProgressReporter | undefined;
    large?: LargeDownloadOptions | undefined;
    /** The run's other large downloads, so they do not count the same free space twice. */
    space?: SpaceLedger | undefined;
  },
): Promise<DownloadResult> {
  const folder = dirname(item.localPath);
  const size = item.remote.size;
  // Named after the remote row (not `item.path`, a local spelling or a conflict copy's name), as the
  // run-start clean-up computes it from the remote listing.
  const tempPath = join(folder, resumableTempName(item.remote.path, item.remote));
  await ensureFolder(folder);
  const onDisk = await partialLength(tempPath, size);
  let temp: TempFile | undefined;
  const release = await ensureFreeSpace(item.path, folder, size - onDisk, {
    freeBytes: opts.large?.freeBytes,
    ledger: opts.space,
    left: () => size - (temp?.bytes ?? onDisk),
  });
  try {
    temp = await TempFile.openPartial(tempPath, size);
    return await fill(client, projectId, item, temp, opts);
  } finally {
    release();
  }
}

/** Hashes what the partial holds, appends what is missing, verifies the whole (see above for what is kept). */
async function fill(
  client: HttpClient,
  projectId: number,
  item: DownloadItem,
  temp: TempFile,
  opts: { signal?: AbortSignal | undefined; progress?: ProgressReporter | undefined },
): Promise<DownloadResult> {
  const size = item.remote.size;
  let keep = true;
  try {
    await temp.hashExisting(opts.signal);
    const sent = temp.bytes < size ? await receive(client, projectId, item, temp, opts) : 0;
    const written = await temp.finish();
    keep = false; // from here the file is either handed over or wrong
    const verified = verifyDownload(item.path, written, item.remote);
    return { ok: true, path: item.path, bytes: written.bytes, tempPath: written.tempPath, md5: written.md5, verified, ...(sent < written.bytes ? { sent } : {}) };
  } catch (err) {
    if (err instanceof McError && err.code === 'VERIFY') keep = false;
    if (keep) await temp.keep();
    else await temp.discard();
    throw err;
  }
}

/** Bytes of a usable partial at `tempPath` (0 when there is none, or it is longer than the file). */
async function partialLength(tempPath: string, size: number): Promise<number> {
  try {
    const length = (await stat(tempPath)).size;
    return length <= size ? length : 0;
  } catch {
    return 0;
  }
}

/** Requests the bytes after the partial's end and appends them, with progress events; returns the bytes received. */
async function receive(
  client: HttpClient,
  projectId: number,
  item: DownloadItem,
  temp: TempFile,
  opts: { signal?: AbortSignal | undefined; progress?: ProgressReporter | undefined },
): Promise<number> {
  const size = item.remote.size;
  const offset = temp.bytes;
  const request = { method: 'GET' as const, path: `/projects/${projectId}/files/${item.remote.id}/download` };
  let res: StreamResponse;
  try {
    res = await downloadFile(client, projectId, item.remote.id, { offset, ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    // 416: the server holds fewer bytes than the partial; it cannot be a prefix of this content.
    if (err instanceof McError && err.status === 416) throw new McError('VERIFY', `${item.path}: the server cannot continue at byte ${offset}`, { cause: err });
    throw err;
  }
  try {
    if (offset > 0) await checkResumeAnswer(item, res, temp);
    opts.progress?.start(item.path, size, temp.bytes);
    let received = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      received += chunk.length;
      await temp.write(chunk);
      if (temp.bytes > size) throw new McError('VERIFY', `${item.path}: the server sent more than the ${size} bytes it lists`);
      opts.progress?.bytes(item.path, temp.bytes, size);
    }
    return received;
  } catch (err) {
    discardBody(res.body);
    throw client.bodyError(err, request);
  }
}

/** A 206 must continue exactly at the partial's end; a 200 brings the whole file, so it is written again. */
async function checkResumeAnswer(item: DownloadItem, res: StreamResponse, temp: TempFile): Promise<void> {
  if (res.status === 200) {
    await temp.restart();
    return;
  }
  const expected = `bytes ${temp.bytes}-${item.remote.size - 1}/${item.remote.size}`;
  const range = String(res.headers['content-range'] ?? '');
  if (res.status !== 206 || range !== expected) {
    throw new McError('VERIFY', `${item.path}: asked for the bytes from ${temp.bytes} on, the server answered ${res.status} with Content-Range "${range}"`);
  }
}
