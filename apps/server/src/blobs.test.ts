import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, IN_MEMORY_LIMIT } from './blobs.js';

let dir: string;
let blobs: BlobStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mc-server-blobs-'));
  blobs = new BlobStore(dir);
  await blobs.init();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');
/** A stream delivering `data` in small pieces, as a socket would. */
const streamOf = (data: Buffer, piece = 16 * 1024) =>
  Readable.from(Array.from({ length: Math.ceil(data.length / piece) }, (_, i) => data.subarray(i * piece, (i + 1) * piece)));

describe('BlobStore', () => {
  it.each([
    ['empty', 0],
    ['small (kept in memory)', 1000],
    ['exactly the in-memory limit', IN_MEMORY_LIMIT],
    ['large (streamed to a temp file)', 5 * 1024 * 1024 + 3],
  ])('stores %s content under blobs/xx/<md5>, intact', async (_label, size) => {
    const data = randomBytes(size);
    const staged = await blobs.stage(streamOf(data));
    expect(staged).toMatchObject({ md5: md5(data), size, kind: size > IN_MEMORY_LIMIT ? 'file' : 'memory' });
    await blobs.commit(staged);
    const path = join(dir, 'blobs', md5(data).slice(0, 2), md5(data));
    expect(blobs.pathOf(md5(data))).toBe(path);
    expect(md5(readFileSync(path))).toBe(md5(data));
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('keeps the first copy of identical content (and its mtime) and drops the second', async () => {
    const data = randomBytes(IN_MEMORY_LIMIT * 2);
    await blobs.commit(await blobs.stage(streamOf(data)));
    const path = blobs.pathOf(md5(data));
    utimesSync(path, new Date(2000, 0, 1), new Date(2000, 0, 1));
    await blobs.commit(await blobs.stage(streamOf(data)));
    expect(statSync(path).mtime.getFullYear()).toBe(2000);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('removes the temp file of a failed upload', async () => {
    const failing = new Readable({
      read() {
        this.push(randomBytes(IN_MEMORY_LIMIT + 1));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(blobs.stage(failing)).rejects.toThrow('client went away');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('reports missing blobs as null', () => {
    expect(blobs.statBlob('0'.repeat(32))).toBeNull();
  });
});
