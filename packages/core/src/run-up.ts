import { join } from 'node:path';
import { planUp } from './plan';
import type { ProgressEvent, UploadItem } from './ports';
import { type RunContext, prepareRun } from './prepare-run';
import { Recorder } from './recorder';
import { INTERRUPTED, type RunReport, newReport } from './run-report';

export interface UpOptions extends RunContext {
  /** Upload even files whose server version changed since the last sync (a new version; the old one stays on the server). */
  force?: boolean;
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
}

/** `mc up`: uploads what the remote lacks or has different; never deletes. */
export async function runUp(opts: UpOptions): Promise<RunReport> {
  const prepared = await prepareRun(opts);
  const plan = planUp(prepared.input, { force: opts.force });
  plan.skipped.unshift(...prepared.skipped);
  plan.failed.unshift(...prepared.failed);
  for (const p of prepared.remoteProblems) opts.onNotice?.(`server: ${p.path}: ${p.reason}`);
  const report = newReport('up', plan, opts.dryRun ?? false);
  opts.onPlan?.(plan);
  if (opts.dryRun) return report;

  const recorder = new Recorder(opts.store);
  if (plan.inSync.length) opts.store.saveBase(plan.inSync);
  const transfer = { signal: opts.signal, onProgress: opts.onProgress, concurrency: opts.concurrency };
  try {
    for await (const r of opts.remote.mkdirs(plan.mkdirRemote, transfer)) {
      if (r.ok) {
        report.createdFolders.push(r.path);
        recorder.add({ remote: r.remote });
      } else report.failed.push({ path: r.path, code: r.error.code, message: r.error.message });
    }
    const items: UploadItem[] = plan.uploads.map((u) => ({
      path: u.path,
      localPath: join(opts.root, u.path),
      size: u.local.size,
      md5: u.local.md5,
      mtimeNs: u.local.mtimeNs,
      ino: u.local.ino,
    }));
    if (opts.signal?.aborted) for (const i of items) report.skipped.push({ path: i.path, reason: INTERRUPTED });
    else {
      for await (const r of opts.remote.upload(items, transfer)) {
        if (!r.ok) {
          if (r.error.code === 'ABORTED') report.skipped.push({ path: r.path, reason: INTERRUPTED });
          else report.failed.push({ path: r.path, code: r.error.code, message: r.error.message });
          continue;
        }
        report.transferred.push({ path: r.path, bytes: r.bytes, verified: r.verified });
        report.bytes += r.bytes;
        recorder.add({
          remote: r.remote,
          local: { path: r.path, kind: 'file', size: r.bytes, mtimeNs: r.mtimeNs, ino: r.ino, md5: r.md5 },
          base: { path: r.remote.path, kind: 'file', md5: r.md5, size: r.bytes, remoteId: r.remote.id, syncedAt: Date.now() },
        });
      }
    }
  } finally {
    recorder.flush();
  }
  report.interrupted = opts.signal?.aborted ?? false;
  return report;
}
