import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAccount, type NewAccount } from './accounts.js';
import { BlobStore } from './blobs.js';
import type { ServerContext } from './context.js';
import { Store } from './db/store.js';
import { FaultPlan } from './faults/fault-plan.js';
import { parseFaultSpec } from './faults/fault-spec.js';
import { DEFAULT_PROFILE, type Profile } from './profiles.js';
import { buildApp } from './server.js';
import { DEFAULT_SYNC_LIMITS, type SyncLimits } from './sync-limits.js';
import { TusService } from './tus/tus-service.js';

export interface StartServerOptions {
  /** Data directory (database + blobs); created if missing. */
  dataDir: string;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Port; default 8510, `0` = any free port. */
  port?: number;
  /** Default `enhanced` (sync-api.md); `stock` serves production's API alone. */
  profile?: Profile;
  /** Changes kept per project in the feed; older cursors get 410. Default 1,000,000. */
  changesRetention?: number;
  /** Overrides of the enhanced profile's `sync_api.limits` (tests use small ones). */
  syncLimits?: Partial<SyncLimits>;
  /** One stderr line per request; default off. */
  logRequests?: boolean;
  /** Append `METHOD PATH STATUS BYTES_IN` per request to this file; default none. */
  accessLog?: string;
  /** Where unexpected failures are reported; default stderr. */
  logError?: (message: string) => void;
  /** Test-only fault injection: a SPEC as README.md describes (`tus-patch:corrupt@0.5,download:reset`). Invalid → FaultSpecError. */
  faults?: string;
  /** Seed of the fault PRNG (0 to 2^32 − 1); the same seed and request sequence fire the same faults. Default 1. */
  seed?: number;
  /** Stock tus: delay between the completing response and the row (default 0 = next tick); tests widen the window. */
  stockTusCompletionDelayMs?: number;
}

export interface RunningServer {
  /** REST base, e.g. `http://127.0.0.1:40123/api` (a wildcard host is given as loopback). */
  url: string;
  /** `url` without `/api`: tus lives at `${origin}/files/`. */
  origin: string;
  host: string;
  port: number;
  profile: Profile;
  dataDir: string;
  /** The fastify instance, for `inject()` in tests. */
  app: FastifyInstance;
  /** Creates a user in this server's database; resolves to its id, email and token. */
  createUser(account: NewAccount): Promise<{ id: number; email: string; token: string }>;
  /** Stops accepting, waits up to 5 s for in-flight requests, closes the database. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8510;
export const DEFAULT_FAULT_SEED = 1;
const GRACE_MS = 5000;

/** Opens a data directory and serves it; resolves once the server accepts connections. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  const profile = options.profile ?? DEFAULT_PROFILE;
  // Parsed before anything is opened: a bad SPEC is the caller's mistake, not a half-started server.
  const faults = options.faults === undefined ? FaultPlan.none() : new FaultPlan(parseFaultSpec(options.faults), options.seed ?? DEFAULT_FAULT_SEED);
  const store = Store.open(dataDir, options.changesRetention === undefined ? {} : { changesRetention: options.changesRetention });
  try {
    const blobs = new BlobStore(dataDir);
    await blobs.init();
    const ctx: ServerContext = {
      store,
      blobs,
      profile,
      syncLimits: { ...DEFAULT_SYNC_LIMITS, ...options.syncLimits },
      serverUuid: store.settings.getOrInit('server_uuid', randomUUID),
      logError: options.logError ?? ((message) => process.stderr.write(`${message}\n`)),
      faults,
    };
    const tus = new TusService(ctx, dataDir, {
      ...(options.stockTusCompletionDelayMs !== undefined && { stockCompletionDelayMs: options.stockTusCompletionDelayMs }),
    });
    await tus.init();
    const app = await buildApp(ctx, {
      stderr: options.logRequests ?? false,
      ...(options.accessLog !== undefined && { file: options.accessLog }),
      tus,
    });
    const host = options.host ?? DEFAULT_HOST;
    // A port in use must not leave the access log or the database open behind it.
    await app.listen({ host, port: options.port ?? DEFAULT_PORT }).catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
    const origin = `http://${urlHost(connectableHost(host))}:${port}`;

    let closing: Promise<void> | undefined;
    return {
      url: `${origin}/api`,
      origin,
      host,
      port,
      profile,
      dataDir,
      app,
      async createUser(account) {
        const user = await createAccount(store, account);
        return { id: user.id, email: user.email, token: user.api_token };
      },
      close() {
        closing ??= closeGracefully(app).finally(() => store.close());
        return closing;
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}

async function closeGracefully(app: FastifyInstance): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((done) => {
    timer = setTimeout(() => {
      // In-flight requests had their grace period: cut them so the process can exit.
      app.server.closeAllConnections();
      done();
    }, GRACE_MS);
  });
  await Promise.race([app.close(), deadline]);
  clearTimeout(timer);
}

/** A host clients can connect to: wildcard addresses mean "this machine". */
function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

/** Brackets for IPv6 literals, as URLs need them. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
