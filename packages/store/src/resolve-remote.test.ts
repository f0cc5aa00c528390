import { describe, expect, it } from 'vitest';
import { emptyProjectConfig } from './project-config';
import { resolveRemote, type ResolveRemoteInput } from './resolve-remote';
import { catchMcError } from './test-support';
import type { McEnv, ProjectConfig, UserConfig } from './types';
import { emptyUserConfig } from './user-config';

const PROD = 'https://materialscommons.org/api';
const LOCAL = 'http://127.0.0.1:8510/api';
const ENV_URL = 'https://ci.example.org/api';

/** The default's key differs from the same account's `remotes` key, so each case shows which was used. */
const user: UserConfig = {
  ...emptyUserConfig(),
  default_remote: { mcurl: PROD, email: 'a@x', mcapikey: 'KEY-DEFAULT' },
  remotes: [
    { mcurl: PROD, email: 'a@x', mcapikey: 'KEY-A' },
    { mcurl: LOCAL, email: 'b@x', mcapikey: 'KEY-B' },
  ],
};
const noDefault: UserConfig = { ...user, default_remote: null };
const placeholder: UserConfig = { ...user, default_remote: { mcurl: null, email: '__default__', mcapikey: null } };

function project(mcurl: string, email: string): ProjectConfig {
  return { ...emptyProjectConfig(), remote: { mcurl, email }, project_id: 1 };
}

const ALL_THREE: McEnv = { MC_API_URL: ENV_URL, MC_API_KEY: 'ENVKEY', MC_API_EMAIL: 'ci@x' };
const URL_AND_KEY: McEnv = { MC_API_URL: ENV_URL, MC_API_KEY: 'ENVKEY' };

describe('resolveRemote: accounts that resolve', () => {
  const cases: [string, ResolveRemoteInput, { url: string; email: string; token: string; source: string }][] = [
    ['in a project of the default account: the default\'s key', { userConfig: user, projectConfig: project(PROD, 'a@x') },
      { url: PROD, email: 'a@x', token: 'KEY-DEFAULT', source: 'project' }],
    ['in a project of another account: the key from remotes', { userConfig: user, projectConfig: project(LOCAL, 'b@x') },
      { url: LOCAL, email: 'b@x', token: 'KEY-B', source: 'project' }],
    ['in a project, --remote is not used', { userConfig: user, projectConfig: project(LOCAL, 'b@x'), explicit: { email: 'a@x', url: PROD } },
      { url: LOCAL, email: 'b@x', token: 'KEY-B', source: 'project' }],
    ['outside, --remote: the key from remotes (not the default\'s)', { userConfig: user, explicit: { email: 'a@x', url: PROD } },
      { url: PROD, email: 'a@x', token: 'KEY-A', source: 'explicit' }],
    ['outside, nothing named: the default remote', { userConfig: user },
      { url: PROD, email: 'a@x', token: 'KEY-DEFAULT', source: 'default' }],
    ['all three MC_API_* replace the default remote', { userConfig: user, env: ALL_THREE },
      { url: ENV_URL, email: 'ci@x', token: 'ENVKEY', source: 'env' }],
    ['all three MC_API_*, in a project of that account: the env key', { userConfig: user, env: ALL_THREE, projectConfig: project(ENV_URL, 'ci@x') },
      { url: ENV_URL, email: 'ci@x', token: 'ENVKEY', source: 'project' }],
    ['all three MC_API_*, in a project of another account: that account\'s key', { userConfig: user, env: ALL_THREE, projectConfig: project(LOCAL, 'b@x') },
      { url: LOCAL, email: 'b@x', token: 'KEY-B', source: 'project' }],
    ['URL and key alone are ignored when the file has a default remote', { userConfig: user, env: URL_AND_KEY },
      { url: PROD, email: 'a@x', token: 'KEY-DEFAULT', source: 'default' }],
    ['the key alone is ignored when the file has a default remote', { userConfig: user, env: { MC_API_KEY: 'ENVKEY' } },
      { url: PROD, email: 'a@x', token: 'KEY-DEFAULT', source: 'default' }],
    ['URL and key alone, no default in the file: email __default__', { userConfig: noDefault, env: URL_AND_KEY },
      { url: ENV_URL, email: '__default__', token: 'ENVKEY', source: 'env' }],
    ['URL and key alone over a __default__ placeholder (documented difference)', { userConfig: placeholder, env: URL_AND_KEY },
      { url: ENV_URL, email: '__default__', token: 'ENVKEY', source: 'env' }],
    ['MC_API_EMAIL is read only with MC_API_URL', { userConfig: noDefault, env: { MC_API_KEY: 'ENVKEY', MC_API_EMAIL: 'ci@x', MC_API_URL: ENV_URL } },
      { url: ENV_URL, email: 'ci@x', token: 'ENVKEY', source: 'env' }],
    ['empty variables count as unset', { userConfig: user, env: { MC_API_URL: '', MC_API_KEY: '', MC_API_EMAIL: '' } },
      { url: PROD, email: 'a@x', token: 'KEY-DEFAULT', source: 'default' }],
    ['MC_API_KEY completes legacy top-level URL and email (as in the Python tool)',
      { userConfig: { ...noDefault, legacy: { mcurl: 'https://old/api', email: 'old@x', apikey: null } }, env: { MC_API_KEY: 'ENVKEY' } },
      { url: 'https://old/api', email: 'old@x', token: 'ENVKEY', source: 'env' }],
    ['MC_API_URL replaces the legacy email too, even with no MC_API_EMAIL (as in the Python tool)',
      { userConfig: { ...noDefault, legacy: { mcurl: 'https://old/api', email: 'old@x', apikey: 'OLD' } }, env: URL_AND_KEY },
      { url: ENV_URL, email: '__default__', token: 'ENVKEY', source: 'env' }],
    ['MC_API_EMAIL without MC_API_URL is ignored',
      { userConfig: { ...noDefault, legacy: { mcurl: 'https://old/api', email: 'old@x', apikey: 'OLD' } }, env: { MC_API_EMAIL: 'ci@x' } },
      { url: 'https://old/api', email: 'old@x', token: 'OLD', source: 'default' }],
    ['legacy remote_url in the project: the one account at that URL',
      { userConfig: user, projectConfig: { ...emptyProjectConfig(), remote_url: LOCAL } },
      { url: LOCAL, email: 'b@x', token: 'KEY-B', source: 'project' }],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const r = resolveRemote(input);
    expect({ url: r.url, email: r.email, token: r.token, source: r.source }).toStrictEqual(expected);
  });
});

