import { executePlan } from './execute-plan';
import { planUp } from './plan';
import type { ProgressEvent } from './ports';
import { type RunContext, prepareRun } from './prepare-run';
import { type RunReport, newReport } from './run-report';

export interface UpOptions extends RunContext {
  /** Upload even files whose server version changed since the last sync (a new version; the old one stays on the server). */
  force?: boolean;
  /** Also delete remote entries that were deleted here since the last sync. */
  delete?: boolean;
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
}

/** `mc up`: uploads what the remote lacks or has different; deletes only with `delete`. */
export async function runUp(opts: UpOptions): Promise<RunReport> {
  const prepared = await prepareRun(opts);
  const plan = planUp(prepared.input, { force: opts.force, delete: opts.delete });
  plan.skipped.unshift(...prepared.skipped);
  plan.failed.unshift(...prepared.failed);
  for (const p of prepared.remoteProblems) opts.onNotice?.(`server: ${p.path}: ${p.reason}`);
  const report = newReport('up', plan, opts.dryRun ?? false);
  opts.onPlan?.(plan);
  if (!opts.dryRun) await executePlan(plan, report, opts);
  return report;
}
