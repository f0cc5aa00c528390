import { setMaxListeners } from 'node:events';
import pMap, { pMapStop } from 'p-map';
import { ResultQueue } from './result-queue';

/** Requests in flight per transfer by default (stack-notes §5: 16 saturates loopback). */
export const DEFAULT_CONCURRENCY = 16;

export interface ScheduleOptions<T, R> {
  concurrency: number;
  signal?: AbortSignal | undefined;
  /** Turns an error a worker did not handle into results for its task. */
  onWorkerError: (task: T, err: unknown, emit: (result: R) => void) => void;
  /** Results to yield after the last worker finished (e.g. ABORTED for items never attempted). */
  finish?: () => Iterable<R>;
}

/**
 * Runs `worker` over `tasks` with at most `concurrency` in flight. Workers emit results as they
 * complete, and the returned iterable yields them in that order. After an abort (the caller's
 * signal, or the consumer leaving its loop) no new task starts; workers in flight see the signal,
 * and the iterable ends once they have returned, so their clean-up is done when it ends. `tasks`
 * may be an async iterable that decides the next task when a slot frees (see `LargeFirstOrder`);
 * after an abort it is not pulled again.
 */
export function schedule<T, R>(
  tasks: Iterable<T> | AsyncIterable<T>,
  worker: (task: T, emit: (result: R) => void, signal: AbortSignal) => Promise<void>,
  opts: ScheduleOptions<T, R>,
): AsyncIterableIterator<R> {
  const { controller, dispose } = linkedController(opts.signal);
  const queue = new ResultQueue<R>(() => controller.abort());

  // No `signal` for p-map itself: it would settle before the workers in flight have cleaned up.
  void pMap(
    tasks,
    async (task) => {
      if (controller.signal.aborted) return pMapStop;
      try {
        await worker(task, queue.push, controller.signal);
      } catch (err) {
        try {
          opts.onWorkerError(task, err, queue.push);
        } catch {
          // a broken error handler must not stall the queue; `finish` still accounts for the items
        }
      }
    },
    { concurrency: Math.max(1, opts.concurrency) },
  ).finally(() => {
    dispose();
    for (const r of opts.finish?.() ?? []) queue.push(r);
    queue.end();
  });
  return queue;
}

/**
 * Bounded parallel map for request fan-out (directory listings): rejects on the first error and
 * then aborts the requests still in flight.
 */
export async function mapBounded<T, R>(
  items: Iterable<T>,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
  opts: { concurrency: number; signal?: AbortSignal | undefined },
): Promise<R[]> {
  const { controller, dispose } = linkedController(opts.signal);
  try {
    return await pMap(items, (item) => fn(item, controller.signal), { concurrency: Math.max(1, opts.concurrency), signal: controller.signal });
  } catch (err) {
    controller.abort(err);
    throw err;
  } finally {
    dispose();
  }
}

/**
 * An AbortController that follows `parent`. Every request in flight listens on its signal, so the
 * listener limit is lifted (Node warns above 10).
 */
function linkedController(parent: AbortSignal | undefined): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const abort = () => controller.abort(parent?.reason);
  if (parent?.aborted) abort();
  else parent?.addEventListener('abort', abort, { once: true });
  return { controller, dispose: () => parent?.removeEventListener('abort', abort) };
}
