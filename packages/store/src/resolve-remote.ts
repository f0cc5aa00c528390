import { McError } from '@mcsync/core';
import { effectiveDefaultRemote, NO_DEFAULT_EMAIL } from './default-remote';
import { sameAccount } from './remote-accounts';
import { checkRemoteUrl } from './remote-url';
import type { McEnv, ProjectConfig, ProjectRemote, ResolvedRemote, UserConfig } from './types';

const USER_CONFIG = '~/.materialscommons/config.json';

export interface ResolveRemoteInput {
  /** The project's `.mc/config.json` when the command runs inside a project folder. */
  projectConfig?: ProjectConfig | null;
  userConfig: UserConfig;
  /** MC_API_KEY, MC_API_URL, MC_API_EMAIL (pass `process.env`); omitted = none set. */
  env?: McEnv;
  /** `--remote EMAIL URL`. */
  explicit?: { email: string; url: string } | null;
}

/**
 * The account and token a command uses (spec/mc-api.md §7.4–7.5; precedence in the README):
 *
 * - inside a project: the project's (mcurl, email); the key of the default remote when it is the
 *   same account, else of the matching `remotes` entry; none → CONFIG.
 * - else `explicit`: must match a `remotes` entry; none → CONFIG.
 * - else the default remote (MC_API_* variables applied): must have URL and key; else CONFIG.
 *
 * Every CONFIG error's hint says what to run. `warnings` carries the plain-http notice.
 */
export function resolveRemote(input: ResolveRemoteInput): ResolvedRemote {
  const { userConfig } = input;
  const def = effectiveDefaultRemote(userConfig, input.env ?? {});
  let resolved: Omit<ResolvedRemote, 'warnings'>;

  if (input.projectConfig) {
    const account = projectAccount(input.projectConfig, userConfig);
    if (sameAccount(def, account) && def.mcapikey) {
      resolved = { url: account.mcurl, email: account.email, token: def.mcapikey, source: 'project' };
    } else {
      const known = userConfig.remotes.find((r) => sameAccount(r, account) && r.mcapikey);
      if (!known?.mcapikey) {
        throw new McError('CONFIG', `this project belongs to ${account.email} at ${account.mcurl}, which has no API key in ${USER_CONFIG}`, {
          hint: `add the account with \`mc remote --add ${account.email} --url ${account.mcurl}\``,
        });
      }
      resolved = { url: account.mcurl, email: account.email, token: known.mcapikey, source: 'project' };
    }
  } else if (input.explicit) {
    const { email, url } = input.explicit;
    const known = userConfig.remotes.find((r) => sameAccount(r, { mcurl: url, email }) && r.mcapikey);
    if (!known?.mcapikey) {
      throw new McError('CONFIG', `no account ${email} at ${url} in ${USER_CONFIG}`, {
        hint: `add it with \`mc remote --add ${email} --url ${url}\`, or list accounts with \`mc remote\``,
      });
    }
    resolved = { url, email, token: known.mcapikey, source: 'explicit' };
  } else {
    if (!def.mcurl || !def.mcapikey) {
      throw new McError('CONFIG', noDefaultMessage(input.env ?? {}), {
        hint: 'add an account with `mc remote --add EMAIL --url URL` and make it the default with `mc remote --set-default EMAIL URL`, or set MC_API_URL and MC_API_KEY',
      });
    }
    resolved = { url: def.mcurl, email: def.email ?? NO_DEFAULT_EMAIL, token: def.mcapikey, source: def.fromEnv ? 'env' : 'default' };
  }
  return { ...resolved, warnings: checkRemoteUrl(resolved.url) };
}

/** The project's account: `remote`, or the legacy `remote_url` matched against `remotes` by URL (exactly one). */
function projectAccount(project: ProjectConfig, user: UserConfig): ProjectRemote {
  if (project.remote) return project.remote;
  const url = project.remote_url;
  if (url === null) {
    throw new McError('CONFIG', '.mc/config.json names no remote account ("remote" is missing)', {
      hint: 'set "remote": {"mcurl": URL, "email": EMAIL} in .mc/config.json, or clone the project again with `mc clone ID`',
    });
  }
  const matches = user.remotes.filter((r) => r.mcurl === url);
  if (matches.length === 1 && matches[0]) return { mcurl: matches[0].mcurl, email: matches[0].email };
  if (matches.length === 0) {
    throw new McError('CONFIG', `.mc/config.json names the server ${url} but ${USER_CONFIG} has no account there`, {
      hint: `add your account with \`mc remote --add EMAIL --url ${url}\``,
    });
  }
  throw new McError('CONFIG', `.mc/config.json names only the server ${url} and ${USER_CONFIG} has ${matches.length} accounts there`, {
    hint: 'say which one: set "remote": {"mcurl": URL, "email": EMAIL} in .mc/config.json',
  });
}

function noDefaultMessage(env: McEnv): string {
  if (env.MC_API_KEY && !env.MC_API_URL) return 'no default remote: MC_API_KEY is set but MC_API_URL is not';
  if (env.MC_API_URL && !env.MC_API_KEY) return 'no default remote: MC_API_URL is set but MC_API_KEY is not';
  return 'no default remote';
}
