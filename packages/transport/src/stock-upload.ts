import { baseName, foldName, McError, toMcError, type TransferOptions, type UploadItem, type UploadResult } from '@mcsync/core';
import type { McRow } from '@mcsync/protocol';
import type { DirectoryIndex } from './directory-index';
import { uploadFiles, uploadNamedFile } from './endpoints/files';
import type { HttpClient } from './http-client';
import { abortedError, conflictError } from './http-errors';
import { type MultipartPart, multipartBody } from './multipart-body';
import { ProgressReporter } from './progress';
import { type ReadOutcome, emptyOutcome, readForUpload } from './read-local-file';
import { DEFAULT_CONCURRENCY } from './scheduler';
import { type BatchLimits, MAX_BATCH_BYTES, MAX_FILES_PER_REQUEST, type UploadBatch, planUploadBatches } from './upload-batches';
import { type UploadSink, failure } from './transfer-schedule';
import type { TusUploads } from './tus-uploads';
import { scheduleWithLarge } from './upload-lanes';
import { verifyUploadRow } from './verify-upload';

export interface StockUploadContext {
  client: HttpClient;
  projectId: number;
  dirs: DirectoryIndex;
  /** Default requests in flight when the caller names none. */
  concurrency?: number;
  limits?: BatchLimits;
  /**
   * The server takes `if_current_id` (sync-api.md `preconditions`): an item with `ifCurrentId`
   * goes alone, with the field, and a 409 fails it with CONFLICT. Without it the field is not sent.
   */
  preconditions?: boolean;
  /** Large files go over tus when the server serves it (see `TusUploads`); without it, all multipart. */
  tus?: TusUploads | undefined;
}

/** Placeholder part filename on the named route, where the server takes the name from the URL. */
const NAMED_ROUTE_FILENAME = 'file';

/**
 * Uploads over production's HTTP multipart routes: small files to one directory share a request
 * (≤ 20 parts, ≤ 8 MiB), each file is hashed while it is sent and re-stat'ed after it was read,
 * and every returned row is checked against the bytes sent. Large files go over tus when the
 * server serves it, in the same scheduler (see `scheduleWithLarge`). Results stream back as
 * requests complete; a failed file never stops the others. After an abort, items never finished
 * come back as ABORTED failures, so every item gets exactly one result.
 */
export function stockUpload(ctx: StockUploadContext, items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
  const progress = new ProgressReporter('upload', opts.onProgress);
  return (async function* () {
    const { batches, refused } = planStockBatches(ctx, items);
    const { tus, large, rest } = ctx.tus ? await ctx.tus.split(batches, opts.signal) : { tus: null, large: [], rest: batches };
    type Task = UploadBatch | { items: UploadItem[]; refused: McError };
    const tasks: Task[] = [...refused.map((r) => ({ items: [r.item], refused: r.error })), ...rest];
    yield* scheduleWithLarge<Task>(
      tus,
      large,
      tasks,
      async (task, sink, signal) => {
        if ('refused' in task) sink.done(task.items[0]!, failure(task.items[0]!, task.refused));
        else await runStockBatch(ctx, task, sink, signal, progress);
      },
      { concurrency: opts.concurrency ?? ctx.concurrency ?? DEFAULT_CONCURRENCY, signal: opts.signal, progress },
    );
  })();
}

/** The stock route's requests for `items` (see `planUploadBatches`), preconditions alone. */
export function planStockBatches(ctx: StockUploadContext, items: readonly UploadItem[]): ReturnType<typeof planUploadBatches> {
  const limits = ctx.limits ?? { maxFiles: MAX_FILES_PER_REQUEST, maxBytes: MAX_BATCH_BYTES };
  return planUploadBatches(items, limits, ctx.preconditions ? { alone: (item) => item.ifCurrentId !== undefined } : {});
}

/**
 * One stock upload request (and what it takes to finish it): the target directory is found or
 * created, the files are streamed as multipart parts, each row is verified; a file that broke
 * the body fails alone and the others go again, a refusal or server error of a multi-file
 * request is retried file by file, and rows that do not match are retried `retriesLeft` times.
 */
