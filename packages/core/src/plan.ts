import { type PathState, classify, pathOf } from './classify';
import type { McErrorCode } from './errors';
import { foldPath } from './fold-name';
import { baseName, isUnder, parentOf } from './paths';
import { conflictCopyPath } from './project-files';
import type { BaseRecord, LocalRecord, ProjectPath, RemoteEntry } from './types';

export interface PlanInput {
  /** Local files and folders under the requested paths, MD5 filled where a decision needs it. */
  local: readonly LocalRecord[];
  /** Remote files and folders under the requested paths. */
  remote: readonly RemoteEntry[];
  /** The last-sync records under the requested paths. */
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
  /** The remote file this replaces, if any (its id is the upload's precondition). */
  remote: RemoteEntry | undefined;
}

export interface DownloadAction {
  /** Local path to write (local spelling of existing parent folders, remote spelling below). */
  path: ProjectPath;
  remote: RemoteEntry;
  /** The local file this replaces, if any. */
  local: LocalRecord | undefined;
  /** A conflict copy (`NAME.conflict-remote-ID.EXT`): written only if absent, never recorded as synced. */
  conflictCopy?: boolean;
}

export interface DeleteLocalAction {
  path: ProjectPath;
  local: LocalRecord;
}

export interface DeleteRemoteAction {
  path: ProjectPath;
  remote: RemoteEntry;
}

export interface Conflict {
  path: ProjectPath;
  /** Where the server's version was (or will be) put, for two differing files. */
  copy: ProjectPath | null;
  message: string;
}

export interface Plan {
  /** Remote renames (from the change feed) to repeat locally, before anything else. */
  renameLocal: Array<{ from: ProjectPath; to: ProjectPath }>;
  deleteLocal: DeleteLocalAction[];
  deleteRemote: DeleteRemoteAction[];
  mkdirRemote: ProjectPath[];
  uploads: UploadAction[];
  mkdirLocal: Array<{ path: ProjectPath; remote: RemoteEntry }>;
  downloads: DownloadAction[];
  conflicts: Conflict[];
  skipped: Skip[];
  failed: Failure[];
  /** Things done differently than a reader might expect (a deleted file restored), for a notice. */
  notes: Skip[];
  /** Entries already identical on both sides. */
  inSync: BaseRecord[];
  /** The part of `inSync` whose base record is missing or out of date: only these are written (a no-op run writes nothing). */
  rebase: BaseRecord[];
  /** Base records of paths gone from both sides. */
  forget: ProjectPath[];
}

export function emptyPlan(): Plan {
  return {
    renameLocal: [],
    deleteLocal: [],
    deleteRemote: [],
    mkdirRemote: [],
    uploads: [],
    mkdirLocal: [],
    downloads: [],
    conflicts: [],
    skipped: [],
    failed: [],
    notes: [],
    inSync: [],
    rebase: [],
    forget: [],
  };
}

export interface OneWayOptions {
  /** Also replace (or delete) what changed on the other side since the last sync, or was never synced. */
  force?: boolean;
  /** Mirror deletions: delete on the target side what the source side lacks. */
  delete?: boolean;
}

/** The actions a plan is built from, with the local-spelling rule for new local paths. */
class PlanBuilder {
  readonly plan = emptyPlan();
  private readonly localPathOf: (remotePath: ProjectPath) => ProjectPath;

  constructor(
    readonly states: readonly PathState[],
    private readonly now: number,
  ) {
    const byKey = new Map(states.filter((s) => s.local).map((s) => [s.key, s.local!]));
    this.localPathOf = localSpelling(byKey);
  }

  inSync(s: PathState): void {
    const r = s.remote!;
    const md5 = s.local?.kind === 'file' ? s.local.md5 : null;
    const record: BaseRecord = { path: r.path, kind: r.kind, md5, size: r.size, remoteId: r.id, syncedAt: this.now };
    this.plan.inSync.push(record);
    const b = s.base;
    if (!b || b.path !== r.path || b.kind !== r.kind || b.md5 !== md5 || b.size !== r.size || b.remoteId !== r.id) this.plan.rebase.push(record);
  }

  /** Local → remote: upload a file or create a folder (replacing a remote entry of the other kind). */
  push(s: PathState): void {
    const l = s.local!;
    if (s.remote && s.remote.kind !== l.kind) this.plan.deleteRemote.push({ path: s.remote.path, remote: s.remote });
    const remote = s.remote?.kind === l.kind ? s.remote : undefined;
    if (l.kind === 'directory') {
      if (!remote) this.plan.mkdirRemote.push(l.path);
      else this.inSync(s);
    } else this.plan.uploads.push({ path: l.path, local: l, remote });
  }

