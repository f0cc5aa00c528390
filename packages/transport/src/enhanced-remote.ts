import type { Capabilities, DownloadItem, DownloadResult, MkdirResult, Problem, ProjectPath, RemoteChanges, RemoteProject, RemoteSnapshot, RemoveItem, RemoveResult, TransferOptions, UploadItem, UploadResult } from '@mcsync/core';
import { BULK_DOWNLOAD_BYTE_CAP, BULK_DOWNLOAD_DEFAULT_FILES } from './bulk-download';
import { BULK_UPLOAD_BYTE_CAP, BULK_UPLOAD_DEFAULT_FILES } from './bulk-upload';
import { BY_CHECKSUM_BATCH } from './by-checksum-upload';
import { hasFeature, limitOf } from './capabilities';
import { changesSince } from './change-feed';
import { DirectoryIndex } from './directory-index';
import { enhancedDownload } from './enhanced-download';
import { enhancedUpload } from './enhanced-upload';
import type { HttpClient } from './http-client';
import { makeDirectories } from './make-directories';
import type { LargeDownloadOptions } from './resumable-download';
import { DEFAULT_CONCURRENCY } from './scheduler';
import { stockRemove } from './stock-remove';
import type { StockRemoteOptions } from './stock-remote';
import { stockSnapshot } from './stock-snapshot';
import { treeSnapshot } from './tree-snapshot';
import { TusUploads } from './tus-uploads';
import type { BatchLimits } from './upload-batches';

export interface EnhancedRemoteOptions extends StockRemoteOptions {
  /** What `/server/info` advertised (`sync_api`): each extension is used only if listed. */
  capabilities: Capabilities;
}

/**
 * `RemoteProject` for a server with the sync extensions (the `enhanced` strategy, sync-api.md).
 * Each operation uses its extension when the server lists it and the stock way otherwise:
 * `tree` for snapshots, `changes` for the feed, `by-checksum` and `bulk-upload` for uploads,
 * `bulk-download` for downloads, `preconditions` for uploads and deletes that must not overwrite
 * a version they did not see, `tus-checksum` for large files (tus itself is probed, as on stock).
 * Directories are made the stock way (by path) in every case.
 */
export class EnhancedRemoteProject implements RemoteProject {
  readonly projectId: number;
  readonly #client: HttpClient;
  readonly #dirs: DirectoryIndex;
  readonly #concurrency: number;
  readonly #batchLimits: BatchLimits | undefined;
  readonly #caps: Capabilities;
  readonly #largeDownloads: LargeDownloadOptions | undefined;
  readonly #tus: TusUploads | undefined;

  constructor(opts: EnhancedRemoteOptions) {
    this.projectId = opts.projectId;
    this.#client = opts.client.child();
    this.#dirs = new DirectoryIndex(this.#client, opts.projectId);
    this.#concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.#batchLimits = opts.batchLimits;
    this.#caps = opts.capabilities;
    this.#largeDownloads = opts.largeDownloads;
    const caps = opts.capabilities;
    // tus itself is probed (production may not serve it); its extensions follow `sync_api`.
    this.#tus =
      opts.tus === false
        ? undefined
        : new TusUploads({
            ...opts.tus,
            client: this.#client,
            projectId: opts.projectId,
            dirs: this.#dirs,
            checksum: hasFeature(caps, 'tus-checksum'),
            preconditions: hasFeature(caps, 'preconditions'),
            maxChunkBytes: limitOf(caps, 'tus_max_chunk_bytes'),
            sessions: opts.uploadSessions,
          });
  }

  async capabilities(): Promise<Capabilities> {
    return this.#caps;
  }

  async snapshot(
    prefixes?: readonly ProjectPath[],
    opts: { signal?: AbortSignal; onProblem?: (problem: Problem) => void } = {},
  ): Promise<RemoteSnapshot> {
    if (hasFeature(this.#caps, 'tree')) return treeSnapshot(this.#client, this.projectId, this.#dirs, prefixes, opts);
    const entries = await stockSnapshot(this.#client, this.projectId, this.#dirs, prefixes, { ...opts, concurrency: this.#concurrency });
    return { entries, cursor: null };
  }

  async changesSince(
    cursor: string,
    opts: { signal?: AbortSignal; onProblem?: (problem: Problem) => void } = {},
  ): Promise<RemoteChanges | null> {
    return hasFeature(this.#caps, 'changes') ? changesSince(this.#client, this.projectId, cursor, opts) : null;
  }

  mkdirs(paths: readonly ProjectPath[], opts: TransferOptions = {}): AsyncIterable<MkdirResult> {
    return makeDirectories(this.#dirs, paths, this.#concurrency, opts);
  }

  upload(items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
    const caps = this.#caps;
    const bulk = hasFeature(caps, 'bulk-upload')
      ? {
          maxFiles: limitOf(caps, 'bulk_upload_max_files') ?? BULK_UPLOAD_DEFAULT_FILES,
          maxBytes: Math.min(BULK_UPLOAD_BYTE_CAP, limitOf(caps, 'bulk_upload_max_bytes') ?? Number.POSITIVE_INFINITY),
        }
      : null;
    return enhancedUpload(
      {
        client: this.#client,
        projectId: this.projectId,
        dirs: this.#dirs,
        concurrency: this.#concurrency,
        ...(this.#batchLimits ? { limits: this.#batchLimits } : {}),
        preconditions: hasFeature(caps, 'preconditions'),
        tus: this.#tus,
        // The reference server bounds by-checksum requests by the bulk-upload file limit too.
        byChecksum: hasFeature(caps, 'by-checksum') ? { maxFiles: Math.min(BY_CHECKSUM_BATCH, limitOf(caps, 'bulk_upload_max_files') ?? BY_CHECKSUM_BATCH) } : null,
        bulk,
      },
      items,
      opts,
    );
  }

  download(items: readonly DownloadItem[], opts: TransferOptions = {}): AsyncIterable<DownloadResult> {
    const caps = this.#caps;
    const bulk = hasFeature(caps, 'bulk-download')
      ? { maxFiles: limitOf(caps, 'bulk_download_max_files') ?? BULK_DOWNLOAD_DEFAULT_FILES, maxBytes: BULK_DOWNLOAD_BYTE_CAP }
      : null;
    return enhancedDownload({ client: this.#client, projectId: this.projectId, concurrency: this.#concurrency, bulk, large: this.#largeDownloads }, items, opts);
  }

  /** Files, then folders deepest first, as on stock; with `preconditions` the server checks each file's version. */
  remove(items: readonly RemoveItem[], opts: TransferOptions = {}): AsyncIterable<RemoveResult> {
    return stockRemove(
      { client: this.#client, projectId: this.projectId, dirs: this.#dirs, concurrency: this.#concurrency, preconditions: hasFeature(this.#caps, 'preconditions') },
      items,
      opts,
    );
  }

  requestCount(): number {
    return this.#client.requestCount();
  }
}
