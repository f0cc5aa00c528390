import { baseName, foldName, McError, toMcError, type TransferOptions, type UploadItem, type UploadResult } from '@mcsync/core';
import { type McRow, rowChecksum } from '@mcsync/protocol';
import type { DirectoryIndex } from './directory-index';
import { uploadFiles, uploadNamedFile } from './endpoints/files';
import type { HttpClient } from './http-client';
import { abortedError } from './http-errors';
import { type MultipartFilePart, multipartBody } from './multipart-body';
import { ProgressReporter } from './progress';
import { type ReadOutcome, emptyOutcome, readLocalFile } from './read-local-file';
import { toRemoteEntry } from './remote-entry';
import { DEFAULT_CONCURRENCY, schedule } from './scheduler';
import { type BatchLimits, MAX_BATCH_BYTES, MAX_FILES_PER_REQUEST, type UploadBatch, planUploadBatches } from './upload-batches';

export interface StockUploadContext {
  client: HttpClient;
  projectId: number;
  dirs: DirectoryIndex;
  /** Default requests in flight when the caller names none. */
  concurrency?: number;
  limits?: BatchLimits;
}

/** Placeholder part filename on the named route, where the server takes the name from the URL. */
const NAMED_ROUTE_FILENAME = 'file';

/**
 * Uploads over production's HTTP multipart routes: small files to one directory share a request
 * (≤ 20 parts, ≤ 8 MiB), each file is hashed while it is sent and re-stat'ed after it was read,
 * and every returned row is checked against the bytes sent. Results stream back as requests
 * complete; a failed file never stops the others. After an abort, items never finished come back
 * as ABORTED failures, so every item gets exactly one result.
 */
export function stockUpload(ctx: StockUploadContext, items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
  const progress = new ProgressReporter('upload', opts.onProgress);
  const { batches, refused } = planUploadBatches(items, ctx.limits ?? { maxFiles: MAX_FILES_PER_REQUEST, maxBytes: MAX_BATCH_BYTES });
  const pending = new Set<UploadItem>(items);

  const emitter = (emit: (r: UploadResult) => void) => (item: UploadItem, result: UploadResult) => {
    if (!pending.delete(item)) return;
    if (result.ok) progress.done(item.path, result.bytes);
    else progress.fail(item.path, result.error);
    emit(result);
  };

  const failAll = (batch: UploadBatch, err: unknown, emit: (r: UploadResult) => void) => {
    const error = toMcError(err);
    for (const item of batch.items) emitter(emit)(item, { ok: false, path: item.path, error });
  };

  return schedule<UploadBatch | { refused: UploadItem; error: McError }, UploadResult>(
    [...refused.map((r) => ({ refused: r.item, error: r.error })), ...batches],
    async (task, emit, signal) => {
      if ('refused' in task) {
        emitter(emit)(task.refused, { ok: false, path: task.refused.path, error: task.error });
        return;
      }
      await runBatch(ctx, task, emitter(emit), signal, progress, 1);
    },
    {
      concurrency: opts.concurrency ?? ctx.concurrency ?? DEFAULT_CONCURRENCY,
      signal: opts.signal,
      onWorkerError: (task, err, emit) => {
        if ('refused' in task) return;
        failAll(task, err, emit);
      },
      finish: () => [...pending].map((item) => ({ ok: false as const, path: item.path, error: abortedError() })),
    },
  );
}

async function runBatch(
  ctx: StockUploadContext,
  batch: UploadBatch,
  emit: (item: UploadItem, result: UploadResult) => void,
  signal: AbortSignal,
  progress: ProgressReporter,
  retriesLeft: number,
): Promise<void> {
  const fail = (item: UploadItem, err: unknown) => emit(item, { ok: false, path: item.path, error: toMcError(err) });
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

  // Per attempt: what each file's read produced, and which file broke the body (if one did).
  let outcomes: ReadOutcome[] = [];
  let brokenBy = -1;
  const body = () => {
    outcomes = batch.items.map(() => emptyOutcome());
    brokenBy = -1;
    const parts: MultipartFilePart[] = batch.items.map((item, i) => ({
      fieldName: 'files[]',
      filename: batch.named ? NAMED_ROUTE_FILENAME : baseName(item.path),
      size: item.size,
      content: () => trackedRead(item, outcomes[i]!, progress, () => (brokenBy = i)),
    }));
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
      if (batch.items.length > 0) await runBatch(ctx, { ...batch, bytes: batch.bytes - broken!.size }, emit, signal, progress, retriesLeft);
      return;
    }
    const perFile = (error.code === 'REJECTED' && error.status !== 429) || error.code === 'SERVER';
    if (perFile && batch.items.length > 1) {
      // A refusal or a server error (after the HTTP retries) may concern one part only: find out
      // which by sending each file alone, so one bad file does not fail up to 19 good ones.
      for (const item of batch.items) {
        await runBatch(ctx, { ...batch, items: [item], bytes: item.size }, emit, signal, progress, retriesLeft);
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
    const outcome = outcomes[i]!;
    const verdict = judge(item, outcome, batch.named ? rows : (rowsByName.get(foldName(baseName(item.path))) ?? []));
    if (verdict.ok) emit(item, verdict.result);
    else if (verdict.retry && retriesLeft > 0) again.push(item);
    else fail(item, verdict.error);
  });
  if (again.length > 0) {
    const bytes = again.reduce((n, item) => n + item.size, 0);
    await runBatch(ctx, { ...batch, items: again, bytes }, emit, signal, progress, retriesLeft - 1);
  }
}

type Verdict = { ok: true; result: UploadResult } | { ok: false; retry: boolean; error: McError };

/** Checks one file's returned row against the bytes that were sent. */
function judge(item: UploadItem, outcome: ReadOutcome, rows: readonly McRow[]): Verdict {
  if (outcome.md5 === null) {
    return { ok: false, retry: true, error: new McError('SERVER', `${item.path}: the server answered before the file was sent`) };
  }
  const row = rows.length === 1 ? rows[0] : rows.find((r) => r.size === outcome.bytes && rowChecksum(r) === outcome.md5);
  if (!row) {
    return {
      ok: false,
      retry: true,
      error: new McError('SERVER', `${item.path}: the server answered ${rows.length} rows for this file instead of 1`),
    };
  }
  if ((row.size ?? -1) !== outcome.bytes) {
    return { ok: false, retry: true, error: new McError('VERIFY', `${item.path}: the server stored ${row.size} bytes, ${outcome.bytes} were sent`) };
  }
  const checksum = rowChecksum(row);
  if (checksum !== null && checksum !== outcome.md5) {
    return { ok: false, retry: true, error: new McError('VERIFY', `${item.path}: the server's MD5 ${checksum} differs from the bytes sent (${outcome.md5})`) };
  }
  return {
    ok: true,
    result: {
      ok: true,
      path: item.path,
      bytes: outcome.bytes,
      remote: toRemoteEntry(item.path, row, 'file'),
      md5: outcome.md5,
      verified: checksum === null ? 'size' : 'md5',
      mtimeNs: item.mtimeNs,
      ino: item.ino,
    },
  };
}

async function* trackedRead(item: UploadItem, outcome: ReadOutcome, progress: ProgressReporter, onBreak: () => void): AsyncGenerator<Buffer> {
  progress.start(item.path, item.size);
  const onBytes = progress.enabled ? (n: number) => progress.bytes(item.path, n, item.size) : undefined;
  try {
    yield* readLocalFile(item, outcome, onBytes);
  } catch (err) {
    onBreak();
    throw err;
  }
}
