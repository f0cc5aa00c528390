import type { UploadItem } from '@mcsync/core';
import { describe, expect, it } from 'vitest';
import { planUploadBatches } from './upload-batches';

const item = (path: string, size = 10): UploadItem => ({ path, localPath: `/tmp/${path}`, size, md5: null, mtimeNs: 0n, ino: 1 });
const paths = (b: { items: UploadItem[] }) => b.items.map((i) => i.path);

describe('planUploadBatches', () => {
  it('puts at most 20 small files of one directory in a request', () => {
    const items = Array.from({ length: 45 }, (_, i) => item(`d/f${i}.txt`));
    const { batches } = planUploadBatches(items);
    expect(batches.map((b) => b.items.length).sort()).toEqual([20, 20, 5]);
    expect(batches.every((b) => b.dir === 'd' && !b.named)).toBe(true);
  });

  it('never mixes directories in one request', () => {
    const { batches } = planUploadBatches([item('a.txt'), item('d/b.txt'), item('c.txt')]);
    expect(batches.map(paths).sort()).toEqual([['a.txt', 'c.txt'], ['d/b.txt']]);
    expect(batches.find((b) => b.dir === '')!.items).toHaveLength(2);
  });

  it('bounds a request by bytes and sends a file above the bound alone, largest first', () => {
    const limits = { maxFiles: 20, maxBytes: 100 };
    const { batches } = planUploadBatches([item('a', 60), item('b', 60), item('big', 500), item('c', 30)], limits);
    expect(batches.map(paths)).toEqual([['big'], ['b', 'c'], ['a']]);
  });

  it('sends names unsafe in a multipart header alone, through the named route', () => {
    const { batches } = planUploadBatches([item('x/café.txt'), item('x/plain.txt'), item('x/100%.txt')]);
    const named = batches.filter((b) => b.named).map(paths);
    expect(named).toEqual([['x/café.txt'], ['x/100%.txt']]);
  });

  it('refuses a second file whose name folds to the same server name', () => {
    const { batches, refused } = planUploadBatches([item('d/README.md'), item('d/readme.md'), item('e/readme.md')]);
    expect(batches.flatMap(paths).sort()).toEqual(['d/README.md', 'e/readme.md']);
    expect(refused.map((r) => [r.item.path, r.error.code])).toEqual([['d/readme.md', 'NAME']]);
  });
});
