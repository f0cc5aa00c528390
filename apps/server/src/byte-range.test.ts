import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';

describe('parseByteRange (file of 100 bytes)', () => {
  it.each([
    ['bytes=0-', { start: 0, end: 99 }],
    ['bytes=40-', { start: 40, end: 99 }],
    ['bytes=10-19', { start: 10, end: 19 }],
    ['bytes=90-500', { start: 90, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
  ] as const)('%s → %j', (header, range) => {
    expect(parseByteRange(header, 100)).toEqual(range);
  });

  it.each([undefined, '', 'bytes=1-2,5-6', 'items=0-1', 'bytes=20-10', 'bytes=-'])('serves the whole file for %j', (header) => {
    expect(parseByteRange(header, 100)).toBeNull();
  });

  it('is unsatisfiable from the end on, and for an empty suffix', () => {
    expect(parseByteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-0', 100)).toBe('unsatisfiable');
  });

  it('ignores ranges on an empty file', () => {
    expect(parseByteRange('bytes=0-', 0)).toBeNull();
  });
});
