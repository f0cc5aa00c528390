import { sameContent, unchangedSinceBase } from './detect-changes';
import { foldPath } from './fold-name';
import { unstorableReason } from './name-limits';
import { baseName, underAny } from './paths';
import type { Failure, PlanInput } from './plan';
import type { BaseRecord, LocalRecord, ProjectPath, RemoteEntry } from './types';

/** How one side of a path changed since the last sync (the base). */
export type SideChange = 'none' | 'unchanged' | 'added' | 'modified' | 'deleted';

/** One path seen from the local side, the remote side and the base, paired by the server's fold key. */
export interface PathState {
  key: string;
  local: LocalRecord | undefined;
  remote: RemoteEntry | undefined;
  base: BaseRecord | undefined;
  localChange: SideChange;
  remoteChange: SideChange;
  /** Both sides hold the same thing: files with the same content, or two folders. */
  same: boolean;
}

/**
 * Pairs local, remote and base entries by fold key and says how each side changed since the base.
 * Local siblings that fold alike (README.md / readme.md: one name on the server) and names the
 * server cannot store are reported in `failed` and left out; so is anything below a local path
 * the scan skipped (a symlink or special file is never replaced or written through).
 */
export function classify(input: PlanInput, failed: Failure[]): PathState[] {
  const excluded = new Set<string>();
  const local = new Map<string, LocalRecord>();
  for (const l of input.local) {
    const key = foldPath(l.path);
    const other = local.get(key);
    if (other) {
      if (!excluded.has(key)) failed.push(collision(other.path, l.path));
      failed.push(collision(l.path, other.path));
      excluded.add(key);
      continue;
    }
    const unstorable = unstorableReason(l.path, l.kind);
    if (unstorable) {
      failed.push({ path: l.path, ...unstorable });
      excluded.add(key);
      continue;
    }
    local.set(key, l);
  }
  const isBlocked = underAny(input.blocked ?? []);
  const remote = new Map<string, RemoteEntry>();
  for (const r of input.remote) {
    if (isBlocked(r.path)) continue; // the scan already reported what is in the way
    remote.set(foldPath(r.path), r);
  }
  const base = new Map<string, BaseRecord>();
  for (const b of input.base.values()) base.set(foldPath(b.path), b);

  const keys = new Set([...local.keys(), ...remote.keys(), ...base.keys()]);
  const states: PathState[] = [];
  for (const key of keys) {
    if (excluded.has(key)) continue;
    const l = local.get(key);
    const r = remote.get(key);
    const b = base.get(key);
    if (!l && !r && b && isBlocked(b.path)) continue;
    states.push({ key, local: l, remote: r, base: b, localChange: localChange(l, b), remoteChange: remoteChange(r, b), same: same(l, r, b) });
  }
  return states.sort((a, b) => (pathOf(a) < pathOf(b) ? -1 : 1));
}

/** The path to show for a state: the local spelling when there is one. */
export function pathOf(s: PathState): ProjectPath {
  return s.local?.path ?? s.remote?.path ?? s.base!.path;
}

function localChange(l: LocalRecord | undefined, b: BaseRecord | undefined): SideChange {
  if (!l) return b ? 'deleted' : 'none';
  if (!b) return 'added';
  if (l.kind !== b.kind) return 'modified';
  if (l.kind === 'directory') return 'unchanged';
  return unchangedSinceBase(l, b) ? 'unchanged' : 'modified';
}

function remoteChange(r: RemoteEntry | undefined, b: BaseRecord | undefined): SideChange {
  if (!r) return b ? 'deleted' : 'none';
  if (!b) return 'added';
  if (r.kind !== b.kind) return 'modified';
  if (r.kind === 'directory') return 'unchanged';
  const sameRow = r.id === b.remoteId || (r.md5 !== null && r.md5 === b.md5 && r.size === b.size);
  return sameRow ? 'unchanged' : 'modified';
}

function same(l: LocalRecord | undefined, r: RemoteEntry | undefined, b: BaseRecord | undefined): boolean {
  if (!l || !r || l.kind !== r.kind) return false;
  return l.kind === 'directory' || sameContent(l, r, b);
}

function collision(path: ProjectPath, other: ProjectPath): Failure {
  return {
    path,
    code: 'NAME',
    message: `"${baseName(path)}" and "${baseName(other)}" are the same name on the server (it ignores case, accents and trailing spaces); rename one`,
  };
}
