import type { McError } from './errors';
import type { BaseRecord, LocalRecord, Problem, ProjectPath, RemoteEntry } from './types';

/** What the server offers beyond production's API (sync-api.md); empty on stock. */
export interface Capabilities {
  profile: 'stock' | 'enhanced';
  features: ReadonlySet<string>;
  limits: Readonly<Record<string, number>>;
}

/** A progress event from a transfer; `bytes` is cumulative for the file. */
export type ProgressEvent =
  | { type: 'start'; op: 'upload' | 'download'; path: ProjectPath; total: number }
  | { type: 'bytes'; op: 'upload' | 'download'; path: ProjectPath; bytes: number; total: number }
  | { type: 'done'; op: 'upload' | 'download'; path: ProjectPath; bytes: number }
  | { type: 'fail'; op: 'upload' | 'download'; path: ProjectPath; error: McError };

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Upper bound on transfers in flight; the transport may use fewer. */
  concurrency?: number;
}

export interface UploadItem {
  path: ProjectPath;
  /** Absolute local path to read. */
  localPath: string;
  size: number;
  /** The local MD5 when a decision already needed it; otherwise transport hashes while reading. */
  md5: string | null;
  /** Stat identity at plan time; transport re-stats after reading and fails the item with CHANGED on mismatch. */
  mtimeNs: bigint;
  ino: number;
}

export interface DownloadItem {
  path: ProjectPath;
  remote: RemoteEntry;
  /** Absolute final path; transport writes `.mc-tmp-*` beside it and never touches the final path. */
  localPath: string;
}

export type UploadResult =
  | {
      ok: true;
      path: ProjectPath;
      bytes: number;
      /** The current remote row after the upload. */
      remote: RemoteEntry;
      /** MD5 of the bytes sent (computed while reading, or given). */
      md5: string;
      /** How the server confirmed the bytes: its checksum matched, or only the size could be compared. */
      verified: 'md5' | 'size';
      /** The local stat the bytes were read under (unchanged during the read). */
      mtimeNs: bigint;
      ino: number;
    }
  | { ok: false; path: ProjectPath; error: McError };

export type DownloadResult =
  | {
      ok: true;
      path: ProjectPath;
      bytes: number;
      /** Verified temporary file beside the target; the engine decides whether to rename it into place. */
      tempPath: string;
      md5: string;
      verified: 'md5' | 'size';
    }
  | { ok: false; path: ProjectPath; error: McError };

export type MkdirResult = { ok: true; path: ProjectPath; remote: RemoteEntry } | { ok: false; path: ProjectPath; error: McError };

/**
 * One remote project, as the engine sees it. Implemented by transport (stock and enhanced
 * strategies). Results stream back in completion order so the engine can record each at once.
 */
export interface RemoteProject {
  readonly projectId: number;
  capabilities(): Promise<Capabilities>;
  /**
   * Every current file and directory (under `prefixes` when given; "" = the whole project). Rows
   * that cannot be trusted (unsafe names, several current versions) are reported through
   * `onProblem` and left out (or resolved to the newest version), never thrown.
   */
  snapshot(
    prefixes?: readonly ProjectPath[],
    opts?: { signal?: AbortSignal; onProblem?: (problem: Problem) => void },
  ): Promise<RemoteEntry[]>;
  /** Creates directories (and their missing parents); names production's name rule refuses must work. */
  mkdirs(paths: readonly ProjectPath[], opts?: TransferOptions): AsyncIterable<MkdirResult>;
  upload(items: readonly UploadItem[], opts?: TransferOptions): AsyncIterable<UploadResult>;
  download(items: readonly DownloadItem[], opts?: TransferOptions): AsyncIterable<DownloadResult>;
  /** HTTP requests made so far by this remote (for summaries and benchmarks). */
  requestCount(): number;
}

/**
 * The state cache of one project folder (`.mc/mcsync.db`). Reads load whole maps in one query;
 * writes are batched into short transactions.
 */
export interface StateStore {
  loadLocal(): Map<ProjectPath, LocalRecord>;
  saveLocal(records: readonly LocalRecord[]): void;
  deleteLocal(paths: readonly ProjectPath[]): void;

  loadRemote(): Map<ProjectPath, RemoteEntry>;
  /** Replaces what is cached under each prefix ("" = everything) by `entries`. */
  replaceRemote(entries: readonly RemoteEntry[], prefixes?: readonly ProjectPath[]): void;
  saveRemote(entries: readonly RemoteEntry[]): void;

  loadBase(): Map<ProjectPath, BaseRecord>;
  saveBase(records: readonly BaseRecord[]): void;
  deleteBase(paths: readonly ProjectPath[]): void;

  close(): void;
}
