import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelay, retryAfterDelay } from './retry';

const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000, retryAfterFallbackMs: 60_000, maxRetryAfterMs: 90_000 };

describe('backoffDelay', () => {
  it('picks a delay in [0, base · 2^attempt] (full jitter)', () => {
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
  it('never exceeds maxDelayMs', () => {
    expect(backoffDelay(20, policy, () => 0.999)).toBeLessThan(1_000);
  });
});

describe('retryAfterDelay', () => {
  it('reads delta seconds', () => expect(retryAfterDelay('7', policy)).toBe(7_000));
  it('reads an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterDelay('Thu, 01 Jan 2026 00:00:30 GMT', policy, now)).toBe(30_000);
  });
  it('falls back to 60 s when missing or unreadable', () => {
    expect(retryAfterDelay(undefined, policy)).toBe(60_000);
    expect(retryAfterDelay('soon', policy)).toBe(60_000);
  });
  it('caps what the server asks for', () => expect(retryAfterDelay('3600', policy)).toBe(90_000));
});
