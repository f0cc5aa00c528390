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
  | {
      type: 'start';
      op: 'upload' | 'download';
      path: ProjectPath;
      total: number;
      /** Bytes already there from an earlier, interrupted run (a resumed download); later 'bytes' include them. */
      resumed?: number;
    }
  | { type: 'bytes'; op: 'upload' | 'download'; path: ProjectPath; bytes: number; total: number }
  | { type: 'done'; op: 'upload' | 'download'; path: ProjectPath; bytes: number }
  | { type: 'fail'; op: 'upload' | 'download'; path: ProjectPath; error: McError };

/**
 * A resumable (tus) upload in progress, kept across processes so a killed run resumes from the
 * last acknowledged chunk. Valid only while the local file keeps this size, mtime and inode.
 */
export interface UploadSession {
  path: ProjectPath;
  size: number;
  mtimeNs: bigint;
  ino: number;
  /** The whole file's MD5 when it was known at creation. */
  md5: string | null;
  /** The upload's URL (the creation response's `Location`). */
  url: string;
  /** Bytes the server has acknowledged. */
  offset: number;
  /** ms since the epoch */
  createdAt: number;
}

/** Where a remote keeps its resumable uploads (implemented by store on the state database). */
export interface UploadSessions {
  load(path: ProjectPath): UploadSession | null;
  /** Inserts or replaces the session of `session.path`; cheap enough to call after every chunk. */
  save(session: UploadSession): void;
  delete(path: ProjectPath): void;
  /** Every session, for dropping the stale ones. */
  list(): UploadSession[];
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Upper bound on transfers in flight; the transport may use fewer. */
  concurrency?: number;
}

export interface UploadItem {
  path: ProjectPath;
  /**
   * Precondition (sync-api.md `preconditions`): the id of the current remote version this upload
   * replaces, 0 for "no file there". A server that supports it refuses with CONFLICT when the
   * remote changed meanwhile; other servers ignore it.
   */
  ifCurrentId?: number;
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
      /** Bytes that actually crossed the network, when fewer than `bytes` (0: the server already had the content). */
      sent?: number;
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
      /** Bytes that crossed the network in this run, when fewer than `bytes` (a resumed download). */
      sent?: number;
    }
  | { ok: false; path: ProjectPath; error: McError };

/** What `snapshot` returns: the tree, and the change-feed cursor it is consistent with (null without `changes`). */
export interface RemoteSnapshot {
  entries: RemoteEntry[];
  cursor: string | null;
}

/** One change of the remote feed (sync-api.md `changes`), paths relative. */
export interface RemoteChange {
  seq: number;
  op: 'create' | 'version' | 'delete' | 'move';
  kind: 'file' | 'directory';
  id: number;
  path: ProjectPath;
  /** For `move`: where it was. A directory's move or delete applies to its whole subtree. */
  oldPath?: ProjectPath;
  size?: number;
  md5?: string | null;
  /** ms since the epoch */
  at: number;
}

/** Changes since a cursor, or `expired` when the server no longer holds it (then take a snapshot). */
export type RemoteChanges = { expired: false; changes: RemoteChange[]; cursor: string } | { expired: true };

export interface RemoveItem {
  path: ProjectPath;
  remote: RemoteEntry;
}

export type RemoveResult = { ok: true; path: ProjectPath } | { ok: false; path: ProjectPath; error: McError };

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
  ): Promise<RemoteSnapshot>;
  /**
   * Every change since `cursor` (all pages), or null when the server has no change feed (stock).
   * Rows that cannot be trusted are reported through `onProblem` and left out.
   */
  changesSince(
    cursor: string,
    opts?: { signal?: AbortSignal; onProblem?: (problem: Problem) => void },
  ): Promise<RemoteChanges | null>;
  /** Creates directories (and their missing parents); names production's name rule refuses must work. */
  mkdirs(paths: readonly ProjectPath[], opts?: TransferOptions): AsyncIterable<MkdirResult>;
  upload(items: readonly UploadItem[], opts?: TransferOptions): AsyncIterable<UploadResult>;
  download(items: readonly DownloadItem[], opts?: TransferOptions): AsyncIterable<DownloadResult>;
  /**
   * Deletes exactly the listed files and folders: files first, then folders deepest first (stock
   * deletes a folder row alone, so the caller lists a folder's contents too). With
   * `preconditions`, a file whose current version is no longer `remote.id` is refused with
   * CONFLICT. A folder that still has content on the server after its listed items went is
   * refused with CONFLICT rather than deleted.
   */
  remove(items: readonly RemoveItem[], opts?: TransferOptions): AsyncIterable<RemoveResult>;
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
  deleteRemote(paths: readonly ProjectPath[]): void;

  loadBase(): Map<ProjectPath, BaseRecord>;
  saveBase(records: readonly BaseRecord[]): void;
  deleteBase(paths: readonly ProjectPath[]): void;

  /** Named positions (the remote change-feed cursor). */
  getCursor(name: string): string | null;
  setCursor(name: string, value: string): void;
  deleteCursor(name: string): void;

  close(): void;
}
