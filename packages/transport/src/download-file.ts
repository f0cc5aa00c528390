import { dirname } from 'node:path';
import { type DownloadItem, type DownloadResult, McError, toMcError } from '@mcsync/core';
import { downloadFile } from './endpoints/files';
import type { SpaceLedger } from './free-space';
import { type HttpClient, discardBody } from './http-client';
import { abortedError } from './http-errors';
import type { ProgressReporter } from './progress';
import { type LargeDownloadOptions, downloadResumableOnce, isResumable } from './resumable-download';
import { ensureFolder, TempFile, verifyDownload } from './temp-file';

/**
 * Attempts per file: a VERIFY mismatch is retried once (from zero), a connection lost mid-body
 * twice (a large file continues where the lost one stopped).
 */
const VERIFY_ATTEMPTS = 2;
const BODY_ATTEMPTS = 3;

/**
 * Downloads one file into a `.mc-tmp-*` file beside its target, hashing while writing, and
 * checks it against the remote MD5 (or its size when the server has no MD5). The target itself is
 * never touched: the engine renames the verified temp file. A small file goes to a fresh temp file,
 * removed on any failure; a large one (`isResumable`) to a partial that survives failures and
 * later runs (`downloadResumableOnce`).
 */
export async function downloadToTemp(
  client: HttpClient,
  projectId: number,
  item: DownloadItem,
  opts: { signal?: AbortSignal; progress?: ProgressReporter; large?: LargeDownloadOptions | undefined; space?: SpaceLedger } = {},
): Promise<DownloadResult> {
  const once = isResumable(item, opts.large) ? downloadResumableOnce : attempt;
  let verifyFailures = 0;
  let bodyFailures = 0;
  for (;;) {
    try {
      return await once(client, projectId, item, opts);
    } catch (err) {
      const error = toMcError(err, 'LOCAL_IO');
      if (opts.signal?.aborted) return { ok: false, path: item.path, error: abortedError(err) };
      if (error.code === 'VERIFY' && ++verifyFailures < VERIFY_ATTEMPTS) continue;
      if (error.code === 'NETWORK' && ++bodyFailures < BODY_ATTEMPTS) continue;
      return { ok: false, path: item.path, error };
    }
  }
}

async function attempt(
  client: HttpClient,
  projectId: number,
  item: DownloadItem,
  opts: { signal?: AbortSignal; progress?: ProgressReporter },
): Promise<DownloadResult> {
  const folder = dirname(item.localPath);
  const expected = item.remote.size;
  const request = { method: 'GET' as const, path: `/projects/${projectId}/files/${item.remote.id}/download` };
  await ensureFolder(folder);
  const res = await downloadFile(client, projectId, item.remote.id, opts.signal ? { signal: opts.signal } : {});
  let temp: TempFile;
  try {
    temp = await TempFile.create(folder);
  } catch (err) {
    discardBody(res.body);
    throw err;
  }
  try {
    opts.progress?.start(item.path, expected);
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        await temp.write(chunk);
        // An endless or oversized body stops here, not when the disk is full.
        if (temp.bytes > expected) throw new McError('VERIFY', `${item.path}: the server sent more than the ${expected} bytes it lists`);
        opts.progress?.bytes(item.path, temp.bytes, expected);
      }
    } catch (err) {
      discardBody(res.body);
      throw client.bodyError(err, request);
    }
    const written = await temp.finish();
    const verified = verifyDownload(item.path, written, item.remote);
    return { ok: true, path: item.path, bytes: written.bytes, tempPath: written.tempPath, md5: written.md5, verified };
  } catch (err) {
    await temp.discard();
    throw err;
  }
}
