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
 * A fresh `.mc-tmp-*` file beside a download's target, filled chunk by chunk and hashed as it is
 * written. The socket's small chunks are coalesced into 1 MiB blocks: fewer write calls, faster
 * MD5. `discard` removes the file (any failure); after `finish` the file belongs to the caller.
 */
export class TempFile {
  readonly tempPath: string;
  readonly #fh: FileHandle;
  readonly #hash: Hash = createHash('md5');
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #bytes = 0;
  #closed = false;

  private constructor(tempPath: string, fh: FileHandle) {
    this.tempPath = tempPath;
    this.#fh = fh;
  }

  /** Creates the temp file in `folder` (which must exist). LOCAL_IO when it cannot. */
  static async create(folder: string): Promise<TempFile> {
    const tempPath = join(folder, newTempName());
    try {
      return new TempFile(tempPath, await open(tempPath, 'wx'));
    } catch (err) {
      throw localError(`cannot create ${tempPath}`, err);
    }
  }

  /** Bytes received so far. */
  get bytes(): number {
    return this.#bytes;
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
    this.#closed = true;
    await this.#fh.close().catch((err: unknown) => {
      throw localError(`cannot write ${this.tempPath}`, err);
    });
    return { tempPath: this.tempPath, md5: this.#hash.digest('hex'), bytes: this.#bytes };
  }

  /** Closes and removes the file; never throws. */
  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.#fh.close().catch(() => {});
    }
    await rm(this.tempPath, { force: true }).catch(() => {});
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const block = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#hash.update(block);
    let offset = 0;
    try {
      while (offset < block.length) {
        const { bytesWritten } = await this.#fh.write(block, offset, block.length - offset);
        offset += bytesWritten;
      }
    } catch (err) {
      throw localError(`cannot write ${this.tempPath}`, err);
    }
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
