import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  emptyMcsyncSettings,
  getCached,
  isInsecureRemote,
  mcsyncSettingsPath,
  readMcsyncSettings,
  setCached,
  setInsecureRemote,
  updateMcsyncSettings,
  writeMcsyncSettings,
} from './mcsync-settings';
import { catchMcError, fileMode, makeTempDir } from './test-support';

describe('mcsync settings file', () => {
  it('a missing file reads as empty', () => {
    expect(readMcsyncSettings({ home: makeTempDir() })).toStrictEqual(emptyMcsyncSettings());
  });

  it('is written to ~/.materialscommons/mcsync.json, mode 0600, and never touches config.json', () => {
    const home = makeTempDir();
    writeMcsyncSettings(setInsecureRemote(emptyMcsyncSettings(), 'https://selfsigned.test/api', true), { home });
    const file = mcsyncSettingsPath({ home });
    expect(file).toBe(path.join(home, '.materialscommons', 'mcsync.json'));
    expect(fileMode(file)).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['mcsync.json']);
  });

  it('keeps keys it does not know (from newer builds) across a read and write', () => {
    const home = makeTempDir();
    const file = mcsyncSettingsPath({ home });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ version: 1, remotes: { 'https://a/api': { insecure: true, pinned: 'x' } }, future: [1] }));
    updateMcsyncSettings((s) => setInsecureRemote(s, 'https://b/api', true), { home });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toStrictEqual({
      version: 1,
      remotes: { 'https://a/api': { insecure: true, pinned: 'x' }, 'https://b/api': { insecure: true } },
      cache: {},
      future: [1],
    });
  });

  it('a file that is not JSON is a CONFIG error with a hint', () => {
    const home = makeTempDir();
    const file = mcsyncSettingsPath({ home });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{');
    const err = catchMcError(() => readMcsyncSettings({ home }));
    expect(err.code).toBe('CONFIG');
    expect(err.hint).toContain('delete');
  });
});

describe('insecure flag', () => {
  it('is per server, ignores trailing slashes, and can be switched off again', () => {
    let s = setInsecureRemote(emptyMcsyncSettings(), 'https://selfsigned.test/api/', true);
    expect(isInsecureRemote(s, 'https://selfsigned.test/api')).toBe(true);
    expect(isInsecureRemote(s, 'https://materialscommons.org/api')).toBe(false);
    s = setInsecureRemote(s, 'https://selfsigned.test/api', false);
    expect(isInsecureRemote(s, 'https://selfsigned.test/api')).toBe(false);
    expect(s.remotes).toStrictEqual({});
  });
});

describe('cache', () => {
  it('returns a value until it expires, and a write drops expired entries', () => {
    let s = setCached(emptyMcsyncSettings(), 'caps:https://a/api', { profile: 'enhanced' }, 1000, 10_000);
    expect(getCached(s, 'caps:https://a/api', 10_999)).toStrictEqual({ profile: 'enhanced' });
    expect(getCached(s, 'caps:https://a/api', 11_000)).toBeUndefined();
    s = setCached(s, 'other', 1, 1000, 20_000);
    expect(Object.keys(s.cache)).toEqual(['other']);
  });

  it('survives a write and read', () => {
    const home = makeTempDir();
    writeMcsyncSettings(setCached(emptyMcsyncSettings(), 'k', [1, 2], 60_000, 1_000), { home });
    expect(getCached(readMcsyncSettings({ home }), 'k', 2_000)).toStrictEqual([1, 2]);
  });
});
