/**
 * Paths inside a project are POSIX, relative to the project root, without leading or trailing
 * slash: "dft/vasp/INCAR". The root is "". Remote paths ("/dft/vasp/INCAR") are converted at the
 * transport edge (see paths.ts).
 */
export type ProjectPath = string;

/** One entry found on the local disk by the scan. */
export interface LocalEntry {
  path: ProjectPath;
  kind: 'file' | 'directory';
  size: number;
  /** Modification time in nanoseconds since the epoch (exact; from a bigint stat). */
  mtimeNs: bigint;
  ino: number;
}

/** A local file as cached in the state store: its stat identity and, when known, its MD5. */
export interface LocalRecord extends LocalEntry {
  /** Lowercase hex MD5 of the content that had this (size, mtime, ino); null when never hashed. */
  md5: string | null;
}

/** One current file or directory on the server. */
export interface RemoteEntry {
  path: ProjectPath;
  kind: 'file' | 'directory';
  /** Row id (for files, the id of the current version). */
  id: number;
  size: number;
  /** Lowercase hex MD5, or null when the server does not know it (directories, tus uploads). */
  md5: string | null;
  /** Row creation time in ms since the epoch (upload time of this version), when the server says. */
  createdAt?: number;
}

/** The state both sides agreed on after the last successful transfer of a path. */
export interface BaseRecord {
  path: ProjectPath;
  kind: 'file' | 'directory';
  md5: string | null;
  size: number;
  remoteId: number;
  /** ms since the epoch */
  syncedAt: number;
}

/** Something skipped or refused before any transfer (a symlink, an unreadable file, a bad name). */
export interface Problem {
  path: ProjectPath;
  reason: string;
  /** true when this is worth a non-zero exit code (unreadable file); false for notices (symlink). */
  failure: boolean;
}