describe('resolveRemote: CONFIG errors with a hint that says what to run', () => {
  const cases: [string, ResolveRemoteInput, RegExp][] = [
    ['in a project whose account is unknown', { userConfig: user, projectConfig: project('https://other/api', 'c@x') },
      /mc remote --add c@x --url https:\/\/other\/api/],
    ['in a project whose .mc/config.json names no account', { userConfig: user, projectConfig: emptyProjectConfig() },
      /mc clone/],
    ['legacy remote_url matching no account', { userConfig: user, projectConfig: { ...emptyProjectConfig(), remote_url: 'https://none/api' } },
      /mc remote --add EMAIL --url https:\/\/none\/api/],
    ['legacy remote_url matching two accounts',
      { userConfig: { ...user, remotes: [...user.remotes, { mcurl: LOCAL, email: 'c@x', mcapikey: 'K' }] }, projectConfig: { ...emptyProjectConfig(), remote_url: LOCAL } },
      /"remote"/],
    ['--remote naming an unknown account', { userConfig: user, explicit: { email: 'z@x', url: PROD } },
      /mc remote --add z@x --url https:\/\/materialscommons.org\/api/],
    ['--remote naming the default account at another URL', { userConfig: user, explicit: { email: 'a@x', url: LOCAL } },
      /mc remote --add a@x/],
    ['no config at all', { userConfig: emptyUserConfig() }, /mc remote --add EMAIL --url URL/],
    ['a __default__ placeholder only', { userConfig: placeholder }, /mc remote --set-default/],
    ['MC_API_KEY without MC_API_URL and no default', { userConfig: noDefault, env: { MC_API_KEY: 'ENVKEY' } }, /MC_API_URL and MC_API_KEY/],
  ];

  it.each(cases)('%s', (_name, input, hint) => {
    const err = catchMcError(() => resolveRemote(input));
    expect(err.code).toBe('CONFIG');
    expect(err.hint).toMatch(hint);
  });

  it('says which variable is missing when only one of MC_API_URL and MC_API_KEY is set', () => {
    expect(catchMcError(() => resolveRemote({ userConfig: noDefault, env: { MC_API_KEY: 'K' } })).message).toContain('MC_API_URL is not');
    expect(catchMcError(() => resolveRemote({ userConfig: noDefault, env: { MC_API_URL: ENV_URL } })).message).toContain('MC_API_KEY is not');
  });

  it('never puts a key in an error message', () => {
    const err = catchMcError(() => resolveRemote({ userConfig: user, projectConfig: project(PROD, 'nobody@x') }));
    expect(`${err.message} ${err.hint}`).not.toMatch(/KEY-/);
  });
});

describe('resolveRemote: URL warnings', () => {
  it('warns for plain http:// to a non-loopback host, not for loopback or https', () => {
    const insecure: UserConfig = { ...user, default_remote: { mcurl: 'http://mc.example.org/api', email: 'a@x', mcapikey: 'K' } };
    expect(resolveRemote({ userConfig: insecure }).warnings).toHaveLength(1);
    expect(resolveRemote({ userConfig: user, projectConfig: project(LOCAL, 'b@x') }).warnings).toEqual([]);
    expect(resolveRemote({ userConfig: user }).warnings).toEqual([]);
  });
});