  /** Remote → local: download a file or create a folder (replacing a local entry of the other kind). */
  pull(s: PathState): void {
    const r = s.remote!;
    if (s.local && s.local.kind !== r.kind) this.plan.deleteLocal.push({ path: s.local.path, local: s.local });
    const local = s.local?.kind === r.kind ? s.local : undefined;
    const path = local?.path ?? this.localPathOf(r.path);
    if (r.kind === 'directory') {
      if (!local) this.plan.mkdirLocal.push({ path, remote: r });
      else this.inSync(s);
    } else this.plan.downloads.push({ path, remote: r, local });
  }

  deleteRemote(s: PathState): void {
    this.plan.deleteRemote.push({ path: s.remote!.path, remote: s.remote! });
  }

  deleteLocal(s: PathState): void {
    this.plan.deleteLocal.push({ path: s.local!.path, local: s.local! });
  }

  skip(s: PathState, reason: string): void {
    this.plan.skipped.push({ path: pathOf(s), reason });
  }

  note(s: PathState, reason: string): void {
    this.plan.notes.push({ path: pathOf(s), reason });
  }

  clash(s: PathState): void {
    const l = s.local!.kind === 'file' ? 'file' : 'folder';
    const r = s.remote!.kind === 'file' ? 'file' : 'folder';
    this.plan.failed.push({ path: pathOf(s), code: 'CONFLICT', message: `a local ${l} but a ${r} of that name on the server; rename one side` });
  }

  conflict(s: PathState): void {
    const l = s.local!;
    const r = s.remote!;
    if (l.kind === 'file' && r.kind === 'file') {
      const copy = conflictCopyPath(l.path, r.id);
      this.plan.downloads.push({ path: copy, remote: r, local: undefined, conflictCopy: true });
      this.plan.conflicts.push({
        path: l.path,
        copy,
        message: `changed here and on the server since the last sync; the server version is in ${baseName(copy)}. Merge, then mc sync --prefer local ${l.path} (or --prefer remote)`,
      });
    } else {
      this.plan.conflicts.push({ path: l.path, copy: null, message: `changed here and on the server since the last sync, and one side is now a ${l.kind === 'file' ? 'folder' : 'file'}; rename one side` });
    }
  }

  /**
   * A folder is deleted only together with everything below it: if anything under it stays (a
   * newer file, one that was skipped), the folder stays too.
   */
  finish(): Plan {
    const p = this.plan;
    p.deleteRemote = keepFoldersWithLeftovers(p.deleteRemote, this.states.filter((s) => s.remote).map((s) => s.remote!.path));
    p.deleteLocal = keepFoldersWithLeftovers(p.deleteLocal, this.states.filter((s) => s.local).map((s) => s.local!.path));
    return p;
  }
}

function keepFoldersWithLeftovers<T extends { path: ProjectPath; remote?: RemoteEntry; local?: LocalRecord }>(deletes: T[], present: readonly ProjectPath[]): T[] {
  const going = new Set(deletes.map((d) => d.path));
  return deletes.filter((d) => {
    const kind = d.remote?.kind ?? d.local?.kind;
    if (kind !== 'directory') return true;
    return present.every((p) => p === d.path || !isUnder(p, d.path) || going.has(p));
  });
}

const REMOTE_DELETED_UP = 'deleted on the server since the last sync; mc up -f uploads it again';
const LOCAL_DELETED_DOWN = 'deleted here since the last sync; mc down -f downloads it again';

/**
 * `mc up`: make the remote hold every local file. A remote entry that changed since the last
 * sync (a collaborator's new version, a deletion, a file never synced) is not overwritten
 * without `force`; with `delete`, remote entries the local side deleted go too.
 */
export function planUp(input: PlanInput, opts: OneWayOptions = {}, now = Date.now()): Plan {
  const failed: Failure[] = [];
  const b = new PlanBuilder(classify(input, failed), now);
  b.plan.failed.push(...failed);
  for (const s of b.states) {
    const { local: l, remote: r } = s;
    if (l && r && l.kind !== r.kind) {
      if (opts.force || s.remoteChange === 'unchanged') b.push(s);
      else b.clash(s);
    } else if (l && s.same) b.inSync(s);
    else if (l && !r) {
      if (s.remoteChange === 'deleted' && s.localChange === 'unchanged' && !opts.force) b.skip(s, REMOTE_DELETED_UP);
      else b.push(s);
    } else if (l && r) {
      if (opts.force || s.remoteChange === 'unchanged') b.push(s);
      else b.skip(s, remoteChangedReason(s));
    } else if (!l && r && opts.delete) {
      if (opts.force || (s.localChange === 'deleted' && s.remoteChange === 'unchanged')) b.deleteRemote(s);
      else if (r.kind === 'file') b.skip(s, s.remoteChange === 'added' ? 'only on the server (never synced); mc up --delete -f deletes it' : 'changed on the server since the last sync; kept (mc up --delete -f deletes it)');
    } else if (!l && !r) b.plan.forget.push(s.base!.path);
  }
  return b.finish();
}

