import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountServer, McRecorder, startServerWithAccounts, userConfigFile, writeUserConfig } from '../src/cli-fixture';

/** `mc remote` (cli-contract.md; the Python tool's user config, mc-api.md §7.3). */
describe('mc remote', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: { email: string; password: string; token: string };
  let bob: { email: string; password: string; token: string };

  beforeAll(async () => {
    server = await startServerWithAccounts('cli-remote', ['ann@example.org', 'bob@example.org']);
    [ann, bob] = server.accounts as [typeof ann, typeof bob];
  });
  afterAll(async () => {
    await server?.stop();
  });

  const readConfig = (home: string) => JSON.parse(readFileSync(userConfigFile(home), 'utf8'));

  it('--add EMAIL --url URL --password-stdin logs in and stores the key as the Python tool does: 2-space indent, mode 0600, field mcapikey, first account the default', async () => {
    const home = server.scratch('home');
    const add = await mc.run(['remote', '--add', ann.email, '--url', server.url, '--password-stdin'], { home, input: `${ann.password}\n` });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).not.toMatch(/warning/i); // plain http:// is fine on loopback

    const text = readFileSync(userConfigFile(home), 'utf8');
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2));
    expect(statSync(userConfigFile(home)).mode & 0o777).toBe(0o600);
    const account = { mcurl: server.url, email: ann.email, mcapikey: ann.token };
    expect(JSON.parse(text)).toMatchObject({ default_remote: account, remotes: [account] });
  });

  it('mc remote and mc remote -l list the accounts without their keys; --show-apikey shows them', async () => {
    const home = server.scratch('home');
    await mc.run(['remote', '--add', ann.email, '--url', server.url, '--password-stdin'], { home, input: `${ann.password}\n` });

    for (const args of [['remote'], ['remote', '-l']]) {
      const list = await mc.run(args, { home });
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain(ann.email);
      expect(list.stdout).toContain(server.url);
      expect(list.stdout).not.toContain(ann.token);
    }
    const shown = await mc.runAllowedToShowToken(['remote', '--show-apikey'], { home });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(ann.token);
  });

  it('a wrong password exits 2, saves nothing and prints neither the password nor a token', async () => {
    const home = server.scratch('home');
    const wrong = 'not-the-password-123';
    const add = await mc.run(['remote', '--add', ann.email, '--url', server.url, '--password-stdin'], { home, input: `${wrong}\n` });
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(/password/i);
    expect(existsSync(userConfigFile(home))).toBe(false);
    expect(add.stdout + add.stderr).not.toContain(wrong);
    expect(add.stdout + add.stderr).not.toContain(ann.token);
  });

  it('a second account does not replace the default; --set-default EMAIL URL switches it; --remove drops an account', async () => {
    const home = server.scratch('home');
    await mc.run(['remote', '--add', ann.email, '--url', server.url, '--password-stdin'], { home, input: `${ann.password}\n` });
    const second = await mc.run(['remote', '--add', bob.email, '--url', server.url, '--password-stdin'], { home, input: `${bob.password}\n` });
    expect(second.code, second.stderr).toBe(0);
    expect(readConfig(home).default_remote.email).toBe(ann.email);
    expect(readConfig(home).remotes.map((r: { email: string }) => r.email)).toEqual([ann.email, bob.email]);

    const setDefault = await mc.run(['remote', '--set-default', bob.email, server.url], { home });
    expect(setDefault.code, setDefault.stderr).toBe(0);
    expect(readConfig(home).default_remote).toEqual({ mcurl: server.url, email: bob.email, mcapikey: bob.token });
    const list = await mc.run(['remote'], { home });
    expect(list.stdout.split('\n').find((l) => l.includes(bob.email))).toMatch(/^\*/);
    expect(list.stdout.split('\n').find((l) => l.includes(ann.email))).not.toMatch(/^\*/);

    const remove = await mc.run(['remote', '--remove', ann.email, '--url', server.url], { home });
    expect(remove.code, remove.stderr).toBe(0);
    expect(readConfig(home).remotes).toEqual([{ mcurl: server.url, email: bob.email, mcapikey: bob.token }]);
    expect(statSync(userConfigFile(home)).mode & 0o777).toBe(0o600);
  });

  it("keeps what the Python tool wrote (globus, developer_mode, REST_logging, other accounts) when adding an account", async () => {
    const home = server.scratch('home');
    const python = {
      default_remote: { mcurl: 'https://materialscommons.org/api', email: 'old@example.org', mcapikey: 'old-key-from-python' },
      remotes: [{ mcurl: 'https://materialscommons.org/api', email: 'old@example.org', mcapikey: 'old-key-from-python' }],
      globus: { transfer_rt: 'globus-refresh-token', endpoint_id: 'c4d80096-7612-11e7-8b5e-22000b9923ef' },
      developer_mode: true,
      REST_logging: true,
    };
    writeUserConfig(home, python);

    const add = await mc.run(['remote', '--add', ann.email, '--url', server.url, '--password-stdin'], { home, input: `${ann.password}\n` });
    expect(add.code, add.stderr).toBe(0);
    const after = readConfig(home);
    expect(after).toEqual({
      ...python,
      remotes: [...python.remotes, { mcurl: server.url, email: ann.email, mcapikey: ann.token }],
    });
  });

  it('warns about a plain http:// URL that is not on this machine', async () => {
    const home = server.scratch('home');
    const add = await mc.run(['remote', '--add', ann.email, '--url', 'http://mc.example.org/api', '--token', 'sixty-characters-are-not-needed-here'], { home });
    expect(add.code, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/warning.*http:\/\/mc\.example\.org/i);
    expect(add.stdout).not.toMatch(/warning/i);
  });

  it('no output of mc in this file contains a token or a password', () => {
    expect(mc.count).toBeGreaterThan(5);
    expect(mc.leaks([ann.token, bob.token, ann.password, bob.password, 'globus-refresh-token', 'old-key-from-python', 'sixty-characters-are-not-needed-here'])).toEqual([]);
  });
});
