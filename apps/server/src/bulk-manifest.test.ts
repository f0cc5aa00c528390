import { describe, expect, it } from 'vitest';
import { parseManifest, splitPath } from './bulk-manifest.js';
import { ValidationFailed } from './errors.js';

const md5 = 'd41d8cd98f00b204e9800998ecf8427e';

describe('parseManifest', () => {
  it('accepts absolute normalized paths with size, md5 and an optional if_current_id', () => {
    const entries = [{ path: '/a/b c.txt', size: 0, md5 }, { path: '/x', size: 5, md5, if_current_id: 0 }];
    expect(parseManifest(entries, 'manifest')).toEqual(entries);
  });

  it.each([
    ['not an array', { path: '/a' }, 'manifest'],
    ['a relative path', [{ path: 'a.txt', size: 1, md5 }], 'manifest.0.path'],
    ['an empty segment', [{ path: '/a//b', size: 1, md5 }], 'manifest.0.path'],
    ['a .. segment', [{ path: '/a/../b', size: 1, md5 }], 'manifest.0.path'],
    ['a .. segment between backslashes', [{ path: '/a/..\\..\\b', size: 1, md5 }], 'manifest.0.path'],
    ['a NUL', [{ path: '/a/b\0.txt', size: 1, md5 }], 'manifest.0.path'],
    ['a trailing slash', [{ path: '/a/', size: 1, md5 }], 'manifest.0.path'],
    ['the root', [{ path: '/', size: 1, md5 }], 'manifest.0.path'],
    ['an uppercase md5', [{ path: '/a', size: 1, md5: md5.toUpperCase() }], 'manifest.0.md5'],
    ['a negative size', [{ path: '/a', size: -1, md5 }], 'manifest.0.size'],
    ['a fractional if_current_id', [{ path: '/a', size: 1, md5, if_current_id: 1.5 }], 'manifest.0.if_current_id'],
  ])('refuses %s with a 422 naming the field', (_label, value, field) => {
    let error: unknown;
    try {
      parseManifest(value, 'manifest');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(Object.keys((error as ValidationFailed).errors)).toContain(field);
  });
});

describe('splitPath', () => {
  it.each([
    ['/a.txt', '/', 'a.txt'],
    ['/a/b/c.txt', '/a/b', 'c.txt'],
  ])('%s → %s + %s', (path, directory, name) => expect(splitPath(path)).toEqual({ directory, name }));
});
