import os from 'node:os';
import path from 'node:path';
import { McError } from '@mcsync/core';
import { writeFileAtomic } from './atomic-write';
import { effectiveDefaultRemote } from './default-remote';
import { isPlainObject, readJsonObject } from './json-file';
import type { DefaultRemote, LegacyRemote, Loaded, RemoteAccount, UserConfig } from './types';

/** Where the user's files live; `home` defaults to `os.homedir()` (which honours $HOME). */
export interface HomeOptions {
  home?: string;
}

const ACCOUNT_FIELDS = ['mcurl', 'email', 'mcapikey'] as const;
export const NO_LEGACY: LegacyRemote = { mcurl: null, apikey: null, email: null };

/** `~/.materialscommons`, shared with the Python tool. */
export function materialsCommonsDir(opts: HomeOptions = {}): string {
  return path.join(opts.home ?? os.homedir(), '.materialscommons');
}

export function userConfigPath(opts: HomeOptions = {}): string {
  return path.join(materialsCommonsDir(opts), 'config.json');
}

/** What a missing file reads as. */
export function emptyUserConfig(): UserConfig {
  return { default_remote: null, remotes: [], globus: {}, developer_mode: false, REST_logging: false, legacy: NO_LEGACY };
}

/**
 * Reads `~/.materialscommons/config.json` (spec/mc-api.md §7.3) without applying MC_API_*
 * variables (see `resolveRemote`). Warns when the file is accessible to group or others, and
 * about remote entries with fields the Python tool fails on. Throws McError CONFIG for a file
 * it cannot understand.
 */
export function readUserConfig(opts: HomeOptions = {}): Loaded<UserConfig> {
  const file = userConfigPath(opts);
  const read = readJsonObject(file, `fix ${file}, or move it away and add your accounts again with \`mc remote --add\``);
  if (!read.exists) return { config: emptyUserConfig(), path: file, exists: false, warnings: [] };

  const warnings: string[] = [];
  if (process.platform !== 'win32' && (read.mode & 0o077) !== 0) {
    warnings.push(
      `${file} holds API keys but other users can access it (mode ${read.mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`,
    );
  }
  const data = read.data;
  const bad = (what: string) => new McError('CONFIG', `${file}: ${what}`, { hint: `fix ${file}` });

  let default_remote: DefaultRemote | null = null;
  if (data.default_remote !== undefined && data.default_remote !== null) {
    const d = data.default_remote;
    if (!isPlainObject(d)) throw bad('"default_remote" should be an object {"mcurl", "email", "mcapikey"}');
    default_remote = {
      mcurl: nullableString(d.mcurl, () => bad('"default_remote.mcurl" should be a string')),
      email: nullableString(d.email, () => bad('"default_remote.email" should be a string')),
      mcapikey: nullableString(d.mcapikey, () => bad('"default_remote.mcapikey" should be a string')),
    };
    warnUnknownFields(d, 'default_remote', warnings);
  }

  const remotes: RemoteAccount[] = [];
  const rawRemotes = data.remotes ?? [];
  // The Python tool's own default file has `"remotes": {}`.
  const list = isPlainObject(rawRemotes) && Object.keys(rawRemotes).length === 0 ? [] : rawRemotes;
  if (!Array.isArray(list)) throw bad('"remotes" should be a list of {"mcurl", "email", "mcapikey"}');
  list.forEach((r: unknown, i) => {
    if (!isPlainObject(r) || typeof r.mcurl !== 'string' || typeof r.email !== 'string') {
      throw bad(`remotes[${i}] should be an object with string "mcurl" and "email"`);
    }
    remotes.push({
      mcurl: r.mcurl,
      email: r.email,
      mcapikey: nullableString(r.mcapikey, () => bad(`remotes[${i}].mcapikey should be a string`)),
    });
    warnUnknownFields(r, `remotes[${i}]`, warnings);
  });

  const globus = data.globus === undefined || data.globus === null ? {} : data.globus;
  if (!isPlainObject(globus)) throw bad('"globus" should be an object');

  const config: UserConfig = {
    default_remote,
    remotes,
    globus,
    developer_mode: Boolean(data.developer_mode),
    REST_logging: Boolean(data.REST_logging),
    legacy: {
      mcurl: nullableString(data.mcurl, () => bad('"mcurl" should be a string')),
      apikey: nullableString(data.apikey, () => bad('"apikey" should be a string')),
      email: nullableString(data.email, () => bad('"email" should be a string')),
    },
  };
  return { config, path: file, exists: true, warnings };
}

/**
 * Rewrites `~/.materialscommons/config.json` whole, exactly as the Python tool saves it: the keys
 * `default_remote`, `remotes`, `globus`, `developer_mode`, `REST_logging`, 2-space indentation,
 * legacy top-level keys folded into `default_remote`. Creates the folder (0700) if needed; the
 * file is mode 0600 after every save. Returns the file's path.
 */
export function saveUserConfig(config: UserConfig, opts: HomeOptions = {}): string {
  const file = userConfigPath(opts);
  writeFileAtomic(file, serializeUserConfig(config), { mode: 0o600, dirMode: 0o700 });
  return file;
}

/** The exact text `saveUserConfig` writes (like Python's `json.dumps(config, indent=2)`). */
export function serializeUserConfig(config: UserConfig): string {
  const def = effectiveDefaultRemote(config);
  const out = {
    default_remote: { mcurl: def.mcurl, email: def.email, mcapikey: def.mcapikey },
    remotes: config.remotes.map((r) => ({ mcurl: r.mcurl, email: r.email, mcapikey: r.mcapikey })),
    globus: config.globus,
    developer_mode: config.developer_mode,
    REST_logging: config.REST_logging,
  };
  return JSON.stringify(out, null, 2);
}

function nullableString(v: unknown, bad: () => McError): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw bad();
  return v;
}

function warnUnknownFields(entry: Record<string, unknown>, where: string, warnings: string[]): void {
  for (const key of Object.keys(entry)) {
    if (!(ACCOUNT_FIELDS as readonly string[]).includes(key)) {
      warnings.push(
        `${where} has an unknown field "${key}" (the key field is "mcapikey"); the Python mc fails on it, mcsync ignores it and drops it on its next save`,
      );
    }
  }
}
