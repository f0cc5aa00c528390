import { applyCache, needsHash } from './detect-changes';
import { foldPath } from './fold-name';
import { hashRecords } from './hash-pool';
import { isUnder } from './paths';
import type { Failure, Plan, PlanInput, Skip } from './plan';
import type { RemoteProject, StateStore } from './ports';
import type { RemoteRename } from './apply-changes';
import { loadRemoteState } from './remote-state';
import { scanLocal } from './scan';
import { removeStaleTempFiles } from './temp-cleanup';
import type { LocalRecord, Problem, ProjectPath, RemoteEntry } from './types';

export interface RunContext {
  /** Absolute project root. */
  root: string;
  /** Project paths to work on ("" = everything). */
  prefixes: readonly ProjectPath[];
  store: StateStore;
  remote: RemoteProject;
  followSymlinks?: boolean;
  /** Plan only: no transfer, no file removed, nothing recorded but the caches. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Notices worth a line on stderr (anomalies on the server, stale temp files removed). */
  onNotice?: (message: string) => void;
  /** Parallel reads while hashing. */
  hashConcurrency?: number;
  /**
   * Descend into folders (`-r`). Without it only the named paths themselves are handled, and a
   * named folder is skipped with a notice.
   */
  recursive?: boolean;
  /** Called once the plan is known, before any transfer (to size a progress display). */
  onPlan?: (plan: Plan) => void;
  /** Repeat the remote feed's renames locally instead of deleting and downloading again (`mc sync`). */
  followRenames?: boolean;
}

export interface Prepared {
  input: PlanInput;
  /** Local items skipped before planning (symlinks, special files). */
  skipped: Skip[];
  /** Local items that could not be read, remote rows that cannot be trusted. */
  failed: Failure[];
  remoteProblems: Problem[];
  /** Remote renames to repeat locally; `input` already shows the local side as after them. */
  renames: Array<{ from: ProjectPath; to: ProjectPath }>;
}

/**
 * Everything a plan needs: the local scan joined with the cache, the remote snapshot, the base,
 * and the MD5s that decisions need (computed now, cached for next time).
 */
export async function prepareRun(ctx: RunContext): Promise<Prepared> {
  const scan = scanLocal({ root: ctx.root, prefixes: ctx.prefixes, followSymlinks: ctx.followSymlinks ?? false });

  const remoteProblems: Problem[] = [];
  const remoteState = await loadRemoteState(ctx.remote, ctx.store, ctx.prefixes, { signal: ctx.signal, onProblem: (p) => remoteProblems.push(p) });
  let remote = remoteState.entries;
  // After the remote state: a partial large download is kept while the remote still lists its content.
  if (!ctx.dryRun) removeStaleTempFiles(ctx.root, scan.tempFiles, remote, ctx.onNotice);

  const cache = ctx.store.loadLocal();
  let local = applyCache(scan.entries, cache);
  const skipped: Skip[] = [];
  const failed: Failure[] = [];
  for (const prefix of ctx.prefixes) {
    if (prefix === '' || scan.entries.some((e) => e.path === prefix) || scan.problems.some((p) => p.path === prefix)) continue;
    const key = foldPath(prefix);
    if (!remote.some((r) => foldPath(r.path) === key)) {
      failed.push({ path: prefix, code: 'NOT_FOUND', message: 'no such file or folder, here or on the server' });
    }
  }
  if (ctx.recursive === false) {
    const named = new Set(ctx.prefixes);
    const folders = new Set([...local, ...remote].filter((e) => named.has(e.path) && e.kind === 'directory').map((e) => e.path));
    for (const f of folders) skipped.push({ path: f, reason: 'is a folder; use -r to include folders' });
    local = local.filter((e) => named.has(e.path) && e.kind === 'file');
    remote = remote.filter((e) => named.has(e.path) && e.kind === 'file');
  }
  const named = new Set(ctx.prefixes);
  const base = new Map(
    [...ctx.store.loadBase()].filter(([p]) => (ctx.recursive === false ? named.has(p) : ctx.prefixes.some((prefix) => isUnder(p, prefix)))),
  );
  const baseByFold = new Map([...base.values()].map((b) => [foldPath(b.path), b]));
  const remoteByFold = new Map<string, RemoteEntry>(remote.map((r) => [foldPath(r.path), r]));
  const renames = ctx.followRenames ? applicableRenames(remoteState.renames, local) : [];
  const renamed = (path: ProjectPath) => renames.reduce((p, r) => (isUnder(p, r.from) ? r.to + p.slice(r.from.length) : p), path);
  const toHash = local.filter((l) => needsHash(l, remoteByFold.get(foldPath(renamed(l.path))), baseByFold.get(foldPath(l.path))));
  const hashFailures = await hashRecords(toHash, { root: ctx.root, concurrency: ctx.hashConcurrency, signal: ctx.signal });
  const unreadable = new Set(hashFailures.map((f) => f.path));
  updateLocalCache(ctx.store, ctx.prefixes, local, cache, ctx.recursive !== false);
  if (renames.length) {
    local = local.map((l) => ({ ...l, path: renamed(l.path) }));
    for (const b of [...base.values()]) {
      const to = renamed(b.path);
      if (to === b.path) continue;
      base.delete(b.path);
      base.set(to, { ...b, path: to });
    }
  }

  failed.push(...hashFailures);
  for (const p of scan.problems) {
    if (p.failure) failed.push({ path: p.path, code: 'LOCAL_IO', message: p.reason });
    else skipped.push({ path: p.path, reason: p.reason });
  }
  return {
    renames,
    input: {
      local: local.filter((l) => !unreadable.has(renamedBack(l.path, renames))),
      remote,
      base,
      blocked: new Set([...scan.problems.map((p) => p.path), ...unreadable]),
    },
    skipped,
    failed,
    remoteProblems,
  };
}

