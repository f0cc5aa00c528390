import type { McError, TransferOptions, UploadItem, UploadResult } from '@mcsync/core';
import { runChecksumBatch } from './by-checksum-upload';
import { type BulkBatch, planBulkBatches, runBulkBatch } from './bulk-upload';
import { ProgressReporter } from './progress';
import { DEFAULT_CONCURRENCY } from './scheduler';
import { planStockBatches, runStockBatch, type StockUploadContext, stockUpload } from './stock-upload';
import { type BatchLimits, refuseFoldCollisions, type UploadBatch } from './upload-batches';
import { failure, scheduleUploads } from './transfer-schedule';
import { scheduleWithLarge } from './upload-lanes';

export interface EnhancedUploadContext extends StockUploadContext {
  /** Entries per by-checksum request, when the server lists `by-checksum`. */
  byChecksum: { maxFiles: number } | null;
  /** Limits of `bulk-upload` requests, when the server lists it; files above `maxBytes` take the stock route. */
  bulk: BatchLimits | null;
}

/**
 * Uploads with the extensions the server lists, each step falling back to the stock way:
 * files whose MD5 the plan knows are offered by checksum first (no bytes when the server has the
 * content); what still needs bytes goes in bulk-upload requests when small, through the stock
 * single-file route when larger than a bulk request, over tus when at or above the tus threshold
 * (or all of it the stock way without `bulk-upload`). Same contract
 * as `stockUpload`: one result per item as it completes, a failure never stops the others,
 * ABORTED for whatever an abort left.
 */
export function enhancedUpload(ctx: EnhancedUploadContext, items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
  if (!ctx.byChecksum && !ctx.bulk) return stockUpload(ctx, items, opts);
  const progress = new ProgressReporter('upload', opts.onProgress);
  const concurrency = opts.concurrency ?? ctx.concurrency ?? DEFAULT_CONCURRENCY;
  const common = { concurrency, signal: opts.signal, progress };

  return (async function* () {
    const { accepted, refused } = refuseFoldCollisions(items);
    for (const r of refused) {
      progress.fail(r.item.path, r.error);
      yield failure(r.item, r.error);
    }

    let needBytes = accepted;
    if (ctx.byChecksum) {
      needBytes = accepted.filter((i) => i.md5 === null);
      const known = accepted.filter((i) => i.md5 !== null);
      const tasks = chunks(known, ctx.byChecksum.maxFiles).map((batch) => ({ items: batch }));
      yield* scheduleUploads(
        tasks,
        (task, sink, signal) =>
          runChecksumBatch(ctx, task.items, { done: sink.done, handOff: (item) => (needBytes.push(item), sink.handOff(item)) }, signal, progress),
        common,
      );
    }

    if (!ctx.bulk) {
      yield* stockUpload(ctx, needBytes, opts);
      return;
    }
    const bulkLimits = ctx.bulk;
    // Files large enough for tus never go in a bulk request (only matters when the tus threshold is set below the bulk cap).
    const tusCandidate = (i: UploadItem) => ctx.tus !== undefined && i.size >= ctx.tus.threshold;
    const single = (i: UploadItem) => i.size > bulkLimits.maxBytes || tusCandidate(i);
    const planned = planStockBatches(ctx, needBytes.filter(single));
    const { tus, large, rest } = ctx.tus ? await ctx.tus.split(planned.batches, opts.signal) : { tus: null, large: [], rest: planned.batches };
    const stock = { refused: planned.refused, batches: rest };
    type Task = (UploadBatch & { route: 'stock' }) | (BulkBatch & { route: 'bulk' }) | { route: 'refused'; items: UploadItem[]; error: McError; bytes: number };
    const tasks: Task[] = [
      // none in practice: fold collisions were refused above
      ...stock.refused.map((r) => ({ route: 'refused' as const, items: [r.item], error: r.error, bytes: 0 })),
      ...stock.batches.map((b) => ({ ...b, route: 'stock' as const })),
      ...planBulkBatches(
        needBytes.filter((i) => !single(i)),
        bulkLimits,
      ).map((b) => ({ ...b, route: 'bulk' as const })),
    ].sort((a, b) => b.bytes - a.bytes);
    yield* scheduleWithLarge<Task>(
      tus,
      large,
      tasks,
      async (task, sink, signal) => {
        if (task.route === 'bulk') await runBulkBatch(ctx, task, sink, signal, progress);
        else if (task.route === 'stock') await runStockBatch(ctx, task, sink, signal, progress);
        else sink.done(task.items[0]!, failure(task.items[0]!, task.error));
      },
      common,
    );
  })();
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
