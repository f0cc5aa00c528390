/**
 * @mcsync/server: the reference Materials Commons server, as a library. Start one in-process (port 0
 * for tests), create users, point a client at `url`. See README.md.
 */
import { accountToken, createAccount, type NewAccount } from './accounts.js';
import { Store } from './db/store.js';

export { AccountError, type NewAccount } from './accounts.js';
export { DEFAULT_PROFILE, PROFILES, type Profile } from './profiles.js';
export { DEFAULT_CHANGES_RETENTION } from './db/changes.js';
export { DEFAULT_SYNC_LIMITS, TUS_MAX_CHUNK_BYTES, type SyncLimits } from './sync-limits.js';
export { DEFAULT_FAULT_SEED, DEFAULT_HOST, DEFAULT_PORT, startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { FAULT_FAMILIES, type FaultFamily } from './faults/families.js';
export { FAULT_KINDS, FaultSpecError, parseFaultSpec, type FaultAction, type FaultRule } from './faults/fault-spec.js';
export {
  ENHANCED_TUS_EXTENSIONS,
  STOCK_TUS_EXTENSIONS,
  TUS_CHECKSUM_ALGORITHMS,
  TUS_MAX_SIZE,
  TUS_RESULT_RETENTION_MS,
  TUS_UPLOAD_EXPIRY_MS,
  TUS_VERSION,
} from './tus/tus-protocol.js';

/** Creates a user in a data directory (created if missing). Works beside a running server on it. */
export async function createUser(dataDir: string, account: NewAccount): Promise<{ id: number; email: string; token: string }> {
  const store = Store.open(dataDir);
  try {
    const user = await createAccount(store, account);
    return { id: user.id, email: user.email, token: user.api_token };
  } finally {
    store.close();
  }
}

/** A user's API token; `renew` replaces it with a new one first. */
export function userToken(dataDir: string, email: string, options: { renew?: boolean } = {}): string {
  const store = Store.open(dataDir);
  try {
    return accountToken(store, email, options.renew ?? false);
  } finally {
    store.close();
  }
}
