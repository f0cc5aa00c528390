import path from 'node:path';
import { McError } from '@mcsync/core';
import { writeFileAtomic } from './atomic-write';
import { isPlainObject, readJsonObject } from './json-file';
import type { CacheEntry, McsyncSettings, RemoteSettings } from './types';
import { materialsCommonsDir, type HomeOptions } from './user-config';

/**
 * `~/.materialscommons/mcsync.json`: mcsync's own settings, kept out of the Python tool's
 * config.json (which drops keys it does not know).
 */
export function mcsyncSettingsPath(opts: HomeOptions = {}): string {
  return path.join(materialsCommonsDir(opts), 'mcsync.json');
}

export function emptyMcsyncSettings(): McsyncSettings {
  return { version: 1, remotes: {}, cache: {} };
}

/** Reads the settings; a missing file reads as empty. Unknown keys are kept for the next write. */
export function readMcsyncSettings(opts: HomeOptions = {}): McsyncSettings {
  const file = mcsyncSettingsPath(opts);
  const read = readJsonObject(file, `fix ${file} or delete it (it holds only mcsync's insecure-TLS flags and caches)`);
  if (!read.exists) return emptyMcsyncSettings();
  const { remotes = {}, cache = {} } = read.data;
  if (!isPlainObject(remotes) || !Object.values(remotes).every(isPlainObject)) {
    throw new McError('CONFIG', `${file}: "remotes" should map URLs to objects`, { hint: `fix or delete ${file}` });
  }
  // A cache entry of the wrong shape is dropped, not an error: it is only a cache.
  const validCache: Record<string, CacheEntry> = {};
  if (isPlainObject(cache)) {
    for (const [key, entry] of Object.entries(cache)) {
      if (isPlainObject(entry) && typeof entry.expires_at === 'number' && 'value' in entry) {
        validCache[key] = { value: entry.value, expires_at: entry.expires_at };
      }
    }
  }
  const version = typeof read.data.version === 'number' ? read.data.version : 1;
  return { ...read.data, version, remotes: remotes as Record<string, RemoteSettings>, cache: validCache };
}

/** Writes the settings atomically, mode 0600, creating `~/.materialscommons` (0700) if needed. */
export function writeMcsyncSettings(settings: McsyncSettings, opts: HomeOptions = {}): void {
  const file = mcsyncSettingsPath(opts);
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
}

/** Read, change, write; returns what was written. */
export function updateMcsyncSettings(change: (s: McsyncSettings) => McsyncSettings, opts: HomeOptions = {}): McsyncSettings {
  const next = change(readMcsyncSettings(opts));
  writeMcsyncSettings(next, opts);
  return next;
}

/** Settings are per server, keyed by the REST base without trailing slashes. */
export function remoteKey(mcurl: string): string {
  return mcurl.replace(/\/+$/, '');
}

/** Whether TLS verification is switched off for this server (the caller must warn when it is). */
export function isInsecureRemote(settings: McsyncSettings, mcurl: string): boolean {
  return settings.remotes[remoteKey(mcurl)]?.insecure === true;
}

export function setInsecureRemote(settings: McsyncSettings, mcurl: string, insecure: boolean): McsyncSettings {
  const key = remoteKey(mcurl);
  const { insecure: _old, ...rest } = settings.remotes[key] ?? {};
  const entry: RemoteSettings = insecure ? { ...rest, insecure: true } : rest;
  const remotes = { ...settings.remotes, [key]: entry };
  if (Object.keys(entry).length === 0) delete remotes[key];
  return { ...settings, remotes };
}

/** A cached value, or undefined when absent or expired. */
export function getCached(settings: McsyncSettings, key: string, now = Date.now()): unknown {
  const entry = settings.cache[key];
  return entry && entry.expires_at > now ? entry.value : undefined;
}

/** Stores `value` for `ttlMs`, dropping every expired entry on the way. */
export function setCached(settings: McsyncSettings, key: string, value: unknown, ttlMs: number, now = Date.now()): McsyncSettings {
  const cache = pruneExpired(settings.cache, now);
  cache[key] = { value, expires_at: now + ttlMs };
  return { ...settings, cache };
}

function pruneExpired(cache: Record<string, CacheEntry>, now: number): Record<string, CacheEntry> {
  const out: Record<string, CacheEntry> = {};
  for (const [k, e] of Object.entries(cache)) if (e.expires_at > now) out[k] = e;
  return out;
}
