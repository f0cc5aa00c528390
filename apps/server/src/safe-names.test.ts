import { describe, expect, it } from 'vitest';
import { unsafeNameReason, unsafePathReason } from './safe-names.js';

describe('unsafeNameReason', () => {
  it.each(['a.txt', '.hidden', 'a..b', 'trailing.', 'back\\slash.txt', 'café', 'a b(1)', '...'])('lets %j be a name', (name) =>
    expect(unsafeNameReason(name)).toBeNull(),
  );
  it.each(['.', '..', '../x', 'a/b', '/abs', 'nul\0.txt', '..\\..\\x', 'a\\..', 'a\\..\\b'])('refuses %j', (name) =>
    expect(unsafeNameReason(name)).not.toBeNull(),
  );
});

describe('unsafePathReason', () => {
  it.each([
    ['/a/b.txt', 'file'],
    ['/a/back\\slash/c.txt', 'file'],
    ['c.txt', 'file'], // Q14: a relative path stays production's directory named "."
    ['/./a', 'directory'],
    ['/a//b', 'directory'],
    ['/', 'directory'],
  ] as const)('lets %j be a %s path', (path, names) => expect(unsafePathReason(path, names)).toBeNull());
  it.each([
    ['/../x', 'directory'],
    ['/a/../../x', 'file'],
    ['/a/..', 'directory'],
    ['/..\\..\\x', 'file'],
    ['/a\0/b', 'directory'],
    ['/a/.', 'file'],
    ['/a/..', 'file'],
  ] as const)('refuses %j as a %s path', (path, names) => expect(unsafePathReason(path, names)).not.toBeNull());
});
