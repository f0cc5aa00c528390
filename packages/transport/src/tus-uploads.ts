import type { UploadItem } from '@mcsync/core';
import type { RetryPolicy } from './retry';
import { TusProbe } from './tus-probe';
import { dropStaleSessions, type TusContext } from './tus-upload';

/**
 * Files of at least this size go over tus when the server serves it: below it a multipart request
 * (batched with others) costs less than tus's create + PATCH + confirmation, and above it a single
 * request would be large enough that an interruption wastes much.
 */
export const TUS_THRESHOLD = 64 << 20;

/** Tuning of large uploads (tests and benchmarks; the defaults suit production). */
export interface TusOptions {
  /** Files of at least this many bytes go over tus (default TUS_THRESHOLD). */
  threshold?: number;
  /** Bytes per PATCH instead of `tusChunkSize`. */
  chunkBytes?: number;
  /** How long a stock upload's confirmation polls (default 60 s). */
  confirmTimeoutMs?: number;
  /** Backoff between failed tus attempts. */
  retry?: Partial<RetryPolicy>;
  /** Clock for session ages (ms since the epoch). */
  now?: () => number;
}

/** A remote's tus settings: what every upload runs with (`TusContext`), and the threshold. */
export interface TusUploadsOptions extends TusContext {
  threshold?: number | undefined;
}

/** What goes over tus from a planned upload, and the rest. */
export interface LargeSplit<B> {
  tus: TusContext | null;
  large: UploadItem[];
  rest: B[];
}

/**
 * The tus side of one remote: whether the server serves tus (one `OPTIONS` probe per remote),
 * which files take it, and the context each upload runs with. Stale sessions of earlier runs are
 * dropped once, before the first large upload.
 */
export class TusUploads {
  readonly #context: TusContext;
  readonly #threshold: number;
  readonly #probe: TusProbe;
  #swept = false;

  constructor(opts: TusUploadsOptions) {
    const { threshold, ...context } = opts;
    this.#context = context;
    this.#threshold = Math.max(1, threshold ?? TUS_THRESHOLD);
    this.#probe = new TusProbe(opts.client);
  }

  get threshold(): number {
    return this.#threshold;
  }

  /**
   * Takes the files at or above the threshold out of the planned requests when the server serves
   * tus (and its `Tus-Max-Size` allows them); without tus everything stays as planned (the
   * multipart routes).
   */
  async split<B extends { items: readonly UploadItem[]; bytes: number }>(batches: readonly B[], signal?: AbortSignal): Promise<LargeSplit<B>> {
    const threshold = this.threshold;
    if (!batches.some((b) => b.items.some((i) => i.size >= threshold))) return { tus: null, large: [], rest: [...batches] };
    const support = await this.#probe.get(signal);
    if (!support.available) return { tus: null, large: [], rest: [...batches] };
    const takes = (i: UploadItem) => i.size >= threshold && (support.maxSize === undefined || i.size <= support.maxSize);
    const large: UploadItem[] = [];
    const rest: B[] = [];
    for (const b of batches) {
      const stay = b.items.filter((i) => !takes(i));
      large.push(...b.items.filter(takes));
      if (stay.length === b.items.length) rest.push(b);
      else if (stay.length > 0) rest.push({ ...b, items: stay, bytes: stay.reduce((n, i) => n + i.size, 0) });
    }
    await this.#sweep();
    return { tus: this.#context, large, rest };
  }

  async #sweep(): Promise<void> {
    const { sessions, client, now } = this.#context;
    if (this.#swept || !sessions) return;
    this.#swept = true;
    await dropStaleSessions(client, sessions, (now ?? Date.now)());
  }
}
