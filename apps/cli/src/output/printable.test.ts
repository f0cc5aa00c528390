import { describe, expect, it } from 'vitest';
import { printable } from './printable';

describe('printable', () => {
  it.each([
    ['plain name.txt', 'plain name.txt'],
    ['café/naïve ✓.cif', 'café/naïve ✓.cif'],
    ['evil\nskipped fake.txt', 'evil\\nskipped fake.txt'],
    ['a\rb\tc', 'a\\rb\\tc'],
    ['\u001b[2J\u001b[31mred', '\\u{1b}[2J\\u{1b}[31mred'],
    ['bell\u0007 del\u007f c1\u009b', 'bell\\u{7} del\\u{7f} c1\\u{9b}'],
    ['invoice\u202efdp.exe', 'invoice\\u{202e}fdp.exe'],
    ['iso\u2066late\u2069', 'iso\\u{2066}late\\u{2069}'],
  ])('%j → %j', (input, shown) => {
    expect(printable(input)).toBe(shown);
    expect(printable(input)).not.toMatch(/[\n\r\u001b]/);
  });
});
