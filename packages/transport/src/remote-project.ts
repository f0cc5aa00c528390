import type { Capabilities, RemoteProject, UploadSessions } from '@mcsync/core';
import { EnhancedRemoteProject } from './enhanced-remote';
import { detectCapabilities } from './endpoints/server';
import type { HttpClient } from './http-client';
import type { LargeDownloadOptions } from './resumable-download';
import { StockRemoteProject } from './stock-remote';
import type { TusOptions } from './tus-uploads';
import type { BatchLimits } from './upload-batches';

export interface RemoteProjectOptions {
  client: HttpClient;
  projectId: number;
  /** Requests in flight per operation (default 16). */
  concurrency?: number;
  /** What the server offers; decides the strategy. Without it the stock strategy is used. */
  capabilities?: Capabilities;
  /** Stock upload batching limits (tests and benchmarks). */
  batchLimits?: BatchLimits;
  /** Resumable large-file downloads: threshold and free-space probe (tests and benchmarks). */
  largeDownloads?: LargeDownloadOptions;
  /** Where large (tus) uploads are kept so a later run resumes them (the state database). */
  uploadSessions?: UploadSessions;
  /** Large-file uploads over tus: tuning, or false for multipart only. */
  tus?: TusOptions | false;
}

/**
 * The `RemoteProject` for a project, with the best strategy the capabilities allow: `enhanced`
 * when the server advertises the sync extensions (each used only if listed), else `stock`.
 */
export function createRemoteProject(opts: RemoteProjectOptions): RemoteProject {
  const caps = opts.capabilities;
  if (caps?.profile === 'enhanced') return new EnhancedRemoteProject({ ...opts, capabilities: caps });
  return new StockRemoteProject(opts);
}

/**
 * Creates the RemoteProject for a project, asking the server what it offers (`GET /server/info`)
 * unless `capabilities` are given (e.g. cached by the caller, see `capabilitiesToJson`).
 */
export async function openRemoteProject(opts: RemoteProjectOptions & { signal?: AbortSignal }): Promise<RemoteProject> {
  const { signal, ...rest } = opts;
  const capabilities = opts.capabilities ?? (await detectCapabilities(opts.client, signal ? { signal } : {}));
  return createRemoteProject({ ...rest, capabilities });
}
