import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import pMap from 'p-map';
import { toMcError } from './errors';
import { md5File } from './hash-file';
import type { Failure } from './plan';
import type { LocalRecord } from './types';

export interface HashOptions {
  root: string;
  /** Files read at once; reads are disk-bound, a few suffice. */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Fills in the MD5 of `records` (in place). A file that changes while it is read is read once
 * more; if it changes again it is reported and left with an unknown MD5.
 */
export async function hashRecords(records: readonly LocalRecord[], opts: HashOptions): Promise<Failure[]> {
  const failures: Failure[] = [];
  await pMap(
    records,
    async (record) => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const abs = join(opts.root, record.path);
        try {
          const md5 = await md5File(abs, opts.signal);
          const st = lstatSync(abs, { bigint: true });
          if (Number(st.size) === record.size && st.mtimeNs === record.mtimeNs && Number(st.ino) === record.ino) {
            record.md5 = md5;
            return;
          }
          record.size = Number(st.size);
          record.mtimeNs = st.mtimeNs;
          record.ino = Number(st.ino);
        } catch (err) {
          const e = toMcError(err, 'LOCAL_IO');
          if (e.code === 'ABORTED') throw e;
          failures.push({ path: record.path, code: e.code, message: `cannot read: ${e.message}` });
          return;
        }
      }
      failures.push({ path: record.path, code: 'CHANGED', message: 'the file kept changing while it was read; try again when it is stable' });
    },
    { concurrency: opts.concurrency ?? 4, signal: opts.signal },
  );
  return failures;
}
