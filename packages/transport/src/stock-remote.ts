import type { Capabilities, DownloadItem, DownloadResult, MkdirResult, Problem, ProjectPath, RemoteChanges, RemoteProject, RemoteSnapshot, RemoveItem, RemoveResult, TransferOptions, UploadItem, UploadResult, UploadSessions } from '@mcsync/core';
import { DirectoryIndex } from './directory-index';
import { detectCapabilities } from './endpoints/server';
import type { HttpClient } from './http-client';
import { makeDirectories } from './make-directories';
import type { LargeDownloadOptions } from './resumable-download';
import { DEFAULT_CONCURRENCY } from './scheduler';
import { stockDownload } from './stock-download';
import { refuseChangedSince } from './stock-precheck';
import { stockRemove } from './stock-remove';
import { stockSnapshot } from './stock-snapshot';
import { stockUpload } from './stock-upload';
import { type TusOptions, TusUploads } from './tus-uploads';
import type { BatchLimits } from './upload-batches';

export interface StockRemoteOptions {
  /** The client to share; the remote counts its own requests on a child of it. */
  client: HttpClient;
  projectId: number;
  /** Requests in flight per operation (default 16); TransferOptions.concurrency overrides it per call. */
  concurrency?: number;
  /** Known capabilities (skips `GET /server/info` when `capabilities()` is asked). */
  capabilities?: Capabilities;
  /** Upload batching limits (tests). */
  batchLimits?: BatchLimits;
  /** Resumable large-file downloads: threshold and free-space probe (tests). */
  largeDownloads?: LargeDownloadOptions;
  /** Where large (tus) uploads are kept so a later run resumes them (the state database). */
  uploadSessions?: UploadSessions;
  /** Large-file uploads over tus: tuning, or false for multipart only. */
  tus?: TusOptions | false;
}

/**
 * `RemoteProject` over production's API only (the `stock` strategy): enumeration by directory
 * listings, directories created by path, uploads as batched multipart (large files over tus when
 * the server serves it, confirmed through REST), downloads streamed to
 * verified temp files.
 */
export class StockRemoteProject implements RemoteProject {
  readonly projectId: number;
  readonly #client: HttpClient;
  readonly #dirs: DirectoryIndex;
  readonly #concurrency: number;
  readonly #batchLimits: BatchLimits | undefined;
  readonly #largeDownloads: LargeDownloadOptions | undefined;
  readonly #tus: TusUploads | undefined;
  #capabilities: Promise<Capabilities> | undefined;
  /** Newest file upload time (server clock, ms) the last snapshot saw; the precheck asks for changes after it. */
  #watermark: number | null = null;
  #snapshotTaken = false;

  constructor(opts: StockRemoteOptions) {
    this.projectId = opts.projectId;
    this.#client = opts.client.child();
    this.#dirs = new DirectoryIndex(this.#client, opts.projectId);
    this.#concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.#batchLimits = opts.batchLimits;
    this.#largeDownloads = opts.largeDownloads;
    this.#capabilities = opts.capabilities ? Promise.resolve(opts.capabilities) : undefined;
    // Production's tus: no checksums, no preconditions, completion confirmed through REST.
    this.#tus =
      opts.tus === false
        ? undefined
        : new TusUploads({ ...opts.tus, client: this.#client, projectId: opts.projectId, dirs: this.#dirs, checksum: false, preconditions: false, sessions: opts.uploadSessions });
  }

  capabilities(): Promise<Capabilities> {
    this.#capabilities ??= detectCapabilities(this.#client).catch((err: unknown) => {
      this.#capabilities = undefined;
      throw err;
    });
    return this.#capabilities;
  }

  async snapshot(
    prefixes?: readonly ProjectPath[],
    opts: { signal?: AbortSignal; onProblem?: (problem: Problem) => void } = {},
  ): Promise<RemoteSnapshot> {
    const entries = await stockSnapshot(this.#client, this.projectId, this.#dirs, prefixes, { ...opts, concurrency: this.#concurrency });
    for (const e of entries) if (e.kind === 'file' && e.createdAt !== undefined) this.#watermark = Math.max(this.#watermark ?? 0, e.createdAt);
    this.#snapshotTaken = true;
    return { entries, cursor: null };
  }

  /** Production has no change feed (`file-changes-since` misses deletes and moves). */
  async changesSince(): Promise<RemoteChanges | null> {
    return null;
  }

  remove(items: readonly RemoveItem[], opts: TransferOptions = {}): AsyncIterable<RemoveResult> {
    return stockRemove({ client: this.#client, projectId: this.projectId, dirs: this.#dirs, concurrency: this.#concurrency }, items, opts);
  }

  mkdirs(paths: readonly ProjectPath[], opts: TransferOptions = {}): AsyncIterable<MkdirResult> {
    return makeDirectories(this.#dirs, paths, this.#concurrency, opts);
  }

  /**
   * Uploads over the multipart routes. Items with a precondition (`ifCurrentId`) are first checked
   * against `file-changes-since` (see `refuseChangedSince`), since production cannot refuse them.
   */
  upload(items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
    const ctx = { client: this.#client, projectId: this.projectId, dirs: this.#dirs, concurrency: this.#concurrency, tus: this.#tus, ...(this.#batchLimits ? { limits: this.#batchLimits } : {}) };
    if (!this.#snapshotTaken || !items.some((i) => i.ifCurrentId !== undefined)) return stockUpload(ctx, items, opts);
    const client = this.#client;
    const projectId = this.projectId;
    const watermark = this.#watermark;
    return (async function* () {
      let checked: Awaited<ReturnType<typeof refuseChangedSince>>;
      try {
        checked = await refuseChangedSince(client, projectId, watermark, items, opts.signal);
      } catch {
        checked = { go: [...items], refused: [] }; // the hint is optional; the uploads still go
      }
      yield* checked.refused;
      yield* stockUpload(ctx, checked.go, opts);
    })();
  }

  /** Streams each file to a verified temp file beside its target (see `downloadToTemp`). */
  download(items: readonly DownloadItem[], opts: TransferOptions = {}): AsyncIterable<DownloadResult> {
    return stockDownload({ client: this.#client, projectId: this.projectId, concurrency: this.#concurrency, large: this.#largeDownloads }, items, opts);
  }

  requestCount(): number {
    return this.#client.requestCount();
  }
}
