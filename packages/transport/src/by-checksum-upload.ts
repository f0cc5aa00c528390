import { foldPath, fromRemotePath, toMcError, type UploadItem } from '@mcsync/core';
import type { BulkResultEntry, ManifestEntry } from '@mcsync/protocol';
import { serverPath } from './endpoints/files';
import { postByChecksum } from './endpoints/sync-api';
import type { HttpClient } from './http-client';
import { conflictError } from './http-errors';
import type { ProgressReporter } from './progress';
import { assertUnchanged } from './read-local-file';
import type { UploadSink } from './transfer-schedule';
import { failure } from './transfer-schedule';
import { verifyUploadRow } from './verify-upload';

/** Entries per by-checksum request: a JSON body of ~150 KB. */
export const BY_CHECKSUM_BATCH = 1000;

export interface ChecksumUploadContext {
  client: HttpClient;
  projectId: number;
  /** Send `if_current_id` (the server lists `preconditions`). */
  preconditions?: boolean;
}

/**
 * "Instant upload" of files whose MD5 the plan knows (sync-api.md `by-checksum`): the server
 * creates the versions from content it already holds. `created`/`unchanged` rows are verified and
 * done; `conflict` fails with CONFLICT; everything else (`need_bytes`, `failed`, a row that does
 * not match, a request that failed) is handed off to the byte upload, which settles it for good.
 * A file whose stat moved since the plan fails with CHANGED before the server is asked: its MD5
 * can no longer be vouched for.
 */
export async function runChecksumBatch(
  ctx: ChecksumUploadContext,
  items: readonly UploadItem[],
  sink: UploadSink,
  signal: AbortSignal,
  progress: ProgressReporter,
): Promise<void> {
  const asked: UploadItem[] = [];
  for (const item of items) {
    if (signal.aborted) return;
    try {
      await assertUnchanged(item);
      asked.push(item);
    } catch (err) {
      sink.done(item, failure(item, toMcError(err, 'LOCAL_IO')));
    }
  }
  if (asked.length === 0) return;

  const files: ManifestEntry[] = asked.map((item) => manifestEntry(item, item.md5!, ctx.preconditions === true));
  let answers: BulkResultEntry[];
  try {
    answers = await postByChecksum(ctx.client, ctx.projectId, files, { signal });
  } catch {
    if (signal.aborted) return;
    for (const item of asked) sink.handOff(item);
    return;
  }
  if (answers.length !== asked.length) {
    for (const item of asked) sink.handOff(item);
    return;
  }

  asked.forEach((item, i) => {
    const answer = answers[i]!;
    if (!samePath(answer.path, item.path)) return sink.handOff(item);
    const outcome = { md5: item.md5!, bytes: item.size };
    const verdict = answer.file ? verifyUploadRow(item, outcome, [answer.file]) : null;
    if (answer.status === 'conflict') {
      // The current version already holds exactly these bytes (e.g. an earlier attempt that lost its answer): done.
      if (verdict?.ok && verdict.result.ok && verdict.result.verified === 'md5') return finish(item, verdict.result);
      return sink.done(item, failure(item, conflictError(item.path)));
    }
    if ((answer.status === 'created' || answer.status === 'unchanged') && verdict?.ok && verdict.result.ok && verdict.result.verified === 'md5') {
      return finish(item, verdict.result);
    }
    sink.handOff(item);
  });

  function finish(item: UploadItem, result: Parameters<UploadSink['done']>[1]) {
    progress.start(item.path, item.size);
    sink.done(item, result.ok ? { ...result, sent: 0 } : result);
  }
}

/** One manifest (or by-checksum) entry; `if_current_id` only when the server takes preconditions. */
export function manifestEntry(item: UploadItem, md5: string, preconditions: boolean): ManifestEntry {
  const entry: ManifestEntry = { path: serverPath(item.path), size: item.size, md5 };
  if (preconditions && item.ifCurrentId !== undefined) entry.if_current_id = item.ifCurrentId;
  return entry;
}

/** Does a result entry's path name the item (the server may answer its own spelling, §5.7)? */
export function samePath(answered: string, path: string): boolean {
  try {
    return foldPath(fromRemotePath(answered)) === foldPath(path);
  } catch {
    return false;
  }
}
