import { describe, expect, it } from 'vitest';
import { effectiveDefaultRemote } from './default-remote';
import { addRemote, listRemotes, removeRemote, setDefaultRemote } from './remote-accounts';
import { catchMcError } from './test-support';
import type { UserConfig } from './types';
import { emptyUserConfig } from './user-config';

const PROD = 'https://materialscommons.org/api';
const LOCAL = 'http://127.0.0.1:8510/api';

function config(): UserConfig {
  return {
    ...emptyUserConfig(),
    default_remote: { mcurl: PROD, email: 'a@x', mcapikey: 'KEY-A' },
    remotes: [
      { mcurl: PROD, email: 'a@x', mcapikey: 'KEY-A' },
      { mcurl: LOCAL, email: 'b@x', mcapikey: 'KEY-B' },
    ],
  };
}

describe('listRemotes', () => {
  it('sorts by (mcurl, email) and marks the default', () => {
    const c = config();
    c.remotes.push({ mcurl: PROD, email: '0@x', mcapikey: 'K0' });
    expect(listRemotes(c).map((r) => [r.mcurl, r.email, r.isDefault])).toEqual([
      [LOCAL, 'b@x', false],
      [PROD, '0@x', false],
      [PROD, 'a@x', true],
    ]);
  });
});

describe('addRemote', () => {
  it('appends a new account', () => {
    const { config: next, replaced } = addRemote(config(), { mcurl: PROD, email: 'c@x', mcapikey: 'KEY-C' });
    expect(replaced).toBe(false);
    expect(next.remotes.map((r) => r.email)).toEqual(['a@x', 'b@x', 'c@x']);
  });

  it('same mcurl and email is the same account: the key is replaced in place', () => {
    const before = config();
    const { config: next, replaced } = addRemote(before, { mcurl: LOCAL, email: 'b@x', mcapikey: 'NEW-B' });
    expect(replaced).toBe(true);
    expect(next.remotes).toStrictEqual([before.remotes[0], { mcurl: LOCAL, email: 'b@x', mcapikey: 'NEW-B' }]);
    expect(before.remotes[1]?.mcapikey).toBe('KEY-B'); // the input is not changed
  });

  it('a new key for the default account updates the default too', () => {
    const { config: next } = addRemote(config(), { mcurl: PROD, email: 'a@x', mcapikey: 'NEW-A' });
    expect(effectiveDefaultRemote(next).mcapikey).toBe('NEW-A');
  });

  it('the same email at another URL is another account', () => {
    const { config: next, replaced } = addRemote(config(), { mcurl: LOCAL, email: 'a@x', mcapikey: 'K' });
    expect(replaced).toBe(false);
    expect(next.remotes).toHaveLength(3);
  });
});

describe('removeRemote', () => {
  it('removes the account and says whether it was the default (which stays, as in the Python tool)', () => {
    const { config: next, wasDefault } = removeRemote(config(), { mcurl: PROD, email: 'a@x' });
    expect(wasDefault).toBe(true);
    expect(next.remotes.map((r) => r.email)).toEqual(['b@x']);
    expect(next.default_remote?.email).toBe('a@x');
    expect(removeRemote(config(), { mcurl: LOCAL, email: 'b@x' }).wasDefault).toBe(false);
  });

  it('an unknown account is a CONFIG error', () => {
    const err = catchMcError(() => removeRemote(config(), { mcurl: PROD, email: 'nobody@x' }));
    expect(err.code).toBe('CONFIG');
    expect(err.hint).toContain('mc remote');
  });
});

describe('setDefaultRemote', () => {
  it('makes a known account, with its key, the default', () => {
    const next = setDefaultRemote(config(), { mcurl: LOCAL, email: 'b@x' });
    expect(next.default_remote).toStrictEqual({ mcurl: LOCAL, email: 'b@x', mcapikey: 'KEY-B' });
  });

  it('wins over legacy top-level keys', () => {
    const legacy = { ...config(), legacy: { mcurl: 'https://old/api', apikey: 'OLD', email: 'old@x' } };
    expect(effectiveDefaultRemote(legacy).email).toBe('old@x');
    expect(effectiveDefaultRemote(setDefaultRemote(legacy, { mcurl: LOCAL, email: 'b@x' })).email).toBe('b@x');
  });

  it('an unknown account is a CONFIG error', () => {
    expect(catchMcError(() => setDefaultRemote(config(), { mcurl: LOCAL, email: 'a@x' })).code).toBe('CONFIG');
  });
});
