import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { McError } from '@mcsync/core';
import { type FileIdentity, identityChange, READ_CHUNK } from './read-local-file';
import type { RunningMd5 } from './running-md5';

const MiB = 1 << 20;
/** Never fewer bytes per PATCH than this (unless the server says less): per-request costs would dominate. */
export const MIN_TUS_CHUNK = MiB;
/** mc-api.md §4.5 recommends 64 MiB per PATCH. */
export const MAX_TUS_CHUNK = 64 * MiB;
/** mc-api.md §4.5: never above 512 MiB (the production proxy refuses bodies over 850 MiB). */
export const HARD_MAX_TUS_CHUNK = 512 * MiB;
/** A file is sent in about this many PATCHes until chunks reach MAX_TUS_CHUNK. */
export const CHUNKS_PER_FILE = 32;

/**
 * Bytes per PATCH for a file of `fileSize`. A chunk in flight when a run is killed is the most a
 * resume sends again, so chunks are ~1/32 of the file (≤ 3.2%, and ≤ 4.7% after rounding for any
 * file at or above the 64 MiB tus threshold: the target is ≤ 5% re-sent after a kill at 50%),
 * rounded up to whole MiB for aligned 1 MiB reads, between 1 MiB (fewer bytes per request would
 * be mostly round trips) and 64 MiB (§4.5's recommendation; above ~2 GiB files take more than 32
 * PATCHes, each losing at most 64 MiB). The server's `tus_max_chunk_bytes` and the 512 MiB hard
 * ceiling always win.
 */
export function tusChunkSize(fileSize: number, serverMax?: number): number {
  const share = Math.ceil(Math.max(1, fileSize) / CHUNKS_PER_FILE / MiB) * MiB;
  let size = Math.min(MAX_TUS_CHUNK, Math.max(MIN_TUS_CHUNK, share));
  if (serverMax !== undefined && serverMax > 0) size = Math.min(size, serverMax);
  return Math.min(size, HARD_MAX_TUS_CHUNK);
}

/**
 * The MD5 of `[start, start + length)` as `Upload-Checksum` wants it (base64), read from disk in
 * 1 MiB pieces; the bytes also feed the whole-file MD5. The PATCH then reads the range again,
 * from the page cache, so memory stays at one read buffer whatever the chunk size.
 */
export async function chunkChecksum(file: FileIdentity, start: number, length: number, md5: RunningMd5, signal?: AbortSignal): Promise<string> {
  const hash = createHash('md5');
  let at = start;
  // Hashing consumes each piece at once, so one buffer serves every read (no 1 MiB garbage per MiB).
  for await (const piece of readRange(file, start, length, signal, Buffer.allocUnsafe(READ_CHUNK))) {
    hash.update(piece);
    md5.offer(at, piece);
    at += piece.length;
  }
  return hash.digest('base64');
}

/**
 * A PATCH body: `[start, start + length)` of the file, feeding the whole-file MD5 and `onBytes`
 * (cumulative for this chunk). The last piece is held back until the file has been re-stat'ed:
 * if its size, mtime or inode changed (or, once the whole file is hashed, its MD5 differs from the
 * planned one), the body fails with CHANGED before it is complete, so the server never receives a
 * complete chunk of a changed file, and never completes the upload with one.
 */
export async function* chunkBody(
  file: FileIdentity,
  start: number,
  length: number,
  md5: RunningMd5,
  onBytes?: (sent: number) => void,
): AsyncGenerator<Buffer> {
  let held: Buffer | undefined;
  let at = start;
  for await (const piece of readRange(file, start, length)) {
    md5.offer(at, piece);
    at += piece.length;
    if (held) {
      yield held;
      onBytes?.(at - start - piece.length);
    }
    held = piece;
  }
  await assertStillPlanned(file, md5);
  if (held) {
    yield held;
    onBytes?.(length);
  }
}

async function assertStillPlanned(file: FileIdentity, md5: RunningMd5): Promise<void> {
  let now;
  try {
    now = await stat(file.localPath, { bigint: true });
  } catch (err) {
    throw readError(file.localPath, err);
  }
  let changed = identityChange(file, now, 'while it was being uploaded');
  if (changed === null && file.md5 && md5.position === file.size && md5.hex() !== file.md5) changed = 'its content differs from the MD5 it was planned with';
  if (changed !== null) {
    throw new McError('CHANGED', `${file.localPath} changed while it was being uploaded (${changed}); the upload was abandoned`, {
      hint: 'run again once the file is no longer being written',
    });
  }
}

/**
 * `[start, start + length)` of the file in pieces of up to 1 MiB. With `reuse`, every piece is a view
 * of that one buffer, valid only until the next piece is asked for (for a consumer that is done with
 * a piece at once, such as a hash); without it each piece is a buffer of its own (a request body).
 */
async function* readRange(file: FileIdentity, start: number, length: number, signal?: AbortSignal, reuse?: Buffer): AsyncGenerator<Buffer> {
  if (length <= 0) return;
  let got = 0;
  if (reuse) {
    let handle: FileHandle | undefined;
    try {
      handle = await open(file.localPath, 'r');
      while (got < length) {
        if (signal?.aborted) throw new McError('ABORTED', 'interrupted');
        const { bytesRead } = await handle.read(reuse, 0, Math.min(reuse.length, length - got), start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
        yield reuse.subarray(0, bytesRead);
      }
    } catch (err) {
      throw readError(file.localPath, err);
    } finally {
      await handle?.close().catch(() => {});
    }
  } else {
    const stream = createReadStream(file.localPath, { highWaterMark: READ_CHUNK, start, end: start + length - 1, ...(signal ? { signal } : {}) });
    try {
      for await (const piece of stream as AsyncIterable<Buffer>) {
        got += piece.length;
        yield piece;
      }
    } catch (err) {
      if ((err as { name?: string }).name === 'AbortError') throw new McError('ABORTED', 'interrupted', { cause: err });
      throw readError(file.localPath, err);
    } finally {
      stream.destroy();
    }
  }
  if (got < length) {
    throw new McError('CHANGED', `${file.localPath} shrank while it was being uploaded (${start + got} of ${file.size} bytes)`, {
      hint: 'run again once the file is no longer being written',
    });
  }
}

function readError(localPath: string, err: unknown): McError {
  if (err instanceof McError) return err;
  return new McError('LOCAL_IO', `cannot read ${localPath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
}
