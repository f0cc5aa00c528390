import { describe, expect, it } from 'vitest';
import { formatBytes } from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [150 * 1024 * 1024, '150 MiB'],
    [22.058823529411764, '22 B'], // a rate in bytes per second
  ])('%d → %s', (n, text) => expect(formatBytes(n)).toBe(text));
});