function remoteChangedReason(s: PathState): string {
  if (!s.base) return 'differs from the server and was never synced; mc up -f uploads it as a new version, mc down -f takes the server one';
  if (s.localChange === 'unchanged') return 'changed on the server since the last sync; mc down gets it (mc up -f would replace it)';
  return 'changed here and on the server since the last sync; mc up -f makes yours the new version, mc down -f takes the server one';
}

/**
 * `mc down`: make the local side hold every remote file. A local entry that changed since the
 * last sync (or was never synced) is not overwritten without `force`; with `delete`, local
 * entries the server deleted go too.
 */
export function planDown(input: PlanInput, opts: OneWayOptions = {}, now = Date.now()): Plan {
  const failed: Failure[] = [];
  const b = new PlanBuilder(classify(input, failed), now);
  b.plan.failed.push(...failed);
  for (const s of b.states) {
    const { local: l, remote: r } = s;
    if (l && r && l.kind !== r.kind) {
      if (opts.force || s.localChange === 'unchanged') b.pull(s);
      else b.clash(s);
    } else if (r && s.same) b.inSync(s);
    else if (r && !l) {
      if (s.localChange === 'deleted' && s.remoteChange === 'unchanged' && !opts.force) b.skip(s, LOCAL_DELETED_DOWN);
      else b.pull(s);
    } else if (r && l) {
      if (opts.force || s.localChange === 'unchanged') b.pull(s);
      else
        b.skip(
          s,
          s.base
            ? 'changed locally since the last sync; use -f to replace it with the server version'
            : 'differs from the server and was never synced; use -f to replace it with the server version',
        );
    } else if (l && !r && opts.delete) {
      if (opts.force || (s.remoteChange === 'deleted' && s.localChange === 'unchanged')) b.deleteLocal(s);
      else if (l.kind === 'file') b.skip(s, s.localChange === 'added' ? 'only here (never synced); mc down --delete -f deletes it' : 'changed here since the last sync; kept (mc down --delete -f deletes it)');
    } else if (!l && !r) b.plan.forget.push(s.base!.path);
  }
  return b.finish();
}

export interface SyncOptions {
  /** Resolve files changed on both sides automatically: keep the local or the remote version. */
  prefer?: 'local' | 'remote';
}

/**
 * `mc sync`: two-way. Per path, from local, remote and base: unchanged; changed on one side
 * (propagated, deletions included); changed on both (a conflict: neither side is overwritten,
 * the remote version is downloaded beside the local one, unless `prefer` decides).
 */
export function planSync(input: PlanInput, opts: SyncOptions = {}, now = Date.now()): Plan {
  const failed: Failure[] = [];
  const b = new PlanBuilder(classify(input, failed), now);
  b.plan.failed.push(...failed);
  for (const s of b.states) {
    const L = s.localChange;
    const R = s.remoteChange;
    if (s.same) b.inSync(s);
    else if (!s.local && !s.remote) b.plan.forget.push(s.base!.path);
    else if (L === 'unchanged' || L === 'none') {
      if (s.remote) b.pull(s);
      else b.deleteLocal(s); // R deleted: the local side still has what the base recorded
    } else if (R === 'unchanged' || R === 'none') {
      if (s.local) b.push(s);
      else b.deleteRemote(s); // L deleted
    } else if (!s.local) {
      b.pull(s); // deleted here, changed on the server: the server's version comes back
      b.note(s, 'deleted here but changed on the server since the last sync: the server version comes back');
    } else if (!s.remote) {
      b.push(s); // deleted on the server, changed here: yours goes back
      b.note(s, 'deleted on the server but changed here since the last sync: your version goes back');
    } else if (opts.prefer === 'local' && s.local.kind === s.remote.kind) b.push(s);
    else if (opts.prefer === 'remote' && s.local.kind === s.remote.kind) b.pull(s);
    else b.conflict(s);
  }
  return b.finish();
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
