import { foldName } from '@mcsync/protocol';
import { describe, expect, it } from 'vitest';
import { foldKey, foldPath } from './fold-key';

describe('foldKey', () => {
  it.each(['README.md', 'a.txt  ', 'Data', 'x+y@Z#1', 'café.txt', 'Ünïcödé ', '日本語.cif', 'ПРИВЕТ', ' lead'])('agrees with foldName on %j', (n) =>
    expect(foldKey(n)).toBe(foldName(n)),
  );
  it('folds each segment of a path', () => expect(foldPath('Data/Café/X.TXT')).toBe('data/cafe/x.txt'));
});
