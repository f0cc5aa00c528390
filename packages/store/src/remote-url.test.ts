import { describe, expect, it } from 'vitest';
import { checkRemoteUrl, isLoopbackHost } from './remote-url';
import { catchMcError } from './test-support';

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.200.3.4', true],
    ['[::1]', true],
    ['::1', true],
    ['[::ffff:7f00:1]', true], // what new URL('http://[::ffff:127.0.0.1]/').hostname gives
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['127.0.0.1.example.com', false],
    ['localhost.example.com', false],
    ['[::2]', false],
    ['materialscommons.org', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('checkRemoteUrl', () => {
  it('accepts https:// and loopback http:// without a warning', () => {
    for (const url of [
      'https://materialscommons.org/api',
      'http://127.0.0.1:8510/api',
      'http://localhost:8510/api',
      'http://[::1]:8510/api',
      'http://[::ffff:127.0.0.1]:8510/api',
    ]) {
      expect(checkRemoteUrl(url)).toEqual([]);
    }
  });

  it('warns for plain http:// to any other host', () => {
    for (const url of ['http://materialscommons.org/api', 'http://192.168.1.5:8510/api', 'http://127.0.0.1.nip.io/api']) {
      const warnings = checkRemoteUrl(url);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(url);
    }
  });

  it('refuses what is not an http(s) URL', () => {
    expect(catchMcError(() => checkRemoteUrl('materialscommons.org/api')).code).toBe('CONFIG');
    expect(catchMcError(() => checkRemoteUrl('ftp://materialscommons.org/api')).code).toBe('CONFIG');
  });
});
