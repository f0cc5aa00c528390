import { baseName, McError, md5File, toMcError, type UploadItem } from '@mcsync/core';
import type { BulkResultEntry } from '@mcsync/protocol';
import { manifestEntry, samePath } from './by-checksum-upload';
import { postBulkUpload } from './endpoints/sync-api';
import type { HttpClient } from './http-client';
import { abortedError, conflictError } from './http-errors';
import { isMultipartSafeName, type MultipartPart, multipartBody } from './multipart-body';
import type { ProgressReporter } from './progress';
import { assertUnchanged, emptyOutcome, type ReadOutcome, readForUpload, readWhole } from './read-local-file';
import type { BatchLimits } from './upload-batches';
import { failure, type UploadSink } from './transfer-schedule';
import { verifyUploadRow } from './verify-upload';

/**
 * Bytes per bulk request, whatever the server allows: big enough that per-request costs vanish
 * for small files, small enough that a broken request costs little to send again.
 */
export const BULK_UPLOAD_BYTE_CAP = 8 << 20;
/**
 * Files of a bulk request are read once (hashed for the manifest and sent from memory) while the
 * process holds less than HELD_BYTES_TOTAL of them; past that, a file is hashed first and read
 * again as it is sent. Reading once matters: on the real tree, files of 256 KiB–8 MiB are a
 * third of the bytes, and reading and hashing them twice costs client CPU, the bottleneck there.
 */
const HELD_BYTES_PER_REQUEST = BULK_UPLOAD_BYTE_CAP;
export const HELD_BYTES_TOTAL = 64 << 20;

/** Bytes held in memory by bulk requests in flight, across the process, so memory stays bounded however many run. */
class HeldBytes {
  private used = 0;
  constructor(private readonly limit: number) {}
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used -= bytes;
  }
}
const heldBytes = new HeldBytes(HELD_BYTES_TOTAL);
/** Files per bulk request when the server does not say. */
export const BULK_UPLOAD_DEFAULT_FILES = 100;

/** Files for one bulk-upload request, any directories. */
export interface BulkBatch {
  items: UploadItem[];
  bytes: number;
}

export interface BulkUploadContext {
  client: HttpClient;
  projectId: number;
  /** Send `if_current_id` in the manifest (the server lists `preconditions`). */
  preconditions?: boolean;
}

/** Fills requests in item order up to `maxFiles` files and `maxBytes` bytes (larger files belong elsewhere). */
export function planBulkBatches(items: readonly UploadItem[], limits: BatchLimits): BulkBatch[] {
  const batches: BulkBatch[] = [];
  let open: BulkBatch | undefined;
  for (const item of items) {
    if (!open || open.items.length >= limits.maxFiles || open.bytes + item.size > limits.maxBytes) {
      open = { items: [], bytes: 0 };
      batches.push(open);
    }
    open.items.push(item);
    open.bytes += item.size;
  }
  return batches;
}

/** A file of a bulk request with the MD5 its manifest entry announces, and its bytes when they are held. */
interface Part {
  item: UploadItem;
  md5: string;
  data?: Buffer;
}

/**
 * One bulk-upload request (sync-api.md): files whose MD5 is unknown are hashed first (the
 * manifest needs it up front), then `manifest` and one `file` part per entry are streamed, each
 * file re-read, hashed and re-stat'ed as it is sent (`readLocalFile`): a file that changed since
 * it was hashed breaks the body, so the server stores nothing of it, fails with CHANGED, and the
 * others go again without it. Each result entry is verified like a single upload's row;
 * mismatches and unexplained `failed` entries are sent once more. A refused or failed request of
 * several files is split in halves, so one bad file does not fail the rest.
 */
export async function runBulkBatch(
  ctx: BulkUploadContext,
  batch: BulkBatch,
  sink: Pick<UploadSink, 'done'>,
  signal: AbortSignal,
  progress: ProgressReporter,
): Promise<void> {
  const parts: Part[] = [];
  let held = 0;
  try {
    for (const item of batch.items) {
      if (signal.aborted) break;
      try {
        if (held + item.size <= HELD_BYTES_PER_REQUEST && heldBytes.take(item.size)) {
          held += item.size;
          // Read once: hashed now, sent from memory, re-stat'ed as its part is sent.
          const { data, md5 } = await readWhole(item);
          parts.push({ item, md5, data });
        } else {
          parts.push({ item, md5: item.md5 ?? (await hashUnchanged(item, signal)) });
        }
      } catch (err) {
        sink.done(item, failure(item, signal.aborted ? abortedError(err) : toMcError(err, 'LOCAL_IO')));
      }
    }
    await send(ctx, parts, sink, signal, progress, 1);
  } finally {
    heldBytes.give(held);
  }
}

/** The MD5 of a file that still has its planned identity before and after the read. */
async function hashUnchanged(item: UploadItem, signal: AbortSignal): Promise<string> {
  await assertUnchanged(item);
  const md5 = await md5File(item.localPath, signal);
  await assertUnchanged(item);
  return md5;
}

