import { describe, expect, it } from 'vitest';
import { formatSince, formatTimestamp, parseTimestamp } from './time';

describe('timestamps', () => {
  const d = new Date(Date.UTC(2025, 9, 16, 18, 0, 5, 123));
  it('formats like production: whole seconds, six zero fractional digits', () => {
    expect(formatTimestamp(d)).toBe('2025-10-16T18:00:05.000000Z');
  });
  it('formats since without T or zone', () => {
    expect(formatSince(d)).toBe('2025-10-16 18:00:05');
  });
  it('parses 0 to 6 fractional digits', () => {
    expect(parseTimestamp('2025-10-16T18:00:05.000000Z')).toBe(Date.UTC(2025, 9, 16, 18, 0, 5));
    expect(parseTimestamp('2025-10-16T18:00:05Z')).toBe(Date.UTC(2025, 9, 16, 18, 0, 5));
    expect(Number.isNaN(parseTimestamp('yesterday'))).toBe(true);
  });
});
