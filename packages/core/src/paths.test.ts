import { describe, expect, it } from 'vitest';
import { isUnder, underAny } from './paths';

describe('underAny', () => {
  const prefixes = ['md/link', 'a/b', 'top'];
  const test = underAny(prefixes);
  it.each(['md/link', 'md/link/x', 'a/b/c/d', 'top', 'top/x', 'a', 'a/bc', 'md/linked', 'topx', 'x/top', ''])('agrees with isUnder for %j', (p) => {
    expect(test(p)).toBe(prefixes.some((prefix) => isUnder(p, prefix)));
  });
  it('with no prefixes nothing is under, with "" everything is', () => {
    expect(underAny([])('a')).toBe(false);
    expect(underAny(['', 'x'])('a/b')).toBe(true);
  });
});
