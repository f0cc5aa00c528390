import { describe, expect, it } from 'vitest';
import { foldKey } from './fold-key.js';

describe('foldKey', () => {
  it.each([
    ['README.md', 'readme.md'],
    ['café.txt', 'cafe.txt'],
    ['Cafe\u0301.txt', 'cafe.txt'],
    ['a.txt ', 'a.txt'],
    ['a.txt   ', 'a.txt'],
    ['/Data/Ünïcode', '/data/unicode'],
  ])('%j folds like %j', (a, b) => {
    expect(foldKey(a)).toBe(foldKey(b));
  });

  it.each([
    ['a.txt', ' a.txt'],
    ['a b', 'ab'],
    ['a.txt', 'a.txt\t'],
    ['/a /b', '/a/b'],
  ])('%j and %j stay different (only trailing spaces are ignored)', (a, b) => {
    expect(foldKey(a)).not.toBe(foldKey(b));
  });
});
