import { dirname } from 'node:path';
import { type DownloadItem, type DownloadResult, McError, toMcError } from '@mcsync/core';
import { BULK_DOWNLOAD_ERRORS_ENTRY, BULK_DOWNLOAD_MD5_HEADER, BulkDownloadErrorsSchema } from '@mcsync/protocol';
import { type Entry, extract as tarExtract } from 'tar-stream';
import { postBulkDownload } from './endpoints/sync-api';
import type { HttpClient } from './http-client';
import { abortedError } from './http-errors';
import { parseResponse } from './parse-response';
import type { ProgressReporter } from './progress';
import { ensureFolder, TempFile, verifyDownload } from './temp-file';
import { failure, type TransferSink } from './transfer-schedule';
import type { BatchLimits } from './upload-batches';

/** Files above this size get a GET each: parallel streams beat one tar for big files. */
export const BULK_DOWNLOAD_FILE_CAP = 8 << 20;
/** Bytes per bulk-download request: a broken answer costs at most this much to fetch again. */
export const BULK_DOWNLOAD_BYTE_CAP = 16 << 20;
/** Files per bulk-download request when the server does not say. */
export const BULK_DOWNLOAD_DEFAULT_FILES = 100;
/** Attempts per file: a broken stream or a VERIFY mismatch is fetched once more. */
const ATTEMPTS = 2;
/** `errors.json` lists ids and short reasons; anything bigger is not one. */
const MAX_ERRORS_BYTES = 4 << 20;

export interface BulkDownloadContext {
  client: HttpClient;
  projectId: number;
}

export interface BulkDownloadBatch {
  items: DownloadItem[];
  bytes: number;
}

type DownloadSink = Pick<TransferSink<DownloadItem, DownloadResult>, 'done'>;
type PaxEntry = Entry & { header: Entry['header'] & { pax?: Record<string, string> | null } };

/**
 * Fills requests in item order up to `maxFiles` files and `maxBytes` bytes. Items sharing a file
 * id (one tar entry per id) cannot share a request: they are returned apart.
 */
export function planBulkDownloads(items: readonly DownloadItem[], limits: BatchLimits): { batches: BulkDownloadBatch[]; apart: DownloadItem[] } {
  const batches: BulkDownloadBatch[] = [];
  const apart: DownloadItem[] = [];
  const ids = new Set<number>();
  let open: BulkDownloadBatch | undefined;
  for (const item of items) {
    if (ids.has(item.remote.id)) {
      apart.push(item);
      continue;
    }
    ids.add(item.remote.id);
    if (!open || open.items.length >= limits.maxFiles || open.bytes + item.remote.size > limits.maxBytes) {
      open = { items: [], bytes: 0 };
      batches.push(open);
    }
    open.items.push(item);
    open.bytes += item.remote.size;
  }
  return { batches, apart };
}

/**
 * One bulk-download request (sync-api.md): the tar answer is parsed as it streams, each entry
 * (named by file id) written to a fresh `.mc-tmp-*` file beside its target, hashed on the way and
 * checked against the entry's `MC.md5` pax header and the size and MD5 the item expects. Ids the
 * server lists in `errors.json` fail with NOT_FOUND. Files the answer did not bring (a broken
 * stream, a missing entry) and VERIFY mismatches are fetched once more in a new request. Temp
 * files of failed entries are removed; verified ones are handed to the caller in the result.
 */
