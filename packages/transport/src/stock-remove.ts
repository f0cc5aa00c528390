import { McError, type RemoveItem, type RemoveResult, type TransferOptions, toMcError } from '@mcsync/core';
import type { DirectoryIndex } from './directory-index';
import { deleteDirectory, deleteFile } from './endpoints/delete';
import { listDirectory } from './endpoints/directories';
import { fileByPath } from './endpoints/files';
import type { HttpClient } from './http-client';
import { abortedError, conflictError } from './http-errors';
import { schedule } from './scheduler';

export interface StockRemoveContext {
  client: HttpClient;
  projectId: number;
  dirs: DirectoryIndex;
  concurrency: number;
  /**
   * The server takes `if_current_id` on deletes (sync-api.md `preconditions`): it refuses a file
   * whose current version moved on, so the by-path re-read before each delete is not needed.
   */
  preconditions?: boolean;
}

/**
 * Deletes on production's API (§5.8): files first (their current id, Q3), then folders deepest
 * first. Production deletes a folder row alone and leaves its children live but unreachable, so
 * a folder is listed right before its delete and refused with CONFLICT if anything is still in it.
 * A file is re-read by path before its delete unless the server takes `preconditions`.
 */
export function stockRemove(ctx: StockRemoveContext, items: readonly RemoveItem[], opts: TransferOptions = {}): AsyncIterable<RemoveResult> {
  const files = items.filter((i) => i.remote.kind === 'file');
  const levels = new Map<number, RemoveItem[]>();
  for (const i of items) {
    if (i.remote.kind !== 'directory' || i.path === '') continue;
    const depth = i.path.split('/').length;
    levels.set(depth, [...(levels.get(depth) ?? []), i]);
  }
  const phases = [files, ...[...levels.entries()].sort((a, b) => b[0] - a[0]).map(([, level]) => level)];
  const concurrency = opts.concurrency ?? ctx.concurrency;

  return (async function* () {
    const pending = new Set<RemoveItem>(items.filter((i) => i.path !== ''));
    for (const phase of phases) {
      if (opts.signal?.aborted) break;
      yield* schedule<RemoveItem, RemoveResult>(
        phase,
        async (item, emit, signal) => {
          pending.delete(item);
          emit(await removeOne(ctx, item, signal));
        },
        { concurrency, signal: opts.signal, onWorkerError: (item, err, emit) => emit({ ok: false, path: item.path, error: toMcError(err) }) },
      );
    }
    for (const item of pending) yield { ok: false as const, path: item.path, error: abortedError() };
  })();
}

async function removeOne(ctx: StockRemoveContext, item: RemoveItem, signal: AbortSignal): Promise<RemoveResult> {
  try {
    if (item.remote.kind === 'file') {
      if (!ctx.preconditions) {
        // Production has no precondition (§5.10): re-read the current row right before deleting.
        const current = await fileByPath(ctx.client, ctx.projectId, item.path, { signal });
        if (current.id !== item.remote.id) {
          return { ok: false, path: item.path, error: new McError('CONFLICT', `${item.path} has a newer version on the server; it was kept`) };
        }
      }
      await deleteFile(ctx.client, ctx.projectId, item.remote.id, { signal, ifCurrentId: item.remote.id });
      return { ok: true, path: item.path };
    }
    const left = await listDirectory(ctx.client, ctx.projectId, item.remote.id, { signal });
    if (left.length > 0) {
      return {
        ok: false,
        path: item.path,
        error: new McError('CONFLICT', `folder ${item.path} still holds ${left.length} entries on the server; it was kept`, {
          hint: 'someone added to it meanwhile: run mc status to see what',
        }),
      };
    }
    await deleteDirectory(ctx.client, ctx.projectId, item.remote.id, { signal });
    ctx.dirs.forget(item.path);
    return { ok: true, path: item.path };
  } catch (err) {
    const error = signal.aborted ? abortedError(err) : toMcError(err);
    if (error.status === 409) return { ok: false, path: item.path, error: conflictError(item.path, err) };
    if (error.code === 'NOT_FOUND' && item.remote.kind === 'file') return { ok: true, path: item.path }; // already gone
    return { ok: false, path: item.path, error };
  }
}
