import { lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { McError, toMcError } from './errors';
import { type DownloadAction, planDown } from './plan';
import type { DownloadItem, ProgressEvent } from './ports';
import { type RunContext, prepareRun } from './prepare-run';
import { Recorder } from './recorder';
import { INTERRUPTED, type RunReport, newReport } from './run-report';
import type { LocalRecord } from './types';

export type ReplaceAnswer = 'yes' | 'no' | 'all';

export interface DownOptions extends RunContext {
  /** Replace local files that changed since the last sync (or were never synced). */
  force?: boolean;
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
  const unforced = planDown(prepared.input);
  const plan = opts.force ? planDown(prepared.input, { force: true }) : unforced;
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

  const recorder = new Recorder(opts.store);
  if (plan.inSync.length) opts.store.saveBase(plan.inSync);
  try {
    for (const path of plan.mkdirLocal) {
      try {
        mkdirSync(join(opts.root, path), { recursive: true });
        report.createdFolders.push(path);
      } catch (err) {
        const e = toMcError(err, 'LOCAL_IO');
        report.failed.push({ path, code: e.code, message: e.message });
      }
    }
    const byPath = new Map(plan.downloads.map((d) => [d.path, d]));
    const items: DownloadItem[] = plan.downloads.map((d) => ({ path: d.path, remote: d.remote, localPath: join(opts.root, d.path) }));
    if (opts.signal?.aborted) {
      for (const i of items) report.skipped.push({ path: i.path, reason: INTERRUPTED });
      return finish(report, recorder, opts);
    }
    for await (const r of opts.remote.download(items, { signal: opts.signal, onProgress: opts.onProgress, concurrency: opts.concurrency })) {
      if (!r.ok) {
        if (r.error.code === 'ABORTED') report.skipped.push({ path: r.path, reason: INTERRUPTED });
        else report.failed.push({ path: r.path, code: r.error.code, message: r.error.message });
        continue;
      }
      const action = byPath.get(r.path)!;
      try {
        const local = placeDownloaded(opts.root, action, r.tempPath, r.md5);
        report.transferred.push({ path: r.path, bytes: r.bytes, verified: r.verified });
        report.bytes += r.bytes;
        recorder.add({
          local,
          base: { path: action.remote.path, kind: 'file', md5: r.md5, size: r.bytes, remoteId: action.remote.id, syncedAt: Date.now() },
        });
      } catch (err) {
        rmSync(r.tempPath, { force: true });
        const e = toMcError(err, 'LOCAL_IO');
        report.failed.push({ path: r.path, code: e.code, message: e.message });
      }
    }
  } finally {
    recorder.flush();
  }
  return finish(report, recorder, opts);
}

function finish(report: RunReport, recorder: Recorder, opts: DownOptions): RunReport {
  recorder.flush();
  report.interrupted = opts.signal?.aborted ?? false;
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

/**
 * Renames the verified temporary file over the target, unless the target changed since the plan
 * (a local edit during the download must never be lost). Returns the new local record.
 */
function placeDownloaded(root: string, action: DownloadAction, tempPath: string, md5: string): LocalRecord {
  const target = join(root, action.path);
  let current;
  try {
    current = lstatSync(target, { bigint: true });
  } catch {
    current = undefined;
  }
  const planned = action.local;
  const unchanged =
    planned === undefined
      ? current === undefined
      : current !== undefined && Number(current.size) === planned.size && current.mtimeNs === planned.mtimeNs && Number(current.ino) === planned.ino;
  if (!unchanged) {
    throw new McError('CHANGED', 'the local file changed during the download; kept it, run mc down again to compare', {});
  }
  renameSync(tempPath, target);
  const st = lstatSync(target, { bigint: true });
  return { path: action.path, kind: 'file', size: Number(st.size), mtimeNs: st.mtimeNs, ino: Number(st.ino), md5 };
}
