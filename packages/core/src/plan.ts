import { type McErrorCode } from './errors';
import { foldPath } from './fold-name';
import { unstorableReason } from './name-limits';
import { baseName, isUnder, parentOf } from './paths';
import { sameContent, unchangedSinceBase } from './detect-changes';
import type { BaseRecord, LocalRecord, ProjectPath, RemoteEntry } from './types';

export interface PlanInput {
  /** Local files and folders under the requested paths, MD5 filled where a decision needs it. */
  local: readonly LocalRecord[];
  /** Remote files and folders under the requested paths. */
  remote: readonly RemoteEntry[];
  base: ReadonlyMap<ProjectPath, BaseRecord>;
  /**
   * Local paths the scan skipped (symlinks, special files, unreadable entries): nothing is
   * written at or below them, so a download never replaces a symlink or writes through one.
   */
  blocked?: ReadonlySet<ProjectPath>;
}

export interface Skip {
  path: ProjectPath;
  reason: string;
}

export interface Failure {
  path: ProjectPath;
  code: McErrorCode;
  message: string;
}

export interface UploadAction {
  path: ProjectPath;
  local: LocalRecord;
  /** The remote file this replaces, if any. */
  remote: RemoteEntry | undefined;
}

export interface DownloadAction {
  /** Local path to write (local spelling of existing parent folders, remote spelling below). */
  path: ProjectPath;
  remote: RemoteEntry;
  /** The local file this replaces, if any. */
  local: LocalRecord | undefined;
}

export interface Plan {
  mkdirRemote: ProjectPath[];
  uploads: UploadAction[];
  mkdirLocal: ProjectPath[];
  downloads: DownloadAction[];
  skipped: Skip[];
  failed: Failure[];
  /** Files already identical on both sides: their base is (re)recorded. */
  inSync: BaseRecord[];
}

function emptyPlan(): Plan {
  return { mkdirRemote: [], uploads: [], mkdirLocal: [], downloads: [], skipped: [], failed: [], inSync: [] };
}

/**
 * Groups entries by the server's fold key. Two local siblings that fold alike (README.md and
 * readme.md) would be one file on the server: both are reported and neither is used.
 */
function indexByFold<T extends { path: ProjectPath }>(items: readonly T[], collisions?: Failure[]): Map<string, T> {
  const index = new Map<string, T>();
  const clashing = new Set<string>();
  for (const item of items) {
    const key = foldPath(item.path);
    const other = index.get(key);
    if (other === undefined) {
      index.set(key, item);
      continue;
    }
    if (collisions) {
      if (!clashing.has(key)) {
        collisions.push(collisionFailure(other.path, item.path));
        clashing.add(key);
      }
      collisions.push(collisionFailure(item.path, other.path));
    }
  }
  for (const key of clashing) index.delete(key);
  return index;
}

function collisionFailure(path: ProjectPath, other: ProjectPath): Failure {
  return {
    path,
    code: 'NAME',
    message: `"${baseName(path)}" and "${baseName(other)}" are the same name on the server (it ignores case, accents and trailing spaces); rename one`,
  };
}

function inSyncRecord(local: LocalRecord, remote: RemoteEntry, now: number): BaseRecord {
  return { path: remote.path, kind: 'file', md5: local.md5, size: remote.size, remoteId: remote.id, syncedAt: now };
}

export interface PlanUpOptions {
  /** Upload files whose server version changed since the last sync (or that were never synced). */
  force?: boolean;
}

/**
 * `mc up`: what to create and upload so the remote holds every local file (never deletes). A
 * differing remote file is replaced only when it is the version the last sync saw, or with
 * `force`: a collaborator's newer version is never silently reverted.
 */
