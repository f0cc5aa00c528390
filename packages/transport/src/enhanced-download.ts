import type { DownloadItem, DownloadResult, TransferOptions } from '@mcsync/core';
import { BULK_DOWNLOAD_FILE_CAP, planBulkDownloads, runBulkDownload } from './bulk-download';
import { downloadToTemp } from './download-file';
import { SpaceLedger } from './free-space';
import { ProgressReporter } from './progress';
import { isResumable } from './resumable-download';
import { DEFAULT_CONCURRENCY } from './scheduler';
import { type StockDownloadContext, stockDownload } from './stock-download';
import { scheduleTransfers } from './transfer-schedule';
import type { BatchLimits } from './upload-batches';

export interface EnhancedDownloadContext extends StockDownloadContext {
  /** Limits of `bulk-download` requests, when the server lists it. */
  bulk: BatchLimits | null;
}

/**
 * Downloads with `bulk-download` when the server lists it: small files many to a request (a tar
 * stream), big ones (above `BULK_DOWNLOAD_FILE_CAP`, and every resumable one) one GET each, all in
 * one schedule (so they share the requests in flight), largest requests first. Without the feature, the stock way. Same contract as `stockDownload`.
 */
export function enhancedDownload(ctx: EnhancedDownloadContext, items: readonly DownloadItem[], opts: TransferOptions = {}): AsyncIterable<DownloadResult> {
  if (!ctx.bulk) return stockDownload(ctx, items, opts);
  const progress = new ProgressReporter('download', opts.onProgress);
  const space = new SpaceLedger();
  const cap = Math.min(BULK_DOWNLOAD_FILE_CAP, ctx.bulk.maxBytes);
  // Resumable files never go into a tar: only their own ranged GET can continue after a failure.
  const viaGet = (i: DownloadItem) => i.remote.size > cap || isResumable(i, ctx.large);
  const { batches, apart } = planBulkDownloads(
    items.filter((i) => !viaGet(i)),
    ctx.bulk,
  );
  type Task = { items: DownloadItem[]; bytes: number; bulk: boolean };
  const tasks: Task[] = [
    ...batches.map((b) => ({ ...b, bulk: true })),
    ...[...apart, ...items.filter(viaGet)].map((i) => ({ items: [i], bytes: i.remote.size, bulk: false })),
  ].sort((a, b) => b.bytes - a.bytes);
  return scheduleTransfers<DownloadItem, DownloadResult, Task>(
    tasks,
    async (task, sink, signal) => {
      if (task.bulk) await runBulkDownload(ctx, task.items, sink, signal, progress);
      else sink.done(task.items[0]!, await downloadToTemp(ctx.client, ctx.projectId, task.items[0]!, { signal, progress, large: ctx.large, space }));
    },
    { concurrency: opts.concurrency ?? ctx.concurrency ?? DEFAULT_CONCURRENCY, signal: opts.signal, progress },
  );
}