/** A path after renames, taken back to where it is on disk now (for per-file failures keyed by disk path). */
function renamedBack(path: ProjectPath, renames: ReadonlyArray<{ from: ProjectPath; to: ProjectPath }>): ProjectPath {
  return [...renames].reverse().reduce((p, r) => (isUnder(p, r.to) ? r.from + p.slice(r.to.length) : p), path);
}

/**
 * The feed's renames that can be repeated locally: the old path exists here (in any spelling the
 * server would match) and the new one does not. Local edits inside travel with the rename.
 */
function applicableRenames(feed: readonly RemoteRename[], local: readonly LocalRecord[]): Array<{ from: ProjectPath; to: ProjectPath }> {
  const present = new Map(local.map((l) => [foldPath(l.path), l.path]));
  const out: Array<{ from: ProjectPath; to: ProjectPath }> = [];
  for (const r of feed) {
    const from = present.get(foldPath(r.from));
    if (from === undefined || present.has(foldPath(r.to))) continue;
    out.push({ from, to: r.to });
    for (const [key, path] of [...present]) {
      if (!isUnder(path, from)) continue;
      present.delete(key);
      const moved = r.to + path.slice(from.length);
      present.set(foldPath(moved), moved);
    }
  }
  return out;
}

/** Writes only what changed since the cached state, and forgets files no longer there. */
function updateLocalCache(
  store: StateStore,
  prefixes: readonly ProjectPath[],
  local: readonly LocalRecord[],
  cache: ReadonlyMap<ProjectPath, LocalRecord>,
  complete: boolean,
): void {
  const changed = local.filter((l) => {
    const c = cache.get(l.path);
    return !c || c.kind !== l.kind || c.size !== l.size || c.mtimeNs !== l.mtimeNs || c.ino !== l.ino || c.md5 !== l.md5;
  });
  if (changed.length) store.saveLocal(changed);
  if (!complete) return; // a partial scan cannot tell what disappeared
  const present = new Set(local.map((l) => l.path));
  const gone = [...cache.keys()].filter((p) => !present.has(p) && prefixes.some((prefix) => isUnder(p, prefix)));
  if (gone.length) store.deleteLocal(gone);
}
