import { describe, expect, it } from 'vitest';
import { foldPath } from './fold-name';

describe('foldPath', () => {
  it.each([
    ['Data/README.md', 'data/readme.md'],
    ['café/x', 'cafe/x'],
    ['a /b', 'a/b'],
  ])('%j meets %j', (a, b) => expect(foldPath(a)).toBe(foldPath(b)));
  it('keeps folders apart from files of other names', () => expect(foldPath('a/b')).not.toBe(foldPath('a/c')));
});