export async function runStockBatch(
  ctx: StockUploadContext,
  batch: UploadBatch,
  sink: Pick<UploadSink, 'done'>,
  signal: AbortSignal,
  progress: ProgressReporter,
  retriesLeft = 1,
): Promise<void> {
  const emit = sink.done;
  const fail = (item: UploadItem, err: unknown) => emit(item, failure(item, err));
  if (signal.aborted) {
    for (const item of batch.items) fail(item, abortedError());
    return;
  }

  let dirId: number;
  try {
    dirId = (await ctx.dirs.ensure(batch.dir, signal)).id;
  } catch (err) {
    for (const item of batch.items) fail(item, err);
    return;
  }

  const only = batch.items.length === 1 ? batch.items[0]! : undefined;
  const precondition = ctx.preconditions && only?.ifCurrentId !== undefined ? only.ifCurrentId : undefined;

  // Per attempt: what each file's read produced, and which file broke the body (if one did).
  let outcomes: ReadOutcome[] = [];
  let brokenBy = -1;
  const body = () => {
    outcomes = batch.items.map(() => emptyOutcome());
    brokenBy = -1;
    const parts: MultipartPart[] = precondition === undefined ? [] : [{ fieldName: 'if_current_id', value: String(precondition) }];
    batch.items.forEach((item, i) =>
      parts.push({
        fieldName: 'files[]',
        filename: batch.named ? NAMED_ROUTE_FILENAME : baseName(item.path),
        size: item.size,
        content: () => readForUpload(item, outcomes[i]!, progress, () => (brokenBy = i)),
      }),
    );
    return multipartBody(parts);
  };

  let rows: McRow[];
  try {
    rows = batch.named
      ? await uploadNamedFile(ctx.client, ctx.projectId, dirId, baseName(batch.items[0]!.path), body, { signal })
      : await uploadFiles(ctx.client, ctx.projectId, dirId, body, { signal });
  } catch (err) {
    const error = toMcError(err);
    if (brokenBy >= 0 && (error.code === 'CHANGED' || error.code === 'LOCAL_IO')) {
      // One local file failed mid-body: it fails, the others go again without it.
      const [broken] = batch.items.splice(brokenBy, 1);
      fail(broken!, error);
      if (batch.items.length > 0) await runStockBatch(ctx, { ...batch, bytes: batch.bytes - broken!.size }, sink, signal, progress, retriesLeft);
      return;
    }
    if (precondition !== undefined && error.status === 409) {
      fail(only!, conflictError(only!.path, error));
      return;
    }
    const perFile = (error.code === 'REJECTED' && error.status !== 429) || error.code === 'SERVER';
    if (perFile && batch.items.length > 1) {
      // A refusal or a server error (after the HTTP retries) may concern one part only: find out
      // which by sending each file alone, so one bad file does not fail up to 19 good ones.
      for (const item of batch.items) {
        await runStockBatch(ctx, { ...batch, items: [item], bytes: item.size }, sink, signal, progress, retriesLeft);
      }
      return;
    }
    for (const item of batch.items) fail(item, error);
    return;
  }

  // Rows are matched to parts by the server's fold key: it may keep an older spelling (§5.7).
  const rowsByName = new Map<string, McRow[]>();
  for (const row of rows) {
    const key = foldName(row.name);
    const list = rowsByName.get(key);
    if (list) list.push(row);
    else rowsByName.set(key, [row]);
  }
  const again: UploadItem[] = [];
  batch.items.forEach((item, i) => {
    const verdict = verifyUploadRow(item, outcomes[i]!, batch.named ? rows : (rowsByName.get(foldName(baseName(item.path))) ?? []));
    if (verdict.ok) emit(item, verdict.result);
    else if (verdict.retry && retriesLeft > 0) again.push(item);
    else fail(item, verdict.error);
  });
  if (again.length > 0) {
    const bytes = again.reduce((n, item) => n + item.size, 0);
    await runStockBatch(ctx, { ...batch, items: again, bytes }, sink, signal, progress, retriesLeft - 1);
  }
}
