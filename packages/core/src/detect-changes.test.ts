import { describe, expect, it } from 'vitest';
import { applyCache, needsHash, sameContent } from './detect-changes';
import type { LocalEntry, LocalRecord, RemoteEntry } from './types';

const entry = (over: Partial<LocalEntry> = {}): LocalEntry => ({ path: 'a', kind: 'file', size: 3, mtimeNs: 1_733_246_400_123_456_789n, ino: 7, ...over });

describe('applyCache', () => {
  const cached: LocalRecord = { ...entry(), md5: 'm' };
  it.each([
    ['unchanged stat keeps the MD5', entry(), 'm'],
    ['another size forgets it', entry({ size: 4 }), null],
    ['a nanosecond of mtime forgets it', entry({ mtimeNs: 1_733_246_400_123_456_790n }), null],
    ['another inode (replaced file) forgets it', entry({ ino: 8 }), null],
  ])('%s', (_name, e, expected) => {
    expect(applyCache([e], new Map([['a', cached]]))[0]!.md5).toBe(expected);
  });
});

describe('needsHash / sameContent', () => {
  const local: LocalRecord = { ...entry(), md5: null };
  const remote: RemoteEntry = { path: 'a', kind: 'file', id: 1, size: 3, md5: 'x' };
  it('hashes only when a same-size file exists on the other side or in the base', () => {
    expect(needsHash(local, remote, undefined)).toBe(true);
    expect(needsHash(local, { ...remote, size: 9 }, undefined)).toBe(false);
    expect(needsHash(local, undefined, undefined)).toBe(false);
    expect(needsHash(local, undefined, { path: 'a', kind: 'file', md5: 'x', size: 3, remoteId: 1, syncedAt: 0 })).toBe(true);
    expect(needsHash({ ...local, md5: 'known' }, remote, undefined)).toBe(false);
  });
  it('never calls content the same without an MD5', () => {
    expect(sameContent(local, remote, undefined)).toBe(false);
  });
});
