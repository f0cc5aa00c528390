import { describe, expect, it } from 'vitest';
import { foldName, foldPath } from './fold-name';

describe('foldPath', () => {
  it.each([
    ['Data/README.md', 'data/readme.md'],
    ['café/x', 'cafe/x'],
    ['a /b', 'a/b'],
  ])('%j meets %j', (a, b) => expect(foldPath(a)).toBe(foldPath(b)));
  it('keeps folders apart from files of other names', () => expect(foldPath('a/b')).not.toBe(foldPath('a/c')));
});

describe('foldName fast path', () => {
  const reference = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/ +$/, '');
  it.each(['README.md', 'A B  ', 'x\ty', '', '~!@#$%^&*()_+', 'café', 'ÅNGSTRÖM ', 'ﬁ', 'Σίσυφος'])('folds %j like the full rule', (s) => {
    expect(foldName(s)).toBe(reference(s));
  });
});

describe('foldPath fast path', () => {
  const bySegment = (p: string) => (p === '' ? '' : p.split('/').map(foldName).join('/'));
  it.each(['', 'Data/README.md', 'a /b', 'a/b ', 'a  /B /c', 'x/ y', 'café/Naïve.TXT', 'A/B/C/D.cif', '/lead/trail/', 'tab\t/x'])(
    'folds %j exactly as segment by segment',
    (p) => expect(foldPath(p)).toBe(bySegment(p)),
  );
});
