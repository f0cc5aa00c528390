import type { DefaultRemote, McEnv, UserConfig } from './types';

/** The email of a default made without one (from URL and key alone); as an empty default it means "none". */
export const NO_DEFAULT_EMAIL = '__default__';

export interface EffectiveDefault extends DefaultRemote {
  /** True when MC_API_* variables supplied it. */
  fromEnv: boolean;
}

/**
 * The default remote as the Python tool computes it when it loads its config (spec/mc-api.md
 * §7.3, §7.5), with `env` the MC_API_* variables (omit them for what is saved to the file):
 *
 * 1. Legacy top-level `mcurl`/`apikey`/`email` are the starting point. Non-empty `MC_API_KEY`
 *    replaces the key; non-empty `MC_API_URL` replaces the URL *and* the email (with
 *    `MC_API_EMAIL`, or nothing: the email is read only when the URL is set).
 * 2. URL, key and email all present: they are the default, whatever `default_remote` says.
 * 3. Else, no default in the file: URL and key (possibly null) with email `__default__`.
 * 4. Else the file's `default_remote`; the variables are ignored.
 *
 * One deliberate difference: a placeholder default (email `__default__` without URL or key, which
 * the Python tool writes on every save) counts as "no default" in step 3, so `MC_API_URL` +
 * `MC_API_KEY` work on a machine where `mc remote --add` once ran. The Python tool would ignore them.
 */
export function effectiveDefaultRemote(config: UserConfig, env: McEnv = {}): EffectiveDefault {
  let { mcurl, apikey, email } = config.legacy;
  let fromEnv = false;
  if (env.MC_API_KEY) {
    apikey = env.MC_API_KEY;
    fromEnv = true;
  }
  if (env.MC_API_URL) {
    mcurl = env.MC_API_URL;
    email = env.MC_API_EMAIL || null;
    fromEnv = true;
  }
  if (mcurl && apikey && email) return { mcurl, email, mcapikey: apikey, fromEnv };
  const stored = config.default_remote;
  if (stored === null || isPlaceholder(stored)) {
    // A placeholder's own URL or key (if any) stays, so saving does not change it.
    return { mcurl: mcurl || stored?.mcurl || null, email: NO_DEFAULT_EMAIL, mcapikey: apikey || stored?.mcapikey || null, fromEnv };
  }
  return { ...stored, fromEnv: false };
}

/** A default that names no usable account: email `__default__` and no URL or no key. */
export function isPlaceholder(d: DefaultRemote): boolean {
  return d.email === NO_DEFAULT_EMAIL && !(d.mcurl && d.mcapikey);
}
