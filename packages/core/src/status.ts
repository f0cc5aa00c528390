import { foldPath } from './fold-name';
import { type Failure, type Plan, type Skip, planDown, planUp } from './plan';
import { type RunContext, prepareRun } from './prepare-run';
import type { LocalRecord, ProjectPath, RemoteEntry } from './types';

/** One path seen from both sides, for `mc ls`. */
export interface SideBySide {
  path: ProjectPath;
  local: LocalRecord | undefined;
  remote: RemoteEntry | undefined;
  /** 'same' when the content is known identical, 'differs', or 'unknown' (one side only, or no MD5 to compare). */
  state: 'same' | 'differs' | 'local-only' | 'remote-only' | 'unknown';
}

export interface StatusReport {
  up: Plan;
  down: Plan;
  entries: SideBySide[];
  skipped: Skip[];
  failed: Failure[];
}

/** What `mc up` and `mc down` would do, without doing it (nothing is transferred or recorded). */
export async function computeStatus(ctx: RunContext): Promise<StatusReport> {
  const prepared = await prepareRun({ ...ctx, dryRun: true });
  const up = planUp(prepared.input);
  const down = planDown(prepared.input);
  const remoteByFold = new Map(prepared.input.remote.map((r) => [foldPath(r.path), r]));
  const seen = new Set<string>();
  const entries: SideBySide[] = [];
  for (const local of prepared.input.local) {
    const key = foldPath(local.path);
    seen.add(key);
    const remote = remoteByFold.get(key);
    entries.push({ path: local.path, local, remote, state: compare(local, remote) });
  }
  for (const remote of prepared.input.remote) {
    if (!seen.has(foldPath(remote.path))) entries.push({ path: remote.path, local: undefined, remote, state: 'remote-only' });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : 1));
  const failed = [...prepared.failed, ...prepared.remoteProblems.filter((p) => p.failure).map((p) => ({ path: p.path, code: 'UNSAFE_PATH' as const, message: p.reason }))];
  return { up, down, entries, skipped: prepared.skipped, failed };
}

function compare(local: LocalRecord, remote: RemoteEntry | undefined): SideBySide['state'] {
  if (!remote) return 'local-only';
  if (local.kind !== remote.kind) return 'differs';
  if (local.kind === 'directory') return 'same';
  if (local.size !== remote.size) return 'differs';
  if (local.md5 !== null && remote.md5 !== null) return local.md5 === remote.md5 ? 'same' : 'differs';
  return 'unknown';
}
