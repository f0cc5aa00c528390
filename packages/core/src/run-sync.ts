import { executePlan } from './execute-plan';
import { planSync } from './plan';
import type { ProgressEvent } from './ports';
import { type RunContext, prepareRun } from './prepare-run';
import { type RunReport, newReport } from './run-report';

export interface SyncRunOptions extends RunContext {
  /** Resolve files changed on both sides automatically. */
  prefer?: 'local' | 'remote';
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * `mc sync`: two-way. Changes on one side are propagated (deletions and remote renames
 * included); changes on both are conflicts that leave both sides as they are and put the remote
 * version beside the local one. Uploads carry preconditions, so a remote change that lands
 * during the run becomes a conflict instead of being overwritten.
 */
export async function runSync(opts: SyncRunOptions): Promise<RunReport> {
  const prepared = await prepareRun({ ...opts, followRenames: true });
  const plan = planSync(prepared.input, { prefer: opts.prefer });
  plan.renameLocal = prepared.renames;
  plan.skipped.unshift(...prepared.skipped);
  plan.failed.unshift(...prepared.failed);
  for (const p of prepared.remoteProblems) {
    if (p.failure) plan.failed.push({ path: p.path, code: 'UNSAFE_PATH', message: p.reason });
    else opts.onNotice?.(`server: ${p.path}: ${p.reason}`);
  }
  const report = newReport('sync', plan, opts.dryRun ?? false);
  opts.onPlan?.(plan);
  if (!opts.dryRun) await executePlan(plan, report, { ...opts, preconditions: true });
  return report;
}