export async function runBulkDownload(
  ctx: BulkDownloadContext,
  items: readonly DownloadItem[],
  sink: DownloadSink,
  signal: AbortSignal,
  progress: ProgressReporter,
  attemptsLeft = ATTEMPTS,
): Promise<void> {
  const request = { method: 'POST' as const, path: `/projects/${ctx.projectId}/files/bulk-download` };
  const waiting = new Map<number, DownloadItem>(items.map((i) => [i.remote.id, i]));
  const again = new Map<DownloadItem, McError>(); // to fetch once more, with the reason
  const folders = new Set<string>();

  let body;
  try {
    body = (await postBulkDownload(ctx.client, ctx.projectId, [...waiting.keys()], { signal })).body;
  } catch (err) {
    const error = signal.aborted ? abortedError(err) : toMcError(err);
    for (const item of items) sink.done(item, failure(item, error));
    return;
  }

  const tar = tarExtract();
  body.on('error', (err) => tar.destroy(err));
  body.pipe(tar);
  let broken: McError | null = null;
  try {
    for await (const entry of tar as AsyncIterable<PaxEntry>) {
      const name = entry.header.name;
      if (name === BULK_DOWNLOAD_ERRORS_ENTRY) {
        for (const { id, error } of await readErrors(entry)) {
          const item = waiting.get(id);
          if (!item) continue;
          waiting.delete(id);
          sink.done(item, failure(item, new McError('NOT_FOUND', `${item.path}: the server could not send it (${error})`)));
        }
        continue;
      }
      const item = /^\d+$/.test(name) ? waiting.get(Number(name)) : undefined;
      if (!item) {
        await drain(entry);
        continue;
      }
      const result = await receive(item, entry, folders, progress); // throws only when the stream broke (item stays waiting)
      waiting.delete(item.remote.id);
      if (!result.ok && result.error.code === 'VERIFY') again.set(item, result.error);
      else sink.done(item, result);
    }
  } catch (err) {
    broken = signal.aborted ? abortedError(err) : ctx.client.bodyError(err, request);
  } finally {
    body.destroy();
  }
  if (signal.aborted) return; // whatever has no result comes back ABORTED from the scheduler

  for (const item of waiting.values()) {
    again.set(item, broken ?? new McError('SERVER', `${item.path}: the bulk download answer did not include it`));
  }
  if (again.size === 0) return;
  if (attemptsLeft > 1) {
    await runBulkDownload(ctx, [...again.keys()], sink, signal, progress, attemptsLeft - 1);
    return;
  }
  for (const [item, error] of again) sink.done(item, failure(item, error));
}

/**
 * Writes one tar entry to a temp file and verifies it. Local failures and mismatches come back as
 * a failed result; the entry is always read to its end (leaving it early would end the whole tar
 * stream). Throws only when the stream itself broke, after removing the temp file.
 */
async function receive(item: DownloadItem, entry: PaxEntry, folders: Set<string>, progress: ProgressReporter): Promise<DownloadResult> {
  const folder = dirname(item.localPath);
  let temp: TempFile | undefined;
  let error: McError | undefined;
  try {
    if (!folders.has(folder)) {
      await ensureFolder(folder);
      folders.add(folder);
    }
    temp = await TempFile.create(folder);
  } catch (err) {
    error = toMcError(err, 'LOCAL_IO');
  }
  progress.start(item.path, item.remote.size);
  try {
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      if (!temp || error) continue;
      try {
        await temp.write(chunk);
        progress.bytes(item.path, temp.bytes, item.remote.size);
      } catch (err) {
        error = toMcError(err, 'LOCAL_IO');
      }
    }
  } catch (err) {
    await temp?.discard();
    throw err;
  }
  if (error || !temp) {
    await temp?.discard();
    return failure(item, error);
  }
  try {
    const written = await temp.finish();
    const announced = entry.header.pax?.[BULK_DOWNLOAD_MD5_HEADER]?.toLowerCase();
    if (announced && announced !== written.md5) {
      throw new McError('VERIFY', `${item.path}: downloaded bytes have MD5 ${written.md5}, the server's header says ${announced}`);
    }
    const verified = verifyDownload(item.path, written, item.remote);
    return { ok: true, path: item.path, bytes: written.bytes, tempPath: written.tempPath, md5: written.md5, verified };
  } catch (err) {
    await temp.discard();
    return failure(item, toMcError(err, 'LOCAL_IO'));
  }
}

async function readErrors(entry: PaxEntry): Promise<{ id: number; error: string }[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_ERRORS_BYTES) chunks.push(chunk);
  }
  if (size > MAX_ERRORS_BYTES) throw new McError('SERVER', `the bulk download's ${BULK_DOWNLOAD_ERRORS_ENTRY} is larger than ${MAX_ERRORS_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new McError('SERVER', `the bulk download's ${BULK_DOWNLOAD_ERRORS_ENTRY} is not JSON`);
  }
  return parseResponse(BulkDownloadErrorsSchema, value, `the bulk download's ${BULK_DOWNLOAD_ERRORS_ENTRY}`);
}

async function drain(entry: PaxEntry): Promise<void> {
  for await (const _ of entry) {
    // an entry nobody asked for: skipped
  }
}
