import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sniffMime, SNIFF_BYTES } from './sniff-mime.js';

/** An upload written to the temp folder, not yet in the content store. */
export interface StagedBlob {
  tmpPath: string;
  md5: string;
  size: number;
  mimeType: string;
}

// 1 MiB writes and reads: measured to keep MD5 and disk at md5sum speed (stack-notes §4).
const CHUNK = 1 << 20;

/**
 * Content-addressed file contents: `DATA/blobs/<first two hex digits>/<md5>`. Uploads stream into
 * `DATA/tmp` (same file system, so the final rename is atomic) while their MD5 is computed on the way;
 * no upload is ever held in memory whole. Identical contents share one blob, as production's global
 * dedup does (mc-api.md §5.3), so a blob's mtime is the time its content first arrived.
 */
export class BlobStore {
  readonly blobDir: string;
  readonly tmpDir: string;
  private readonly shardsMade = new Set<string>();

  constructor(dataDir: string) {
    this.blobDir = join(dataDir, 'blobs');
    this.tmpDir = join(dataDir, 'tmp');
  }

  /** Creates the folders and removes temp files a previous run left behind. */
  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    for (const name of await readdir(this.tmpDir)) await rm(join(this.tmpDir, name), { force: true, recursive: true });
  }

  /** Streams `source` to a temp file, hashing and sniffing on the way. */
  async stage(source: Readable): Promise<StagedBlob> {
    const tmpPath = join(this.tmpDir, randomUUID());
    const hash = createHash('md5');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            if (headLength < SNIFF_BYTES) {
              head.push(Buffer.from(chunk.subarray(0, SNIFF_BYTES - headLength)));
              headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
            }
            yield chunk;
          }
        },
        createWriteStream(tmpPath, { highWaterMark: CHUNK }),
      );
    } catch (error) {
      await unlink(tmpPath).catch(() => undefined);
      throw error;
    }
    return { tmpPath, md5: hash.digest('hex'), size, mimeType: sniffMime(Buffer.concat(head), size) };
  }

  /** Moves a staged upload into the store; when that content is already stored, drops the temp file. */
  async commit(staged: StagedBlob): Promise<void> {
    const target = this.pathOf(staged.md5);
    if (await exists(target)) {
      await unlink(staged.tmpPath);
      return;
    }
    const shard = staged.md5.slice(0, 2);
    if (!this.shardsMade.has(shard)) {
      await mkdir(join(this.blobDir, shard), { recursive: true });
      this.shardsMade.add(shard);
    }
    await rename(staged.tmpPath, target);
  }

  async discard(staged: StagedBlob): Promise<void> {
    await unlink(staged.tmpPath).catch(() => undefined);
  }

  pathOf(md5: string): string {
    return join(this.blobDir, md5.slice(0, 2), md5);
  }

  /** Size and mtime of a stored blob, or null when it is missing. */
  async statBlob(md5: string): Promise<{ size: number; mtime: Date } | null> {
    try {
      const info = await stat(this.pathOf(md5));
      return { size: info.size, mtime: info.mtime };
    } catch {
      return null;
    }
  }

  open(md5: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(md5), { highWaterMark: CHUNK, ...range });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
