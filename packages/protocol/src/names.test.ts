import { describe, expect, it } from 'vitest';
import { STRICT_NAME_RULE, foldName } from './names';

describe('foldName', () => {
  it.each([
    ['README.md', 'readme.md'],
    ['café.txt', 'cafe.txt'],
    ['a.txt ', 'a.txt'],
    ['Ünïcödé', 'unicode'],
  ])('folds %j like %j', (a, b) => {
    expect(foldName(a)).toBe(foldName(b));
  });

  it('keeps different names apart', () => {
    expect(foldName('a.txt')).not.toBe(foldName('b.txt'));
    expect(foldName(' a.txt')).not.toBe(foldName('a.txt'));
  });
});

describe('STRICT_NAME_RULE', () => {
  it.each(['data', '.hidden', 'a b(1).tar.gz', 'x_y-z'])('accepts %j', (n) => expect(STRICT_NAME_RULE.test(n)).toBe(true));
  it.each(['café', 'a+b', 'a..b', 'trailing.', 'a,b', '日本'])('refuses %j', (n) => expect(STRICT_NAME_RULE.test(n)).toBe(false));
});
