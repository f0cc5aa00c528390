import type { UploadItem, UploadResult } from '@mcsync/core';
import type { ProgressReporter } from './progress';
import { scheduleUploads, type UploadSink } from './transfer-schedule';
import { type TusContext, tusUpload } from './tus-upload';

/**
 * Large uploads in flight at once. Each streams from disk with one read buffer, but its bytes on
 * the wire and its server-side work are large: four keep a link busy while the other slots serve
 * small files.
 */
export const MAX_CONCURRENT_LARGE_UPLOADS = 4;

/**
 * The order tasks start in when large and small uploads share one scheduler: a large task whenever
 * fewer than `cap` run (they take longest, so they start first), otherwise a small one; when only
 * large tasks remain, the next waits for a large one to end. The scheduler pulls the next task when
 * a slot frees, so small files keep every slot large uploads do not hold, and large ones never
 * exceed the cap. `ended` must be called when a large task's run ends.
 */
export class LargeFirstOrder<T> implements AsyncIterable<T> {
  readonly #large: T[];
  readonly #small: T[];
  readonly #cap: number;
  #running = 0;
  #wake: (() => void) | undefined;

  constructor(large: readonly T[], small: readonly T[], cap = MAX_CONCURRENT_LARGE_UPLOADS) {
    this.#large = [...large];
    this.#small = [...small];
    this.#cap = Math.max(1, cap);
  }

  ended(): void {
    this.#running--;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.#large.length > 0 && this.#running < this.#cap) {
        this.#running++;
        yield this.#large.shift()!;
      } else if (this.#small.length > 0) {
        yield this.#small.shift()!;
      } else if (this.#large.length > 0) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
      } else {
        return;
      }
    }
  }
}

interface TusTask {
  route: 'tus';
  items: [UploadItem];
}

/**
 * Runs the small-file tasks of an upload strategy and the large files that go over tus in one
 * scheduler (one connection budget), large ones first and at most MAX_CONCURRENT_LARGE_UPLOADS of
 * them at a time (see `LargeFirstOrder`). Same contract as `scheduleUploads`.
 */
export function scheduleWithLarge<T extends { items: readonly UploadItem[] }>(
  tus: TusContext | null,
  large: readonly UploadItem[],
  tasks: readonly T[],
  run: (task: T, sink: UploadSink, signal: AbortSignal) => Promise<void>,
  opts: { concurrency: number; signal?: AbortSignal | undefined; progress: ProgressReporter },
): AsyncIterableIterator<UploadResult> {
  if (!tus || large.length === 0) return scheduleUploads<T>(tasks, run, opts);
  const tusTasks: TusTask[] = large.map((item) => ({ route: 'tus', items: [item] }));
  const order = new LargeFirstOrder<T | TusTask>(tusTasks, tasks);
  const tusSet = new Set<unknown>(tusTasks);
  const isTus = (task: T | TusTask): task is TusTask => tusSet.has(task);
  return scheduleUploads<T | TusTask>(
    [...tusTasks, ...tasks],
    async (task, sink, signal) => {
      if (!isTus(task)) return run(task, sink, signal);
      try {
        const item = task.items[0];
        sink.done(item, await tusUpload(tus, item, signal, opts.progress));
      } finally {
        order.ended();
      }
    },
    { ...opts, order },
  );
}
