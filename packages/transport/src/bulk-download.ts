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
/** Entries up to this size are received whole and written in the background. */
const BUFFERED_ENTRY_BYTES = 1 << 20;
/** Temp files written at once per bulk download. */
const BACKGROUND_WRITES = 8;
/** `errors.json` lists ids and short reasons; anything bigger is not one. */
const MAX_ERRORS_BYTES = 4 << 20;
/**
 * Tar bytes an entry may take besides its content: a header block, a pax header of a few records,
 * padding to 512 bytes. The whole answer may be the files' sizes plus this much per entry and an
 * `errors.json`: a server that sends more (an endless stream, entries nobody asked for, a huge pax
 * header) is cut off there instead of filling memory or disk.
 */
const ENTRY_OVERHEAD_BYTES = 8 << 10;

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
  const folders = new Map<string, Promise<void>>(); // folder → its creation

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
  const budget = items.reduce((n, i) => n + i.remote.size, 0) + (items.length + 1) * ENTRY_OVERHEAD_BYTES + MAX_ERRORS_BYTES;
  let received = 0;
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received <= budget) return;
    body.unpipe(tar);
    body.destroy();
    tar.destroy(new McError('SERVER', `the bulk download answer is larger than the ${budget} bytes asked for; it was cut off`, { hint: 'the server sent more than the files it lists' }));
  });
  body.pipe(tar);
  const writer = new EntryWriter(folders, progress);
  const settle = (item: DownloadItem, result: DownloadResult) => {
    if (!result.ok && result.error.code === 'VERIFY') again.set(item, result.error);
    else sink.done(item, result);
  };
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
      if ((entry.header.size ?? 0) !== item.remote.size) {
        waiting.delete(item.remote.id);
        settle(item, failure(item, new McError('VERIFY', `${item.path}: the server sent ${entry.header.size ?? 0} bytes, it lists ${item.remote.size}`)));
        await drain(entry);
        continue;
      }
      const announced = entry.header.pax?.[BULK_DOWNLOAD_MD5_HEADER]?.toLowerCase() ?? null;
      progress.start(item.path, item.remote.size);
      if ((entry.header.size ?? 0) <= BUFFERED_ENTRY_BYTES) {
        // Small entries are taken whole (a broken stream throws here, and the item stays waiting),
        // then written while the next ones arrive.
        const chunks = await collect(entry);
        waiting.delete(item.remote.id);
        await writer.background(item, chunks, announced, signal, settle);
      } else {
        const result = await writer.write(item, entry, announced, signal); // throws only when the stream broke
        waiting.delete(item.remote.id);
        settle(item, result);
      }
    }
  } catch (err) {
    broken = signal.aborted ? abortedError(err) : ctx.client.bodyError(err, request);
  } finally {
    body.destroy();
    await writer.idle();
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
 * Writes tar entries to verified temp files beside their targets. A tar stream is sequential, and
 * creating a file costs far more than receiving 4 KiB: small entries are therefore written in the
 * background, up to `BACKGROUND_WRITES` at once (a bounded set of promises rather than the
 * scheduler, because each write starts only once the stream has delivered its bytes).
 */
class EntryWriter {
  readonly #folders: Map<string, Promise<void>>;
  readonly #progress: ProgressReporter;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(folders: Map<string, Promise<void>>, progress: ProgressReporter) {
    this.#folders = folders;
    this.#progress = progress;
  }

  /** Starts writing a received entry, once fewer than `BACKGROUND_WRITES` are in flight; `settle` gets its result. */
  async background(item: DownloadItem, chunks: Buffer[], announced: string | null, signal: AbortSignal, settle: (item: DownloadItem, r: DownloadResult) => void): Promise<void> {
    while (this.#inFlight.size >= BACKGROUND_WRITES) await Promise.race(this.#inFlight);
    const task = this.write(item, chunks, announced, signal).then((r) => settle(item, r));
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  /** Resolves when every background write has settled. */
  async idle(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  /**
   * One entry to a temp file, checked against the `MC.md5` header and the size and MD5 the item
   * expects. Local failures and mismatches come back as a failed result, and the temp file is
   * removed; so is a verified one when the transfer was aborted meanwhile (nobody will take it).
   * A streamed entry is always read to its end (leaving it early would end the whole tar stream);
   * this throws only when the stream itself broke.
   */
  async write(item: DownloadItem, source: Iterable<Buffer> | AsyncIterable<Buffer>, announced: string | null, signal: AbortSignal): Promise<DownloadResult> {
    const folder = dirname(item.localPath);
    let temp: TempFile | undefined;
    let error: McError | undefined;
    try {
      let made = this.#folders.get(folder);
      if (!made) this.#folders.set(folder, (made = ensureFolder(folder)));
      await made;
      temp = await TempFile.create(folder);
    } catch (err) {
      error = toMcError(err, 'LOCAL_IO');
    }
    try {
      for await (const chunk of source) {
        if (!temp || error) continue;
        try {
          await temp.write(chunk);
          this.#progress.bytes(item.path, temp.bytes, item.remote.size);
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
      if (announced && announced !== written.md5) {
        throw new McError('VERIFY', `${item.path}: downloaded bytes have MD5 ${written.md5}, the server's header says ${announced}`);
      }
      const verified = verifyDownload(item.path, written, item.remote);
      if (signal.aborted) throw abortedError();
      return { ok: true, path: item.path, bytes: written.bytes, tempPath: written.tempPath, md5: written.md5, verified };
    } catch (err) {
      await temp.discard();
      return failure(item, toMcError(err, 'LOCAL_IO'));
    }
  }
}

async function collect(entry: PaxEntry): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks;
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
