import { type PathState, type SideChange, classify, pathOf } from './classify';
import { foldPath } from './fold-name';
import { type Failure, type Plan, type Skip, planDown, planSync, planUp } from './plan';
import { type RunContext, prepareRun } from './prepare-run';
import type { LocalRecord, ProjectPath, RemoteEntry } from './types';

/** One path seen from both sides, for `mc ls`. */
export interface SideBySide {
  path: ProjectPath;
  local: LocalRecord | undefined;
  remote: RemoteEntry | undefined;
  /** 'same' when the content is known identical, 'differs', or 'unknown' (no MD5 to compare). */
  state: 'same' | 'differs' | 'local-only' | 'remote-only' | 'unknown';
}

/** A path that changed on at least one side since the last sync, as `git status` would list it. */
export interface StatusChange {
  path: ProjectPath;
  kind: 'file' | 'directory';
  local: SideChange;
  remote: SideChange;
  /** Changed on both sides, differently: `mc sync` would leave it as a conflict. */
  conflict: boolean;
}

export interface StatusReport {
  up: Plan;
  down: Plan;
  sync: Plan;
  changes: StatusChange[];
  entries: SideBySide[];
  inSync: number;
  skipped: Skip[];
  failed: Failure[];
}

/** What `mc up`, `mc down` and `mc sync` would do, without doing it (nothing is transferred or recorded). */
export async function computeStatus(ctx: RunContext): Promise<StatusReport> {
  const prepared = await prepareRun({ ...ctx, dryRun: true });
  const up = planUp(prepared.input);
  const down = planDown(prepared.input);
  const sync = planSync(prepared.input);
  const failed: Failure[] = [...prepared.failed];
  const states = classify(prepared.input, failed);
  for (const p of prepared.remoteProblems) if (p.failure) failed.push({ path: p.path, code: 'UNSAFE_PATH', message: p.reason });
  const conflicted = new Set(sync.conflicts.map((c) => foldPath(c.path)));
  const changes = states
    .filter((s) => !s.same && !(isQuiet(s.localChange) && isQuiet(s.remoteChange)))
    .map((s) => ({ path: pathOf(s), kind: (s.local ?? s.remote ?? s.base)!.kind, local: s.localChange, remote: s.remoteChange, conflict: conflicted.has(s.key) }));
  return {
    up,
    down,
    sync,
    changes,
    entries: states.filter((s) => s.local || s.remote).map(sideBySide),
    inSync: states.filter((s) => s.same && s.local?.kind === 'file').length,
    skipped: prepared.skipped,
    failed,
  };
}

const isQuiet = (c: SideChange) => c === 'unchanged' || c === 'none';

function sideBySide(s: PathState): SideBySide {
  const { local, remote } = s;
  let state: SideBySide['state'];
  if (!remote) state = 'local-only';
  else if (!local) state = 'remote-only';
  else if (s.same) state = 'same';
  else if (local.kind !== remote.kind || local.size !== remote.size) state = 'differs';
  else if (local.md5 !== null && remote.md5 !== null) state = 'differs';
  else state = 'unknown';
  return { path: pathOf(s), local, remote, state };
}
