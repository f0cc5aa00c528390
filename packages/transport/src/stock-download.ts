import type { DownloadItem, DownloadResult, TransferOptions } from '@mcsync/core';
import { downloadToTemp } from './download-file';
import { SpaceLedger } from './free-space';
import type { HttpClient } from './http-client';
import { ProgressReporter } from './progress';
import type { LargeDownloadOptions } from './resumable-download';
import { DEFAULT_CONCURRENCY } from './scheduler';
import { scheduleTransfers } from './transfer-schedule';

export interface StockDownloadContext {
  client: HttpClient;
  projectId: number;
  /** Default requests in flight when the caller names none. */
  concurrency?: number;
  /** Large files are resumable (see `downloadResumableOnce`); thresholds for tests. */
  large?: LargeDownloadOptions | undefined;
}

/**
 * One `GET …/download` per file, streamed to a verified temp file beside its target (see
 * `downloadToTemp`); large files resume a partial. Every file is one task of one schedule, so large
 * and small ones share the same requests in flight.
 */
export function stockDownload(ctx: StockDownloadContext, items: readonly DownloadItem[], opts: TransferOptions = {}): AsyncIterable<DownloadResult> {
  const progress = new ProgressReporter('download', opts.onProgress);
  const space = new SpaceLedger();
  return scheduleTransfers<DownloadItem, DownloadResult, { items: DownloadItem[] }>(
    items.map((item) => ({ items: [item] })),
    async ({ items: [item] }, sink, signal) => sink.done(item!, await downloadToTemp(ctx.client, ctx.projectId, item!, { signal, progress, large: ctx.large, space })),
    { concurrency: opts.concurrency ?? ctx.concurrency ?? DEFAULT_CONCURRENCY, signal: opts.signal, progress },
  );
}
