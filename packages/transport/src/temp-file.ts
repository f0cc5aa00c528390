import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { McError, newTempName } from '@mcsync/core';
import { READ_CHUNK } from './read-local-file';

/** What was written to a temp file. */
export interface WrittenTemp {
  tempPath: string;
  md5: string;
  bytes: number;
}

/**
 * A `.mc-tmp-*` file beside a download's target, filled chunk by chunk and hashed as it is
 * written. The socket's small chunks are gathered up to 1 MiB and written with one call. Either
 * fresh (`create`) or a resumable partial that an earlier attempt or run left (`openPartial`): its
 * bytes are hashed from disk before new ones are appended, so the MD5 covers the whole file.
 * `discard` removes the file (any failure of a fresh one, a partial that is wrong); `keep` closes
 * a partial for a later resume; after `finish` the file belongs to the caller.
 */
export class TempFile {
  readonly tempPath: string;
  readonly #fh: FileHandle;
  #hash: Hash = createHash('md5');
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes in the file, written ones and pending ones. */
  #bytes: number;
  /** Bytes in the file that are hashed and written. */
  #written: number;
  #closed = false;

  private constructor(tempPath: string, fh: FileHandle, existing: number) {
    this.tempPath = tempPath;
    this.#fh = fh;
    this.#bytes = existing;
    this.#written = existing;
  }

  /** Creates the temp file in `folder` (which must exist). LOCAL_IO when it cannot. */
  static async create(folder: string): Promise<TempFile> {
    const tempPath = join(folder, newTempName());
    try {
      return new TempFile(tempPath, await open(tempPath, 'wx'), 0);
    } catch (err) {
      throw localError(`cannot create ${tempPath}`, err);
    }
  }

  /**
   * Opens the partial at `tempPath`, or creates it. A partial longer than `maxBytes` cannot be a
   * prefix of the content and is emptied. Call `hashExisting` before writing to a non-empty one.
   */
  static async openPartial(tempPath: string, maxBytes: number): Promise<TempFile> {
    let fh: FileHandle;
    try {
      fh = await open(tempPath, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw localError(`cannot open ${tempPath}`, err);
      try {
        fh = await open(tempPath, 'wx');
      } catch (err2) {
        throw localError(`cannot create ${tempPath}`, err2);
      }
    }
    try {
      let size = (await fh.stat()).size;
      if (size > maxBytes) {
        await fh.truncate(0);
        size = 0;
      }
      return new TempFile(tempPath, fh, size);
    } catch (err) {
      await fh.close().catch(() => {});
      throw localError(`cannot read ${tempPath}`, err);
    }
  }

  /** Bytes in the file so far (a partial's earlier bytes included). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Feeds the bytes already in the file to the MD5, reading 1 MiB at a time. */
  async hashExisting(signal?: AbortSignal): Promise<void> {
    const block = Buffer.allocUnsafe(READ_CHUNK);
    let at = 0;
    try {
      while (at < this.#written) {
        signal?.throwIfAborted();
        const { bytesRead } = await this.#fh.read(block, 0, Math.min(block.length, this.#written - at), at);
        if (bytesRead === 0) break;
        this.#hash.update(block.subarray(0, bytesRead));
        at += bytesRead;
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      throw localError(`cannot read ${this.tempPath}`, err);
    }
    // The file got shorter meanwhile: only what was read is known good.
    if (at < this.#written) await this.#truncate(at, false);
  }

  /** Empties the file to write it again from the first byte (the server sent all of it). */
  async restart(): Promise<void> {
    await this.#truncate(0, true);
  }

  async write(chunk: Buffer): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#bytes += chunk.length;
    if (this.#pendingBytes >= READ_CHUNK) await this.#flush();
  }

  /** Writes what is left and closes the file. */
  async finish(): Promise<WrittenTemp> {
    await this.#flush();
    await this.#close();
    return { tempPath: this.tempPath, md5: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  /** Writes what is left and closes the file, leaving it for a later resume; never throws. */
  async keep(): Promise<void> {
    await this.#flush().catch(() => {});
    await this.#close().catch(() => {});
  }

  /** Closes and removes the file; never throws. */
  async discard(): Promise<void> {
    await this.#close().catch(() => {});
    await rm(this.tempPath, { force: true }).catch(() => {});
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close().catch((err: unknown) => {
      throw localError(`cannot write ${this.tempPath}`, err);
    });
  }

  async #truncate(length: number, resetHash: boolean): Promise<void> {
    try {
      await this.#fh.truncate(length);
    } catch (err) {
      throw localError(`cannot write ${this.tempPath}`, err);
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#bytes = length;
    this.#written = length;
    if (resetHash) this.#hash = createHash('md5');
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    const total = this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const chunk of chunks) this.#hash.update(chunk);
    try {
      // One positional writev of the socket's chunks: no 1 MiB copy per block (memory stays flat on
      // multi-GiB files), and a resumed partial continues at its end whatever the file position is.
      let done = (await this.#fh.writev(chunks, this.#written)).bytesWritten;
      if (done < total) {
        // A short write (rare on regular files): the rest as one block.
        const rest = Buffer.concat(chunks, total).subarray(done);
        for (let at = 0; at < rest.length; ) {
          const { bytesWritten } = await this.#fh.write(rest, at, rest.length - at, this.#written + done + at);
          at += bytesWritten;
        }
        done = total;
      }
    } catch (err) {
      throw localError(`cannot write ${this.tempPath}`, err);
    }
    this.#written += total;
  }
}

/** Creates a download's folder (and parents). LOCAL_IO when it cannot. */
export async function ensureFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true }).catch((err: unknown) => {
    throw localError(`cannot create folder ${folder}`, err);
  });
}

/**
 * Checks downloaded bytes against what the server listed for the file: the size, and the MD5
 * when it has one (else the result is only `verified: 'size'`). Throws VERIFY.
 */
export function verifyDownload(path: string, written: WrittenTemp, expected: { size: number; md5: string | null }): 'md5' | 'size' {
  if (written.bytes !== expected.size) {
    throw new McError('VERIFY', `${path}: downloaded ${written.bytes} bytes, the server lists ${expected.size}`);
  }
  if (expected.md5 !== null && written.md5 !== expected.md5) {
    throw new McError('VERIFY', `${path}: downloaded bytes have MD5 ${written.md5}, the server lists ${expected.md5}`);
  }
  return expected.md5 === null ? 'size' : 'md5';
}

function localError(what: string, err: unknown): McError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new McError('LOCAL_IO', `${what}: ${code}`, { cause: err });
}
