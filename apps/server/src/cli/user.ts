import { parseArgs } from 'node:util';
import { AccountError, accountToken, createAccount } from '../accounts.js';
import { Store } from '../db/store.js';
import { CliError, usageError, type CliIo } from './io.js';
import { promptNewPassword, readStdinLine } from './read-password.js';

/** `mc-server user add|token`: user management on a data directory (a server may be running on it). */
export async function runUser(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'add') return addUser(rest, io);
  if (action === 'token') return showToken(rest, io);
  throw usageError(action === undefined ? 'missing user command (add or token)' : `unknown user command ${action}`);
}

async function addUser(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { data: { type: 'string' }, 'password-stdin': { type: 'boolean' }, name: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const email = oneEmail(positionals);
  const dataDir = requireData(values.data);
  const password = values['password-stdin'] ? await readStdinLine(io) : await promptNewPassword(io);
  const store = Store.open(dataDir);
  try {
    const user = await createAccount(store, { email, password, ...(values.name !== undefined && { name: values.name }) });
    io.stdout.write(`${user.api_token}\n`);
    return 0;
  } catch (error) {
    throw asCliError(error);
  } finally {
    store.close();
  }
}

async function showToken(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { data: { type: 'string' }, new: { type: 'boolean' } },
    strict: true,
    allowPositionals: true,
  });
  const email = oneEmail(positionals);
  const store = Store.open(requireData(values.data));
  try {
    io.stdout.write(`${accountToken(store, email, values.new ?? false)}\n`);
    return 0;
  } catch (error) {
    throw asCliError(error);
  } finally {
    store.close();
  }
}

function oneEmail(positionals: string[]): string {
  if (positionals.length !== 1) throw usageError('expected exactly one EMAIL');
  return positionals[0]!;
}

function requireData(data: string | undefined): string {
  if (data === undefined) throw usageError('--data DIR is required');
  return data;
}

/** Refusals (existing email, unknown user) exit 1; malformed input exits 2. */
function asCliError(error: unknown): unknown {
  if (!(error instanceof AccountError)) return error;
  const usage = error.code === 'invalid-email' || error.code === 'empty-password';
  return new CliError(error.message, usage ? 2 : 1);
}
