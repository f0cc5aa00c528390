import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveDefaultRemote } from './default-remote';
import { catchMcError, fileMode, makeTempDir } from './test-support';
import { emptyUserConfig, readUserConfig, saveUserConfig, userConfigPath } from './user-config';

/** A file exactly as the Python mc saves it (json.dumps(config, indent=2), no trailing newline). */
const PYTHON_SAVED = `{
  "default_remote": {
    "mcurl": "https://materialscommons.org/api",
    "email": "me@uni.edu",
    "mcapikey": "KEY-DEFAULT"
  },
  "remotes": [
    {
      "mcurl": "https://materialscommons.org/api",
      "email": "me@uni.edu",
      "mcapikey": "KEY-DEFAULT"
    },
    {
      "mcurl": "http://127.0.0.1:8510/api",
      "email": "dev@localhost",
      "mcapikey": null
    }
  ],
  "globus": {
    "transfer_rt": "Ag-refresh-token",
    "endpoint_id": "e-1"
  },
  "developer_mode": true,
  "REST_logging": false
}`;

function writeConfig(home: string, text: string, mode = 0o600): string {
  const file = userConfigPath({ home });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  return file;
}

describe('readUserConfig', () => {
  it('a missing file reads as an empty config', () => {
    const home = makeTempDir();
    expect(readUserConfig({ home })).toStrictEqual({
      config: emptyUserConfig(),
      path: path.join(home, '.materialscommons', 'config.json'),
      exists: false,
      warnings: [],
    });
  });

  it('reads the Python tool\'s file', () => {
    const home = makeTempDir();
    writeConfig(home, PYTHON_SAVED);
    const { config, warnings, exists } = readUserConfig({ home });
    expect(exists).toBe(true);
    expect(warnings).toEqual([]);
    expect(config.default_remote).toStrictEqual({ mcurl: 'https://materialscommons.org/api', email: 'me@uni.edu', mcapikey: 'KEY-DEFAULT' });
    expect(config.remotes).toHaveLength(2);
    expect(config.remotes[1]).toStrictEqual({ mcurl: 'http://127.0.0.1:8510/api', email: 'dev@localhost', mcapikey: null });
    expect(config.globus).toStrictEqual({ transfer_rt: 'Ag-refresh-token', endpoint_id: 'e-1' });
    expect(config.developer_mode).toBe(true);
  });

  it('warns when group or others can access the file, not when it is 0600', () => {
    const home = makeTempDir();
    const file = writeConfig(home, PYTHON_SAVED, 0o640);
    const { warnings } = readUserConfig({ home });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`chmod 600 ${file}`);
    expect(warnings[0]).toContain('0640');

    fs.chmodSync(file, 0o600);
    expect(readUserConfig({ home }).warnings).toEqual([]);
  });

  it('reads legacy top-level mcurl/apikey/email as the default remote', () => {
    const home = makeTempDir();
    writeConfig(home, '{"mcurl": "https://old.example/api", "apikey": "OLDKEY", "email": "old@x.org", "remotes": {}}');
    const { config } = readUserConfig({ home });
    expect(config.remotes).toEqual([]);
    expect(effectiveDefaultRemote(config)).toStrictEqual({
      mcurl: 'https://old.example/api',
      email: 'old@x.org',
      mcapikey: 'OLDKEY',
      fromEnv: false,
    });
  });

  it('legacy URL and key without email make a `__default__` default', () => {
    const home = makeTempDir();
    writeConfig(home, '{"mcurl": "https://old.example/api", "apikey": "OLDKEY"}');
    expect(effectiveDefaultRemote(readUserConfig({ home }).config)).toMatchObject({
      mcurl: 'https://old.example/api',
      email: '__default__',
      mcapikey: 'OLDKEY',
    });
  });

  it('warns about a remote entry with a field the Python tool fails on', () => {
    const home = makeTempDir();
    writeConfig(home, '{"remotes": [{"mcurl": "https://x/api", "email": "a@x", "apikey": "K"}]}');
    const { config, warnings } = readUserConfig({ home });
    expect(config.remotes).toStrictEqual([{ mcurl: 'https://x/api', email: 'a@x', mcapikey: null }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"apikey"');
  });

  it('a malformed file is a CONFIG error', () => {
    const home = makeTempDir();
    writeConfig(home, '{"remotes": [{"email": "a@x"}]}');
    expect(catchMcError(() => readUserConfig({ home })).code).toBe('CONFIG');
    writeConfig(home, 'not json');
    expect(catchMcError(() => readUserConfig({ home })).code).toBe('CONFIG');
  });
});

describe('saveUserConfig', () => {
  it('rewrites the Python tool\'s file byte for byte', () => {
    const home = makeTempDir();
    const file = writeConfig(home, PYTHON_SAVED);
    saveUserConfig(readUserConfig({ home }).config, { home });
    expect(fs.readFileSync(file, 'utf8')).toBe(PYTHON_SAVED);
  });

  it('creates the folder (0700), writes 2-space JSON and mode 0600 (also over a 0644 file)', () => {
    const home = makeTempDir();
    const file = saveUserConfig(
      { ...emptyUserConfig(), remotes: [{ mcurl: 'https://m/api', email: 'a@b', mcapikey: 'K' }] },
      { home },
    );
    expect(file).toBe(userConfigPath({ home }));
    expect(fileMode(file)).toBe(0o600);
    expect(fileMode(path.dirname(file))).toBe(0o700);
    // What Python writes for a config without a default: the placeholder.
    expect(fs.readFileSync(file, 'utf8')).toBe(`{
  "default_remote": {
    "mcurl": null,
    "email": "__default__",
    "mcapikey": null
  },
  "remotes": [
    {
      "mcurl": "https://m/api",
      "email": "a@b",
      "mcapikey": "K"
    }
  ],
  "globus": {},
  "developer_mode": false,
  "REST_logging": false
}`);
    fs.chmodSync(file, 0o644);
    saveUserConfig(readUserConfig({ home }).config, { home });
    expect(fileMode(file)).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['config.json']);
  });

  it('folds legacy keys into default_remote and drops keys the Python tool does not know', () => {
    const home = makeTempDir();
    const file = writeConfig(
      home,
      '{"mcurl": "https://old/api", "apikey": "K", "email": "e@x", "interfaces": [], "mcsync_anything": 1}',
    );
    saveUserConfig(readUserConfig({ home }).config, { home });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toStrictEqual({
      default_remote: { mcurl: 'https://old/api', email: 'e@x', mcapikey: 'K' },
      remotes: [],
      globus: {},
      developer_mode: false,
      REST_logging: false,
    });
  });

  it('keeps a `__default__` placeholder as it is', () => {
    const home = makeTempDir();
    const placeholder = { mcurl: null, email: '__default__', mcapikey: null };
    const file = writeConfig(home, JSON.stringify({ default_remote: placeholder, remotes: [] }));
    const { config } = readUserConfig({ home });
    expect(config.default_remote).toStrictEqual(placeholder);
    saveUserConfig(config, { home });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).default_remote).toStrictEqual(placeholder);
  });
});