/**
 * A part's bytes: a held buffer (then the file is re-stat'ed before the part ends, so a file
 * that changed since it was read breaks the request) or the file read again, hashed and checked
 * against the manifest's MD5 (`readLocalFile`).
 */
async function* partContent(p: Part, outcome: ReadOutcome, progress: ProgressReporter, onBreak: () => void): AsyncGenerator<Buffer> {
  if (!p.data) {
    yield* readForUpload({ ...p.item, md5: p.md5 }, outcome, progress, onBreak);
    return;
  }
  progress.start(p.item.path, p.item.size);
  yield p.data;
  try {
    await assertUnchanged(p.item);
  } catch (err) {
    onBreak();
    throw err;
  }
  outcome.md5 = p.md5;
  outcome.bytes = p.data.length;
}

async function send(
  ctx: BulkUploadContext,
  parts: Part[],
  sink: Pick<UploadSink, 'done'>,
  signal: AbortSignal,
  progress: ProgressReporter,
  retriesLeft: number,
): Promise<void> {
  const fail = (p: Part, err: unknown) => sink.done(p.item, failure(p.item, err));
  if (parts.length === 0) return;
  if (signal.aborted) {
    for (const p of parts) fail(p, abortedError());
    return;
  }

  const manifest = JSON.stringify(parts.map((p) => manifestEntry(p.item, p.md5, ctx.preconditions === true)));
  let outcomes: ReadOutcome[] = [];
  let brokenBy = -1;
  const body = () => {
    outcomes = parts.map(() => emptyOutcome());
    brokenBy = -1;
    const multipart: MultipartPart[] = [{ fieldName: 'manifest', value: manifest, contentType: 'application/json' }];
    parts.forEach((p, i) => {
      const name = baseName(p.item.path);
      multipart.push({
        fieldName: 'file',
        // The manifest says where each part goes; the filename is only a label for logs.
        filename: isMultipartSafeName(name) ? name : 'file',
        size: p.item.size,
        content: () => partContent(p, outcomes[i]!, progress, () => (brokenBy = i)),
      });
    });
    return multipartBody(multipart);
  };

  let answers: BulkResultEntry[];
  try {
    answers = await postBulkUpload(ctx.client, ctx.projectId, body, { signal });
  } catch (err) {
    const error = toMcError(err);
    if (brokenBy >= 0 && (error.code === 'CHANGED' || error.code === 'LOCAL_IO')) {
      const [broken] = parts.splice(brokenBy, 1);
      fail(broken!, error);
      await send(ctx, parts, sink, signal, progress, retriesLeft);
      return;
    }
    const splittable = (error.code === 'REJECTED' && error.status !== 429) || error.code === 'SERVER';
    if (splittable && parts.length > 1) {
      const half = Math.ceil(parts.length / 2);
      await send(ctx, parts.slice(0, half), sink, signal, progress, retriesLeft);
      await send(ctx, parts.slice(half), sink, signal, progress, retriesLeft);
      return;
    }
    for (const p of parts) fail(p, error);
    return;
  }

  const again: Part[] = [];
  const retry = (p: Part, error: McError) => {
    if (retriesLeft > 0) again.push(p);
    else fail(p, error);
  };
  if (answers.length !== parts.length) {
    for (const p of parts) retry(p, new McError('SERVER', `${p.item.path}: the bulk upload answered ${answers.length} results for ${parts.length} files`));
  } else {
    for (const [i, p] of parts.entries()) {
      const answer = answers[i]!;
      if (!samePath(answer.path, p.item.path)) {
        retry(p, new McError('SERVER', `${p.item.path}: result ${i} of the bulk upload names ${JSON.stringify(answer.path)}`));
        continue;
      }
      const verdict = verifyUploadRow(p.item, outcomes[i]!, answer.file ? [answer.file] : []);
      if (answer.status === 'created' || answer.status === 'unchanged') {
        if (verdict.ok) sink.done(p.item, verdict.result);
        else if (verdict.retry) retry(p, verdict.error);
        else fail(p, verdict.error);
      } else if (answer.status === 'conflict') {
        // The current version already holds exactly these bytes (an earlier attempt whose answer was lost): done.
        if (verdict.ok && verdict.result.ok && verdict.result.verified === 'md5') sink.done(p.item, verdict.result);
        else fail(p, conflictError(p.item.path));
      } else if (answer.status === 'failed') {
        const changed = await assertUnchanged(p.item).then(
          () => null,
          (err: unknown) => toMcError(err, 'LOCAL_IO'),
        );
        if (changed) fail(p, changed);
        else retry(p, new McError('REJECTED', `${p.item.path}: ${answer.error ?? 'the server did not store it'}`));
      } else {
        retry(p, new McError('SERVER', `${p.item.path}: the bulk upload answered "${answer.status}"`));
      }
    }
  }
  await send(ctx, again, sink, signal, progress, retriesLeft - 1);
}
