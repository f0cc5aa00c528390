import { executePlan } from './execute-plan';
import { type DownloadAction, planDown } from './plan';
import type { ProgressEvent } from './ports';
import { type RunContext, prepareRun } from './prepare-run';
import { type RunReport, newReport } from './run-report';

export type ReplaceAnswer = 'yes' | 'no' | 'all';

export interface DownOptions extends RunContext {
  /** Replace local files that changed since the last sync (or were never synced). */
  force?: boolean;
  /** Also delete local entries that were deleted on the server since the last sync. */
  delete?: boolean;
  /** Asked once per file that only `force` would replace; 'all' stops asking. */
  confirmReplace?: (path: string) => Promise<ReplaceAnswer>;
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * `mc down`: downloads what the local side lacks or has different. Each file arrives in a
 * verified temporary file and is renamed into place only if the target is still as planned.
 */
export async function runDown(opts: DownOptions): Promise<RunReport> {
  const prepared = await prepareRun(opts);
  const unforced = planDown(prepared.input, { delete: opts.delete });
  const plan = opts.force ? planDown(prepared.input, { force: true, delete: opts.delete }) : unforced;
  plan.skipped.unshift(...prepared.skipped);
  plan.failed.unshift(...prepared.failed);
  for (const p of prepared.remoteProblems) {
    if (p.failure) plan.failed.push({ path: p.path, code: 'UNSAFE_PATH', message: p.reason });
    else opts.onNotice?.(`server: ${p.path}: ${p.reason}`);
  }
  const report = newReport('down', plan, opts.dryRun ?? false);
  if (opts.dryRun) {
    opts.onPlan?.(plan);
    return report;
  }
  if (opts.force && opts.confirmReplace) {
    const plainly = new Set(unforced.downloads.map((d) => d.path));
    plan.downloads = await confirmForced(plan.downloads, plainly, opts.confirmReplace, report);
  }
  opts.onPlan?.(plan);
  await executePlan(plan, report, opts);
  return report;
}

async function confirmForced(
  downloads: DownloadAction[],
  plainly: ReadonlySet<string>,
  confirm: (path: string) => Promise<ReplaceAnswer>,
  report: RunReport,
): Promise<DownloadAction[]> {
  const kept: DownloadAction[] = [];
  let all = false;
  for (const d of downloads) {
    if (all || plainly.has(d.path)) {
      kept.push(d);
      continue;
    }
    const answer = await confirm(d.path);
    if (answer === 'no') report.skipped.push({ path: d.path, reason: 'kept the local version (answered no)' });
    else {
      kept.push(d);
      all = answer === 'all';
    }
  }
  return kept;
}
