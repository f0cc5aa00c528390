import { Flags } from '@oclif/core';
import { McError } from '@mcsync/core';
import {
  DEFAULT_MCURL,
  type UserConfig,
  addRemote,
  checkRemoteUrl,
  isPlaceholder,
  listRemotes,
  removeRemote,
  saveUserConfig,
  setDefaultRemote,
} from '@mcsync/store';
import { login } from '@mcsync/transport';
import { McCommand } from '../base-command';
import { promptHidden, readStdinLine } from '../prompt';
import { loadUserConfig } from '../session';

export default class Remote extends McCommand {
  static override summary = 'List, add and remove Materials Commons accounts';
  static override description =
    'Accounts live in ~/.materialscommons/config.json (shared with the Python mc, mode 0600). Without flags, lists them. --add without --token logs in with the password (hidden prompt, or one line of stdin).';
  static override examples = [
    '<%= config.bin %> remote',
    '<%= config.bin %> remote --add me@example.org --url https://materialscommons.org/api',
    'echo "$PASSWORD" | <%= config.bin %> remote --add me@example.org --password-stdin',
    '<%= config.bin %> remote --set-default me@example.org https://materialscommons.org/api',
  ];

  static override flags = {
    list: Flags.boolean({ char: 'l', description: 'list accounts (the default)' }),
    'show-apikey': Flags.boolean({ description: 'include API keys in the list' }),
    add: Flags.string({ description: 'add the account EMAIL (replacing its key if known)', helpValue: 'EMAIL' }),
    url: Flags.string({ description: `REST URL of the server, ending in /api (default ${DEFAULT_MCURL})` }),
    token: Flags.string({ description: 'API token to store instead of logging in', exclusive: ['password-stdin'] }),
    'password-stdin': Flags.boolean({ description: 'read the password from one line of stdin' }),
    remove: Flags.string({ description: 'remove the account EMAIL', helpValue: 'EMAIL' }),
    'set-default': Flags.string({ description: 'make EMAIL URL the default account', multiple: true, helpValue: 'EMAIL URL' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Remote);
    const cli = this.cli(flags.debug);
    const config = loadUserConfig(cli);
    const home = { home: cli.home };

    if (flags.add) {
      const url = flags.url ?? DEFAULT_MCURL;
      for (const w of checkRemoteUrl(url)) this.notice(`warning: ${w}`);
      if (!/\/api\/?$/.test(url)) this.notice(`warning: ${url} does not end in /api; Materials Commons REST URLs do (e.g. https://materialscommons.org/api)`);
      const token = flags.token ?? (await this.loginFor(flags.add, url, flags['password-stdin']));
      const { config: added, replaced } = addRemote(config, { mcurl: url, email: flags.add, mcapikey: token });
      const makeDefault = !added.default_remote || isPlaceholder(added.default_remote);
      saveUserConfig(makeDefault ? setDefaultRemote(added, { mcurl: url, email: flags.add }) : added, home);
      this.out(`${replaced ? 'updated' : 'added'} ${flags.add} at ${url}${makeDefault ? ' (default)' : ''}`);
      return;
    }
    if (flags.remove) {
      const url = flags.url ?? this.uniqueUrlFor(config, flags.remove);
      const { config: removed, wasDefault } = removeRemote(config, { mcurl: url, email: flags.remove });
      saveUserConfig(removed, home);
      this.out(`removed ${flags.remove} at ${url}`);
      if (wasDefault) this.notice('note: it is still the default account; choose another with `mc remote --set-default EMAIL URL`');
      return;
    }
    if (flags['set-default']) {
      const [email, url] = flags['set-default'];
      if (!email || !url || flags['set-default'].length !== 2) throw new McError('USAGE', '--set-default takes two values: EMAIL URL');
      saveUserConfig(setDefaultRemote(config, { mcurl: url, email }), home);
      this.out(`default account: ${email} at ${url}`);
      return;
    }
    const rows = listRemotes(config);
    const def = config.default_remote;
    if (def?.mcurl && def.email && !isPlaceholder(def) && !rows.some((r) => r.isDefault)) {
      this.out(`* ${def.email}  ${def.mcurl}  (default; not in the list of accounts)`);
    }
    if (rows.length === 0) {
      this.notice('no accounts yet; add one with `mc remote --add EMAIL --url URL`');
      return;
    }
    for (const r of rows) {
      const key = flags['show-apikey'] ? `  ${r.mcapikey ?? '(no key)'}` : '';
      this.out(`${r.isDefault ? '*' : ' '} ${r.email}  ${r.mcurl}${key}`);
    }
  }

  private async loginFor(email: string, url: string, fromStdin: boolean): Promise<string> {
    const password = fromStdin || !process.stdin.isTTY ? await readStdinLine() : await promptHidden(`password for ${email} at ${url}: `);
    if (!password) throw new McError('USAGE', 'no password given', { hint: 'type it at the prompt, pipe it with --password-stdin, or pass --token' });
    const token = await login(url, email, password, { debug: this.cli().debug });
    return token.api_token;
  }

  private uniqueUrlFor(config: UserConfig, email: string): string {
    const matches = listRemotes(config).filter((r) => r.email === email);
    if (matches.length === 1) return matches[0]!.mcurl;
    if (matches.length === 0) throw new McError('CONFIG', `no account ${email}`, { hint: 'list accounts with `mc remote`' });
    throw new McError('USAGE', `${email} has accounts on several servers`, { hint: 'say which with --url URL' });
  }
}
