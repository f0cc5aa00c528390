import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { McError } from '@mcsync/core';
import type { ProgressReporter } from './progress';

/** 1 MiB reads: node:crypto MD5 keeps up with md5sum at this size (stack-notes §4). */
export const READ_CHUNK = 1 << 20;

/** The stat identity a file was planned under. */
export interface FileIdentity {
  localPath: string;
  size: number;
  mtimeNs: bigint;
  ino: number;
  /** The MD5 the plan already knows, if any: other bytes mean the file changed since. */
  md5?: string | null;
}

/** Filled in by `readLocalFile` when the last byte has been read. */
export interface ReadOutcome {
  md5: string | null;
  bytes: number;
}

export function emptyOutcome(): ReadOutcome {
  return { md5: null, bytes: 0 };
}

/**
 * Streams exactly `file.size` bytes of a local file, hashing them on the way, then re-stats it
 * before the generator ends. A different size, mtime or inode, or an MD5 other than the planned
 * one, throws CHANGED *before* the caller can finish the request body, so the server receives a
 * broken request and stores nothing: the remote side never takes bytes of a file that changed
 * while it was read. An unreadable file throws LOCAL_IO.
 */
export async function* readLocalFile(
  file: FileIdentity,
  outcome: ReadOutcome,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  if (file.size > 0 && file.size <= READ_CHUNK) {
    // One open, read and two fstats instead of a read stream and a path stat: a tree of small
    // files spends most of its client CPU on the stream machinery otherwise.
    const { data, md5 } = await readWhole(file);
    onBytes?.(data.length);
    yield data;
    outcome.bytes = data.length;
    outcome.md5 = md5;
    return;
  }
  const hash = createHash('md5');
  let bytes = 0;
  if (file.size > 0) {
    const stream = createReadStream(file.localPath, { highWaterMark: READ_CHUNK, start: 0, end: file.size - 1 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        onBytes?.(bytes);
        yield chunk;
      }
    } catch (err) {
      throw localReadError(file.localPath, err);
    } finally {
      stream.destroy();
    }
    if (bytes < file.size) {
      throw new McError('CHANGED', `${file.localPath} shrank while it was being read (${bytes} of ${file.size} bytes)`, {
        hint: 'run again once the file is no longer being written',
      });
    }
  }
  let now;
  try {
    now = await stat(file.localPath, { bigint: true });
  } catch (err) {
    throw localReadError(file.localPath, err);
  }
  const md5 = hash.digest('hex');
  let changed = identityChange(file, now, 'while reading');
  if (changed === null && file.md5 && file.md5 !== md5) changed = 'its content differs from the MD5 it was planned with';
  if (changed !== null) {
    throw new McError('CHANGED', `${file.localPath} changed while it was being uploaded (${changed}); nothing was stored`, {
      hint: 'run again once the file is no longer being written',
    });
  }
  outcome.bytes = bytes;
  outcome.md5 = md5;
}

/** How a file's stat differs from the identity it was planned under, or null when it does not. */
export function identityChange(file: FileIdentity, now: BigIntStats, when: string): string | null {
  if (now.size !== BigInt(file.size)) return `size changed from ${file.size} to ${now.size} bytes ${when}`;
  if (now.mtimeNs !== file.mtimeNs) return `modified ${when}`;
  if (Number(now.ino) !== file.ino) return `replaced ${when}`;
  return null;
}

/**
 * Checks that a file still has the identity it was planned under, before its content is vouched
 * for without reading it (an MD5 known from the plan, sent by checksum). CHANGED or LOCAL_IO.
 */
export async function assertUnchanged(file: FileIdentity): Promise<void> {
  let now;
  try {
    now = await stat(file.localPath, { bigint: true });
  } catch (err) {
    throw localReadError(file.localPath, err);
  }
  const changed = identityChange(file, now, 'since it was planned');
  if (changed !== null) {
    throw new McError('CHANGED', `${file.localPath} changed since it was planned (${changed}); nothing was stored`, {
      hint: 'run again once the file is no longer being written',
    });
  }
}

/**
 * A small file read whole in one go (one open, one read, one fstat): its bytes and their MD5,
 * taken only if the file has its planned identity after the read (and the planned MD5, when
 * there is one), so the buffer is exactly the file as planned. CHANGED or LOCAL_IO.
 */
export async function readWhole(file: FileIdentity): Promise<{ data: Buffer; md5: string }> {
  let fh;
  try {
    fh = await open(file.localPath, 'r');
  } catch (err) {
    throw localReadError(file.localPath, err);
  }
  try {
    // No fstat before the read: a file that changed since it was planned has another size, mtime
    // or inode after the read too (each file operation costs ~20 µs of CPU on a thread-pool hop).
    const data = Buffer.allocUnsafe(file.size);
    let got = 0;
    while (got < file.size) {
      const { bytesRead } = await fh.read(data, got, file.size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const changedAfter = got < file.size ? `shrank to ${got} bytes while reading` : identityChange(file, await fh.stat({ bigint: true }), 'while reading');
    if (changedAfter !== null) throw changedError(file.localPath, changedAfter);
    const md5 = createHash('md5').update(data).digest('hex');
    if (file.md5 && file.md5 !== md5) throw changedError(file.localPath, 'its content differs from the MD5 it was planned with');
    return { data, md5 };
  } catch (err) {
    throw localReadError(file.localPath, err);
  } finally {
    await fh.close().catch(() => {});
  }
}

function changedError(localPath: string, what: string): McError {
  return new McError('CHANGED', `${localPath} changed before it could be uploaded (${what}); nothing was stored`, {
    hint: 'run again once the file is no longer being written',
  });
}

function localReadError(localPath: string, err: unknown): McError {
  if (err instanceof McError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new McError('LOCAL_IO', `cannot read ${localPath}: ${code}`, { cause: err });
}

/**
 * `readLocalFile` for an upload part: 'start' and throttled 'bytes' progress events, and
 * `onBreak` called when the read fails (the caller then knows which file broke its request).
 */
export async function* readForUpload(
  item: FileIdentity & { path: string },
  outcome: ReadOutcome,
  progress: ProgressReporter,
  onBreak: () => void,
): AsyncGenerator<Buffer> {
  progress.start(item.path, item.size);
  const onBytes = progress.enabled ? (n: number) => progress.bytes(item.path, n, item.size) : undefined;
  try {
    yield* readLocalFile(item, outcome, onBytes);
  } catch (err) {
    onBreak();
    throw err;
  }
}
