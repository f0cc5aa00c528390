import { McError, type ProjectPath, toMcError, type UploadItem, type UploadResult } from '@mcsync/core';
import { abortedError } from './http-errors';
import type { ProgressReporter } from './progress';
import { schedule } from './scheduler';

/** The failure shape shared by upload and download results. */
export interface TransferFailure {
  ok: false;
  path: ProjectPath;
  error: McError;
}
type TransferResult = { ok: true; path: ProjectPath; bytes: number } | TransferFailure;

/** Where a transfer task puts its outcome for each of its items. */
export interface TransferSink<I, R> {
  /** The item's one result (later results for the same item are dropped). */
  done(item: I, result: R): void;
  /** The item is not finished here: a later phase takes it on (by-checksum → bytes). */
  handOff(item: I): void;
}
export type UploadSink = TransferSink<UploadItem, UploadResult>;

export interface ScheduleTransfersOptions<T = unknown> {
  concurrency: number;
  /** The order tasks start in, decided as slots free up (default: `tasks` as given); yields each task once. */
  order?: AsyncIterable<T> | undefined;
  signal?: AbortSignal | undefined;
  progress: ProgressReporter;
}

/**
 * Runs transfer tasks (a request, or a few, each covering some items) with bounded concurrency,
 * and streams one result per item as tasks complete: 'done'/'fail' progress events go out with
 * each result, an error a task did not handle fails that task's unfinished items, and after an
 * abort every item without a result (and not handed off) comes back ABORTED.
 */
export function scheduleTransfers<I extends { path: ProjectPath }, R extends TransferResult, T extends { items: readonly I[] }>(
  tasks: readonly T[],
  run: (task: T, sink: TransferSink<I, R>, signal: AbortSignal) => Promise<void>,
  opts: ScheduleTransfersOptions<T>,
): AsyncIterableIterator<R> {
  const pending = new Set<I>(tasks.flatMap((t) => t.items));
  const sinkFor = (emit: (r: R) => void): TransferSink<I, R> => ({
    done: (item, result) => {
      if (!pending.delete(item)) return;
      if (result.ok) opts.progress.done(item.path, result.bytes);
      else opts.progress.fail(item.path, result.error);
      emit(result);
    },
    handOff: (item) => {
      pending.delete(item);
    },
  });
  return schedule<T, R>(opts.order ?? tasks, (task, emit, signal) => run(task, sinkFor(emit), signal), {
    concurrency: opts.concurrency,
    signal: opts.signal,
    onWorkerError: (task, err, emit) => {
      const sink = sinkFor(emit);
      for (const item of task.items) sink.done(item, failure(item, err) as R);
    },
    finish: () => [...pending].map((item) => failure(item, abortedError()) as R),
  });
}

export function failure(item: { path: ProjectPath }, error: unknown): TransferFailure {
  return { ok: false, path: item.path, error: error instanceof McError ? error : toMcError(error) };
}

/** `scheduleTransfers` for uploads. */
export function scheduleUploads<T extends { items: readonly UploadItem[] }>(
  tasks: readonly T[],
  run: (task: T, sink: UploadSink, signal: AbortSignal) => Promise<void>,
  opts: ScheduleTransfersOptions<T>,
): AsyncIterableIterator<UploadResult> {
  return scheduleTransfers<UploadItem, UploadResult, T>(tasks, run, opts);
}
