import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// 1 MiB reads: MD5 at md5sum speed (stack-notes §4).
const READ_CHUNK = 1 << 20;

const UPLOAD_ID = /^[0-9a-f]{32}$/;

export function isUploadId(text: string): boolean {
  return UPLOAD_ID.test(text);
}

/**
 * The bytes of unfinished tus uploads: `DATA/tus/<upload id>`, one file each, on the data directory's
 * file system so that completion is a rename into the blob store. Only ids of 32 hex digits name
 * files here, so nothing outside this folder is ever touched.
 */
export class PartialFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'tus');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  pathOf(id: string): string {
    if (!isUploadId(id)) throw new Error(`not an upload id: ${id}`);
    return join(this.dir, id);
  }

  async create(id: string): Promise<void> {
    await writeFile(this.pathOf(id), Buffer.alloc(0), { flag: 'wx' });
  }

  /** Size of the partial file, or null when it is missing. */
  async size(id: string): Promise<number | null> {
    const info = await stat(this.pathOf(id)).catch(() => null);
    return info ? info.size : null;
  }

  /** Cuts the file back to `size` bytes (discarded chunk, or bytes received but never recorded). */
  async truncate(id: string, size: number): Promise<void> {
    await truncate(this.pathOf(id), size);
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }

  /** Ids of every partial file present. */
  async ids(): Promise<string[]> {
    return (await readdir(this.dir)).filter(isUploadId);
  }

  /** MD5 (hex) of the first `size` bytes, streamed. */
  async md5(id: string, size: number): Promise<string> {
    return (await this.hashPrefix(id, size)).digest('hex');
  }

  /** A running MD5 over the first `size` bytes, to continue with the next chunk. */
  async hashPrefix(id: string, size: number): Promise<Hash> {
    const hash = createHash('md5');
    if (size === 0) return hash;
    for await (const chunk of createReadStream(this.pathOf(id), { start: 0, end: size - 1, highWaterMark: READ_CHUNK })) {
      hash.update(chunk as Buffer);
    }
    return hash;
  }

  /** The first `bytes` bytes (for MIME sniffing). */
  async head(id: string, bytes: number): Promise<Buffer> {
    const handle = await open(this.pathOf(id), 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
