import { describe, expect, it } from 'vitest';
import { assertSafeName, fromRemotePath, isUnder, underAny } from './paths';

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

describe('fromRemotePath and assertSafeName: server names that could escape the project folder', () => {
  it.each([
    ['/..', '".." segment'],
    ['/a/../../etc', '".." segment'],
    ['/a/./b', '"." segment'],
    ['/a/nul\0.txt', 'NUL'],
    ['/a/..\\..\\x', '".." between backslashes'],
    ['/a/x\\..', '".." after a backslash'],
    ['/..\\', '".." before a backslash'],
  ])('refuses %j (%s) with UNSAFE_PATH', (remote) => {
    expect(() => fromRemotePath(remote)).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH', message: expect.stringMatching(/could escape the project folder/) }));
  });

  it.each([['/etc/passwd', 'etc/passwd'], ['//a//b', 'a/b'], ['/back\\slash.txt', 'back\\slash.txt'], ['/a/...', 'a/...'], ['/a/..b', 'a/..b'], ['/', '']])(
    'keeps %j inside the project as %j',
    (remote, local) => {
      expect(fromRemotePath(remote)).toBe(local);
    },
  );

  it.each(['', '.', '..', 'a/b', '/etc', 'x\0', '..\\..\\x'])('refuses the name %j', (name) => {
    expect(() => assertSafeName(name)).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
  });
});
