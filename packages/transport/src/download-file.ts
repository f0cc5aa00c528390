import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type DownloadItem, type DownloadResult, McError, newTempName, toMcError } from '@mcsync/core';
import { downloadFile } from './endpoints/files';
import type { HttpClient } from './http-client';
import { abortedError } from './http-errors';
import type { ProgressReporter } from './progress';
import { READ_CHUNK } from './read-local-file';

/** Attempts per file: a VERIFY mismatch is retried once, a connection lost mid-body twice. */
const VERIFY_ATTEMPTS = 2;
const BODY_ATTEMPTS = 3;

/**
 * Downloads one file into a fresh `.mc-tmp-*` file beside its target, hashing while writing, and
 * checks it against the remote MD5 (or its size when the server has no MD5). The target itself is
 * never touched: the engine renames the verified temp file. On any failure the temp file is removed.
 */
export async function downloadToTemp(
  client: HttpClient,
  projectId: number,
  item: DownloadItem,
  opts: { signal?: AbortSignal; progress?: ProgressReporter } = {},
): Promise<DownloadResult> {
  let verifyFailures = 0;
  let bodyFailures = 0;
  for (;;) {
    try {
      return await attempt(client, projectId, item, opts);
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
  const tempPath = join(folder, newTempName());
  const expected = item.remote.size;
  const request = { method: 'GET' as const, path: `/projects/${projectId}/files/${item.remote.id}/download` };
  let fh: FileHandle | undefined;
  let done = false;
  try {
    await mkdir(folder, { recursive: true }).catch((err: unknown) => {
      throw localError(`cannot create folder ${folder}`, err);
    });
    const res = await downloadFile(client, projectId, item.remote.id, opts.signal ? { signal: opts.signal } : {});
    try {
      fh = await open(tempPath, 'wx');
    } catch (err) {
      res.body.destroy();
      throw localError(`cannot create ${tempPath}`, err);
    }
    opts.progress?.start(item.path, expected);
    const hash = createHash('md5');
    let bytes = 0;
    // Coalesce the socket's small chunks into 1 MiB blocks: fewer write calls, faster MD5.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const block = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      hash.update(block);
      await writeAll(fh!, block, tempPath);
    };
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        bytes += chunk.length;
        if (pendingBytes >= READ_CHUNK) await flush();
        opts.progress?.bytes(item.path, bytes, expected);
      }
    } catch (err) {
      res.body.destroy();
      throw client.bodyError(err, request);
    }
    await flush();
    await fh.close().catch((err: unknown) => {
      throw localError(`cannot write ${tempPath}`, err);
    });
    fh = undefined;

    const md5 = hash.digest('hex');
    if (bytes !== expected) {
      throw new McError('VERIFY', `${item.path}: downloaded ${bytes} bytes, the server lists ${expected}`);
    }
    if (item.remote.md5 !== null && md5 !== item.remote.md5) {
      throw new McError('VERIFY', `${item.path}: downloaded bytes have MD5 ${md5}, the server lists ${item.remote.md5}`);
    }
    done = true;
    return { ok: true, path: item.path, bytes, tempPath, md5, verified: item.remote.md5 === null ? 'size' : 'md5' };
  } finally {
    if (!done) {
      await fh?.close().catch(() => {});
      await rm(tempPath, { force: true }).catch(() => {});
    }
  }
}

async function writeAll(fh: FileHandle, block: Buffer, tempPath: string): Promise<void> {
  let offset = 0;
  try {
    while (offset < block.length) {
      const { bytesWritten } = await fh.write(block, offset, block.length - offset);
      offset += bytesWritten;
    }
  } catch (err) {
    throw localError(`cannot write ${tempPath}`, err);
  }
}

function localError(what: string, err: unknown): McError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new McError('LOCAL_IO', `${what}: ${code}`, { cause: err });
}