export function planUp(input: PlanInput, opts: PlanUpOptions = {}, now = Date.now()): Plan {
  const plan = emptyPlan();
  const remoteByFold = indexByFold(input.remote);
  const localByFold = indexByFold(input.local, plan.failed);
  const ordered = [...localByFold.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const local of ordered) {
    const unstorable = unstorableReason(local.path, local.kind);
    if (unstorable) {
      plan.failed.push({ path: local.path, ...unstorable });
      continue;
    }
    const remote = remoteByFold.get(foldPath(local.path));
    if (local.kind === 'directory') {
      if (!remote) plan.mkdirRemote.push(local.path);
      else if (remote.kind === 'file') plan.failed.push(kindClash(local.path, 'folder', 'file'));
      continue;
    }
    if (!remote) plan.uploads.push({ path: local.path, local, remote: undefined });
    else if (remote.kind === 'directory') plan.failed.push(kindClash(local.path, 'file', 'folder'));
    else {
      const base = input.base.get(remote.path) ?? input.base.get(local.path);
      if (sameContent(local, remote, base)) plan.inSync.push(inSyncRecord(local, remote, now));
      else if (opts.force || (base !== undefined && base.remoteId === remote.id)) plan.uploads.push({ path: local.path, local, remote });
      else plan.skipped.push({ path: local.path, reason: remoteChangedReason(local, base) });
    }
  }
  return plan;
}

function remoteChangedReason(local: LocalRecord, base: BaseRecord | undefined): string {
  if (!base) return 'differs from the server and was never synced; mc up -f uploads it as a new version, mc down -f takes the server one';
  if (unchangedSinceBase(local, base)) return 'changed on the server since the last sync; mc down gets it (mc up -f would replace it)';
  return 'changed here and on the server since the last sync; mc up -f makes yours the new version, mc down -f takes the server one';
}

function kindClash(path: ProjectPath, localKind: string, remoteKind: string): Failure {
  return { path, code: 'CONFLICT', message: `local ${localKind} but a ${remoteKind} of that name on the server; rename one side` };
}

export interface PlanDownOptions {
  /** Replace local files that differ even when they changed since the last sync (or were never synced). */
  force?: boolean;
}

/**
 * `mc down`: what to create and download so the local side holds every remote file. A differing
 * local file is replaced only when it is unchanged since the last sync, or with `force`.
 */
export function planDown(input: PlanInput, opts: PlanDownOptions = {}, now = Date.now()): Plan {
  const plan = emptyPlan();
  const localByFold = indexByFold(input.local, plan.failed);
  const clashing = new Set(plan.failed.map((f) => foldPath(f.path)));
  const localPathOf = localSpelling(localByFold);
  const ordered = [...input.remote].sort((a, b) => (a.path < b.path ? -1 : 1));
  const blocked = [...(input.blocked ?? [])];
  for (const remote of ordered) {
    const key = foldPath(remote.path);
    if (clashing.has(key)) continue;
    if (blocked.some((b) => isUnder(remote.path, b))) continue; // the scan already reported what is in the way
    const local = localByFold.get(key);
    if (remote.kind === 'directory') {
      if (!local) plan.mkdirLocal.push(localPathOf(remote.path));
      else if (local.kind === 'file') plan.failed.push(kindClash(local.path, 'file', 'folder'));
      continue;
    }
    if (!local) {
      plan.downloads.push({ path: localPathOf(remote.path), remote, local: undefined });
      continue;
    }
    if (local.kind === 'directory') {
      plan.failed.push(kindClash(local.path, 'folder', 'file'));
      continue;
    }
    const base = input.base.get(remote.path) ?? input.base.get(local.path);
    if (sameContent(local, remote, base)) plan.inSync.push(inSyncRecord(local, remote, now));
    else if (opts.force || unchangedSinceBase(local, base)) plan.downloads.push({ path: local.path, remote, local });
    else
      plan.skipped.push({
        path: local.path,
        reason: base
          ? 'changed locally since the last sync; use -f to replace it with the server version'
          : 'differs from the server and was never synced; use -f to replace it with the server version',
      });
  }
  return plan;
}

/**
 * Maps a remote path to the local path to write: levels that exist locally keep their own
 * spelling (the server may spell "Data" as "data"), new levels take the server's.
 */
function localSpelling(localByFold: ReadonlyMap<string, LocalRecord>): (remotePath: ProjectPath) => ProjectPath {
  const memo = new Map<ProjectPath, ProjectPath>();
  const resolve = (remotePath: ProjectPath): ProjectPath => {
    const known = memo.get(remotePath);
    if (known !== undefined) return known;
    const existing = localByFold.get(foldPath(remotePath));
    const parent = parentOf(remotePath);
    let out: ProjectPath;
    if (existing) out = existing.path;
    else if (parent === '') out = remotePath;
    else out = `${resolve(parent)}/${baseName(remotePath)}`;
    memo.set(remotePath, out);
    return out;
  };
  return resolve;
}
