import type { FastifyInstance } from 'fastify';
import type { BlobStore } from './blobs.js';
import type { Store } from './db/store.js';
import type { FaultPlan } from './faults/fault-plan.js';
import type { Profile } from './profiles.js';
import type { SyncLimits } from './sync-limits.js';

/** What every route needs, built once per server. No module-level state: tests run servers side by side. */
export interface ServerContext {
  store: Store;
  blobs: BlobStore;
  profile: Profile;
  /** What the enhanced profile advertises and enforces for bulk requests. */
  syncLimits: SyncLimits;
  /** Stable identity of this data directory, shown by `GET /server/info`. */
  serverUuid: string;
  /** Where unexpected failures are reported (stderr by default); never given tokens or passwords. */
  logError(message: string): void;
  /** Test-only fault injection (`--faults`); inactive unless rules were given. */
  faults: FaultPlan;
}

/** One group of routes; registered under `/api` by the server assembly for the profiles that have it. */
export type RouteModule = (api: FastifyInstance, ctx: ServerContext) => void;

/** Path parameter pattern for numeric ids: other values match no route (404), as sync-api paths must. */
export const ID = '(^\\d+)';
