import type { Capabilities, RemoteProject } from '@mcsync/core';
import { detectCapabilities } from './endpoints/server';
import type { HttpClient } from './http-client';
import { StockRemoteProject } from './stock-remote';
import type { BatchLimits } from './upload-batches';

export interface RemoteProjectOptions {
  client: HttpClient;
  projectId: number;
  /** Requests in flight per operation (default 16). */
  concurrency?: number;
  /** What the server offers; decides the strategy. Without it the stock strategy is used. */
  capabilities?: Capabilities;
  /** Upload batching limits (tests and benchmarks). */
  batchLimits?: BatchLimits;
}

/**
 * The `RemoteProject` for a project, with the best strategy the capabilities allow. Only `stock`
 * exists so far; an `enhanced` strategy (sync-api.md) will be chosen here when
 * `capabilities.profile === 'enhanced'`, behind the same interface.
 */
export function createRemoteProject(opts: RemoteProjectOptions): RemoteProject {
  return new StockRemoteProject(opts);
}

/** Asks the server what it offers (`GET /server/info`), then creates the matching RemoteProject. */
export async function openRemoteProject(opts: Omit<RemoteProjectOptions, 'capabilities'> & { signal?: AbortSignal }): Promise<RemoteProject> {
  const { signal, ...rest } = opts;
  const capabilities = await detectCapabilities(opts.client, signal ? { signal } : {});
  return createRemoteProject({ ...rest, capabilities });
}
