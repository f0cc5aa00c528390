import type { Store } from './db/store.js';
import type { UserRecord } from './db/users.js';
import { hashPassword } from './passwords.js';
import { generateToken } from './tokens.js';

/** Why a user-management request was refused; `code` is stable for the CLI and library callers. */
export class AccountError extends Error {
  constructor(
    readonly code: 'email-taken' | 'no-such-user' | 'invalid-email' | 'empty-password',
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
  }
}

export interface NewAccount {
  email: string;
  password: string;
  /** Display name; defaults to the part of the email before `@`. */
  name?: string;
}

export async function createAccount(store: Store, account: NewAccount): Promise<UserRecord> {
  const email = account.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AccountError('invalid-email', `not an email address: ${email}`);
  if (account.password === '') throw new AccountError('empty-password', 'the password must not be empty');
  if (store.users.byEmail(email)) throw new AccountError('email-taken', `a user with email ${email} already exists`);
  const passwordHash = await hashPassword(account.password);
  const name = account.name?.trim() || email.slice(0, email.indexOf('@'));
  // Checked again inside the write: hashing yields the event loop, and the CLI may run beside a server.
  return store.transaction(() => {
    if (store.users.byEmail(email)) throw new AccountError('email-taken', `a user with email ${email} already exists`);
    return store.users.insert({ email, name, passwordHash, token: generateToken() });
  });
}

/** The user's token; a fresh one replaces it when `renew` is set (production has no API for this). */
export function accountToken(store: Store, email: string, renew = false): string {
  const user = store.users.byEmail(email.trim());
  if (!user) throw new AccountError('no-such-user', `no user with email ${email}`);
  if (!renew) return user.api_token;
  const token = generateToken();
  store.users.setToken(user.id, token);
  return token;
}
