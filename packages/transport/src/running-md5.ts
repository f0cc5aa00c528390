import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { McError } from '@mcsync/core';
import { READ_CHUNK } from './read-local-file';

/**
 * The MD5 of a file's prefix, grown by whatever reads of the file happen to pass by: a chunk read
 * for its own checksum, a chunk streamed to the server, a chunk sent a second time. Each byte
 * counts once, in order, so the whole-file MD5 costs no extra read even when chunks are re-sent;
 * bytes the upload skips (a resumed upload's prefix) are read by `catchUp`.
 */
export class RunningMd5 {
  #hash: Hash = createHash('md5');
  #position = 0;

  /** Bytes hashed so far (the prefix `[0, position)`). */
  get position(): number {
    return this.#position;
  }

  /** Offers bytes read at `at`; the part beyond what is hashed is taken (never a gap). */
  offer(at: number, data: Buffer): void {
    const end = at + data.length;
    if (end <= this.#position || at > this.#position) return;
    this.#hash.update(at === this.#position ? data : data.subarray(this.#position - at));
    this.#position = end;
  }

  /** Hashes `[position, to)` from disk (memory-bounded 1 MiB reads). */
  async catchUp(localPath: string, to: number, signal?: AbortSignal): Promise<void> {
    if (to <= this.#position) return;
    const stream = createReadStream(localPath, { highWaterMark: READ_CHUNK, start: this.#position, end: to - 1, ...(signal ? { signal } : {}) });
    let at = this.#position;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.offer(at, chunk);
        at += chunk.length;
      }
    } catch (err) {
      if (err instanceof McError) throw err;
      if ((err as { name?: string }).name === 'AbortError') throw new McError('ABORTED', 'interrupted', { cause: err });
      throw new McError('LOCAL_IO', `cannot read ${localPath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
    }
    if (this.#position < to) {
      throw new McError('CHANGED', `${localPath} shrank while it was being read`, { hint: 'run again once the file is no longer being written' });
    }
  }

  /** The MD5 so far, without ending the hash. */
  hex(): string {
    return this.#hash.copy().digest('hex');
  }
}
