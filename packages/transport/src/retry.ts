import { setTimeout as sleep } from 'node:timers/promises';

/** When and how long to wait before sending a request again. */
export interface RetryPolicy {
  /** Retries after the first attempt (so `retries + 1` requests at most). */
  retries: number;
  /** First backoff ceiling; doubles per attempt (full jitter picks a delay in [0, ceiling]). */
  baseDelayMs: number;
  /** Largest backoff ceiling. */
  maxDelayMs: number;
  /** Wait when a 429 carries no usable `Retry-After` (mc-api.md §1.9: 60 s). */
  retryAfterFallbackMs: number;
  /** Upper bound on any wait a server asks for with `Retry-After`. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  retryAfterFallbackMs: 60_000,
  maxRetryAfterMs: 120_000,
};

/** Exponential backoff with full jitter: uniform in [0, min(max, base · 2^attempt)]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date; the fallback when missing or
 * unreadable; never more than `maxRetryAfterMs`.
 */
export function retryAfterDelay(header: string | string[] | undefined, policy: RetryPolicy, now = Date.now()): number {
  const value = Array.isArray(header) ? header[0] : header;
  let ms = policy.retryAfterFallbackMs;
  if (value !== undefined && value.trim() !== '') {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
    else {
      const date = Date.parse(text);
      if (!Number.isNaN(date)) ms = Math.max(0, date - now);
    }
  }
  return Math.min(ms, policy.maxRetryAfterMs);
}

/** Waits `ms`, rejecting early when the signal aborts. */
export async function waitFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  await sleep(ms, undefined, signal ? { signal } : undefined);
}
