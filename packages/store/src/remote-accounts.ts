import { McError } from '@mcsync/core';
import { effectiveDefaultRemote } from './default-remote';
import { NO_LEGACY } from './user-config';
import type { RemoteAccount, UserConfig } from './types';

/** The default REST base of `mc remote --add EMAIL` without `--url`. */
export const DEFAULT_MCURL = 'https://materialscommons.org/api';

/** An account is identified by (mcurl, email); the key does not count (the Python tool's rule). */
export interface AccountRef {
  mcurl: string | null;
  email: string | null;
}

export function sameAccount(a: AccountRef, b: AccountRef): boolean {
  return a.mcurl === b.mcurl && a.email === b.email;
}

export interface RemoteListing extends RemoteAccount {
  isDefault: boolean;
}

/** The accounts of `remotes`, sorted by (mcurl, email) as `mc remote` prints them, the default marked. */
export function listRemotes(config: UserConfig): RemoteListing[] {
  const def = effectiveDefaultRemote(config);
  return config.remotes
    .map((r) => ({ ...r, isDefault: sameAccount(r, def) }))
    .sort((a, b) => compare(a.mcurl, b.mcurl) || compare(a.email, b.email));
}

/**
 * Adds an account, or replaces the key of the same (mcurl, email) account in place. When that
 * account is also the default remote, the default gets the new key too (a stale key there would
 * win inside projects of that account).
 */
export function addRemote(config: UserConfig, account: RemoteAccount): { config: UserConfig; replaced: boolean } {
  const entry = { mcurl: account.mcurl, email: account.email, mcapikey: account.mcapikey };
  const i = config.remotes.findIndex((r) => sameAccount(r, entry));
  const remotes = i < 0 ? [...config.remotes, entry] : config.remotes.map((r, j) => (j === i ? entry : r));
  let next: UserConfig = { ...config, remotes };
  if (sameAccount(effectiveDefaultRemote(config), entry)) next = { ...next, default_remote: { ...entry }, legacy: NO_LEGACY };
  return { config: next, replaced: i >= 0 };
}

/**
 * Removes an account from `remotes`. Like the Python tool, the default remote is left as it is
 * (`wasDefault` tells the caller to say so). McError CONFIG when there is no such account.
 */
export function removeRemote(config: UserConfig, ref: AccountRef): { config: UserConfig; wasDefault: boolean } {
  if (!config.remotes.some((r) => sameAccount(r, ref))) throw notFound(ref);
  return {
    config: { ...config, remotes: config.remotes.filter((r) => !sameAccount(r, ref)) },
    wasDefault: sameAccount(effectiveDefaultRemote(config), ref),
  };
}

/** Makes a known account (one of `remotes`) the default remote. McError CONFIG when it is not known. */
export function setDefaultRemote(config: UserConfig, ref: AccountRef): UserConfig {
  const entry = config.remotes.find((r) => sameAccount(r, ref));
  if (!entry) throw notFound(ref);
  return { ...config, default_remote: { mcurl: entry.mcurl, email: entry.email, mcapikey: entry.mcapikey }, legacy: NO_LEGACY };
}

function notFound(ref: AccountRef): McError {
  return new McError('CONFIG', `no account ${ref.email} at ${ref.mcurl} in ~/.materialscommons/config.json`, {
    hint: `list accounts with \`mc remote\`; add one with \`mc remote --add ${ref.email} --url ${ref.mcurl}\``,
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
