import { type Capabilities, type DownloadItem, type DownloadResult, foldPath, type MkdirResult, type Problem, type ProjectPath, type RemoteChanges, type RemoteEntry, type RemoteProject, type RemoteSnapshot, type RemoveItem, type RemoveResult, toMcError, type TransferOptions, type UploadItem, type UploadResult } from '@mcsync/core';
import { DirectoryIndex } from './directory-index';
import { downloadToTemp } from './download-file';
import { detectCapabilities } from './endpoints/server';
import type { HttpClient } from './http-client';
import { abortedError } from './http-errors';
import { ProgressReporter } from './progress';
import { DEFAULT_CONCURRENCY, schedule } from './scheduler';
import { stockRemove } from './stock-remove';
import { stockSnapshot } from './stock-snapshot';
import { stockUpload } from './stock-upload';
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
}

/**
 * `RemoteProject` over production's API only (the `stock` strategy): enumeration by directory
 * listings, directories created by path, uploads as batched multipart, downloads streamed to
 * verified temp files.
 */
export class StockRemoteProject implements RemoteProject {
  readonly projectId: number;
  readonly #client: HttpClient;
  readonly #dirs: DirectoryIndex;
  readonly #concurrency: number;
  readonly #batchLimits: BatchLimits | undefined;
  #capabilities: Promise<Capabilities> | undefined;

  constructor(opts: StockRemoteOptions) {
    this.projectId = opts.projectId;
    this.#client = opts.client.child();
    this.#dirs = new DirectoryIndex(this.#client, opts.projectId);
    this.#concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.#batchLimits = opts.batchLimits;
    this.#capabilities = opts.capabilities ? Promise.resolve(opts.capabilities) : undefined;
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
    return { entries, cursor: null };
  }

  /** Production has no change feed (`file-changes-since` misses deletes and moves). */
  async changesSince(): Promise<RemoteChanges | null> {
    return null;
  }

  remove(items: readonly RemoveItem[], opts: TransferOptions = {}): AsyncIterable<RemoveResult> {
    return stockRemove({ client: this.#client, projectId: this.projectId, dirs: this.#dirs, concurrency: this.#concurrency }, items, opts);
  }

  /**
   * `POST /directories/by-path` per path, shallow paths first (each level in parallel), so parents
   * exist before their children are asked for. Paths already known from a snapshot are answered
   * without a request.
   */
  mkdirs(paths: readonly ProjectPath[], opts: TransferOptions = {}): AsyncIterable<MkdirResult> {
    const levels = new Map<number, ProjectPath[]>();
    const seen = new Set<string>();
    for (const p of paths) {
      const key = foldPath(p);
      if (p === '' || seen.has(key)) continue;
      seen.add(key);
      const depth = p.split('/').length;
      const level = levels.get(depth);
      if (level) level.push(p);
      else levels.set(depth, [p]);
    }
    const ordered = [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([, level]) => level);
    const concurrency = opts.concurrency ?? this.#concurrency;
    const dirs = this.#dirs;

    return (async function* () {
      const pending = new Set<ProjectPath>(ordered.flat());
      for (const level of ordered) {
        if (opts.signal?.aborted) break;
        yield* schedule<ProjectPath, MkdirResult>(
          level,
          async (path, emit, signal) => {
            pending.delete(path);
            emit(await mkdirOne(dirs, path, signal));
          },
          { concurrency, signal: opts.signal, onWorkerError: (path, err, emit) => emit({ ok: false, path, error: toMcError(err) }) },
        );
      }
      for (const path of pending) yield { ok: false as const, path, error: abortedError() };
    })();
  }

  upload(items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
    return stockUpload(
      { client: this.#client, projectId: this.projectId, dirs: this.#dirs, concurrency: this.#concurrency, ...(this.#batchLimits ? { limits: this.#batchLimits } : {}) },
      items,
      opts,
    );
  }

  /** Streams each file to a verified temp file beside its target (see `downloadToTemp`). */
  download(items: readonly DownloadItem[], opts: TransferOptions = {}): AsyncIterable<DownloadResult> {
    const progress = new ProgressReporter('download', opts.onProgress);
    const pending = new Set<DownloadItem>(items);
    const report = (emit: (r: DownloadResult) => void, item: DownloadItem, result: DownloadResult) => {
      if (!pending.delete(item)) return;
      if (result.ok) progress.done(item.path, result.bytes);
      else progress.fail(item.path, result.error);
      emit(result);
    };
    return schedule<DownloadItem, DownloadResult>(
      items,
      async (item, emit, signal) => report(emit, item, await downloadToTemp(this.#client, this.projectId, item, { signal, progress })),
      {
        concurrency: opts.concurrency ?? this.#concurrency,
        signal: opts.signal,
        onWorkerError: (item, err, emit) => report(emit, item, { ok: false, path: item.path, error: toMcError(err) }),
        finish: () => [...pending].map((item) => ({ ok: false as const, path: item.path, error: abortedError() })),
      },
    );
  }

  requestCount(): number {
    return this.#client.requestCount();
  }
}

async function mkdirOne(dirs: DirectoryIndex, path: ProjectPath, signal: AbortSignal): Promise<MkdirResult> {
  try {
    const { id } = await dirs.ensure(path, signal);
    return { ok: true, path, remote: { path, kind: 'directory', id, size: 0, md5: null } };
  } catch (err) {
    return { ok: false, path, error: signal.aborted ? abortedError(err) : toMcError(err) };
  }
}
