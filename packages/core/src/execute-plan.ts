import { existsSync, lstatSync, mkdirSync, renameSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { McError, toMcError } from './errors';
import { ancestorsOf, isUnder } from './paths';
import type { DownloadAction, Plan } from './plan';
import type { DownloadItem, ProgressEvent, RemoteProject, StateStore, UploadItem } from './ports';
import { Recorder } from './recorder';
import { CHANGES_CURSOR, loadRemoteState } from './remote-state';
import { INTERRUPTED, type RunReport } from './run-report';
import type { LocalRecord } from './types';

export interface ExecuteOptions {
  root: string;
  store: StateStore;
  remote: RemoteProject;
  signal?: AbortSignal;
  concurrency?: number;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Send each upload's precondition (the remote version it replaces): a remote change that lands
   * during the run is then refused by the server instead of overwritten (`mc sync`).
   */
  preconditions?: boolean;
}

/**
 * Carries out a plan, in an order that never loses data: local renames, deletions (files before
 * their folders; each only if still as planned), remote folders and uploads, local folders and
 * downloads. Each finished action is recorded at once; failures are per item.
 */
export async function executePlan(plan: Plan, report: RunReport, opts: ExecuteOptions): Promise<void> {
  const recorder = new Recorder(opts.store);
  if (plan.rebase.length) opts.store.saveBase(plan.rebase);
  if (plan.forget.length) opts.store.deleteBase(plan.forget);
  const fail = (path: string, err: unknown) => {
    const e = toMcError(err, 'LOCAL_IO');
    if (e.code === 'CONFLICT' && report.command === 'sync') report.conflicts.push({ path, copy: null, message: e.message });
    else report.failed.push({ path, code: e.code, message: e.message });
  };
  const transfer = { signal: opts.signal, onProgress: opts.onProgress, concurrency: opts.concurrency };
  const aborted = () => opts.signal?.aborted === true;
  try {
    renameLocally(plan, report, opts);
    deleteLocally(plan, report, recorder, opts.root, fail);

    if (plan.deleteRemote.length && !aborted()) {
      for await (const r of opts.remote.remove(plan.deleteRemote, transfer)) {
        if (r.ok) {
          report.deleted.push({ path: r.path, side: 'remote' });
          recorder.add({ gone: r.path });
        } else if (r.error.code === 'ABORTED') report.skipped.push({ path: r.path, reason: INTERRUPTED });
        else fail(r.path, r.error);
      }
    }

    // Uploads create their folders on the way (by path); only folders no upload will fill need a request.
    const filled = new Set(plan.uploads.flatMap((u) => ancestorsOf(u.path)));
    const mkdirs = plan.mkdirRemote.filter((p) => !filled.has(p));
    const plannedFolders = new Set(plan.mkdirRemote);
    if (mkdirs.length && !aborted()) {
      for await (const r of opts.remote.mkdirs(mkdirs, transfer)) {
        if (!r.ok) {
          fail(r.path, r.error);
          continue;
        }
        report.createdFolders.push(r.path);
        recorder.add({ remote: r.remote, base: { path: r.path, kind: 'directory', md5: null, size: 0, remoteId: r.remote.id, syncedAt: Date.now() } });
      }
    }

    const uploads: UploadItem[] = plan.uploads.map((u) => ({
      path: u.path,
      localPath: join(opts.root, u.path),
      size: u.local.size,
      md5: u.local.md5,
      mtimeNs: u.local.mtimeNs,
      ino: u.local.ino,
      ...(opts.preconditions ? { ifCurrentId: u.remote?.id ?? 0 } : {}),
    }));
    if (aborted()) for (const i of uploads) report.skipped.push({ path: i.path, reason: INTERRUPTED });
    else if (uploads.length) {
      for await (const r of opts.remote.upload(uploads, transfer)) {
        if (!r.ok) {
          if (r.error.code === 'ABORTED') report.skipped.push({ path: r.path, reason: INTERRUPTED });
          else fail(r.path, r.error);
          continue;
        }
        report.transferred.push({ path: r.path, bytes: r.bytes, verified: r.verified });
        report.bytes += r.sent ?? r.bytes;
        for (const dir of ancestorsOf(r.path)) {
          if (!filled.delete(dir) || !plannedFolders.has(dir)) continue;
          // A folder the upload created on the way: it exists on both sides now (its id is not needed for folders).
          report.createdFolders.push(dir);
          recorder.add({ base: { path: dir, kind: 'directory', md5: null, size: 0, remoteId: 0, syncedAt: Date.now() } });
        }
        recorder.add({
          remote: r.remote,
          local: { path: r.path, kind: 'file', size: r.bytes, mtimeNs: r.mtimeNs, ino: r.ino, md5: r.md5 },
          base: { path: r.remote.path, kind: 'file', md5: r.md5, size: r.bytes, remoteId: r.remote.id, syncedAt: Date.now() },
        });
      }
    }

    for (const { path, remote } of plan.mkdirLocal) {
      try {
        mkdirSync(join(opts.root, path), { recursive: true });
        report.createdFolders.push(path);
        recorder.add({ base: { path: remote.path, kind: 'directory', md5: null, size: 0, remoteId: remote.id, syncedAt: Date.now() } });
      } catch (err) {
        fail(path, err);
      }
    }

    const wanted = plan.downloads.filter((d) => !(d.conflictCopy && existsSync(join(opts.root, d.path))));
    const byPath = new Map(wanted.map((d) => [d.path, d]));
    const items: DownloadItem[] = wanted.map((d) => ({ path: d.path, remote: d.remote, localPath: join(opts.root, d.path) }));
    if (aborted()) for (const i of items) report.skipped.push({ path: i.path, reason: INTERRUPTED });
    else if (items.length) {
      for await (const r of opts.remote.download(items, transfer)) {
        if (!r.ok) {
          if (r.error.code === 'ABORTED') report.skipped.push({ path: r.path, reason: INTERRUPTED });
          else fail(r.path, r.error);
          continue;
        }
        const action = byPath.get(r.path)!;
        try {
          const local = placeDownloaded(opts.root, action, r.tempPath, r.md5);
          report.transferred.push({ path: r.path, bytes: r.bytes, verified: r.verified });
          report.bytes += r.sent ?? r.bytes;
          if (!action.conflictCopy) {
            recorder.add({
              local,
              base: { path: action.remote.path, kind: 'file', md5: r.md5, size: r.bytes, remoteId: action.remote.id, syncedAt: Date.now() },
            });
          }
        } catch (err) {
          rmSync(r.tempPath, { force: true });
          fail(r.path, err);
        }
      }
    }
  } finally {
    recorder.flush();
  }
  report.interrupted = aborted();
  await catchUpWithOwnChanges(opts, plan, report);
}

/**
 * After this run changed the server, read the change feed once more: the changes are our own, so
 * the next run with nothing new to do costs a single request instead of paging through them.
 */
async function catchUpWithOwnChanges(opts: ExecuteOptions, plan: Plan, report: RunReport): Promise<void> {
  const wroteRemote = plan.uploads.length + plan.mkdirRemote.length + plan.deleteRemote.length > 0;
  if (!wroteRemote || report.interrupted || opts.store.getCursor(CHANGES_CURSOR) === null) return;
  try {
    await loadRemoteState(opts.remote, opts.store, [''], { signal: opts.signal });
  } catch {
    // the next run reads the feed instead
  }
}

/** Remote renames from the feed, repeated locally when the old path is there and the new one free. */
function renameLocally(plan: Plan, report: RunReport, opts: ExecuteOptions): void {
  if (!plan.renameLocal.length) return;
  const base = opts.store.loadBase();
  for (const { from, to } of plan.renameLocal) {
    const src = join(opts.root, from);
    const dst = join(opts.root, to);
    if (!existsSync(src) || existsSync(dst)) continue;
    try {
      mkdirSync(dirname(dst), { recursive: true });
      renameSync(src, dst);
    } catch (err) {
      report.failed.push({ path: from, code: 'LOCAL_IO', message: `cannot rename to ${to}: ${(err as Error).message}` });
      continue;
    }
    report.renamed.push({ from, to });
    const moved = [...base.values()].filter((b) => isUnder(b.path, from));
    opts.store.deleteBase(moved.map((b) => b.path));
    opts.store.saveBase(moved.map((b) => ({ ...b, path: to + b.path.slice(from.length) })));
    opts.store.deleteLocal(moved.map((b) => b.path));
  }
}

/**
 * Deletes local files, then folders deepest first. A file is deleted only if it is still exactly
 * as planned (a change since the scan keeps it); a folder only if it is empty by then.
 */
function deleteLocally(plan: Plan, report: RunReport, recorder: Recorder, root: string, fail: (path: string, err: unknown) => void): void {
  const files = plan.deleteLocal.filter((d) => d.local.kind === 'file');
  const folders = plan.deleteLocal.filter((d) => d.local.kind === 'directory').sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  for (const { path, local } of files) {
    try {
      if (!stillAsPlanned(join(root, path), local)) throw new McError('CHANGED', 'changed since it was looked at; kept it');
      unlinkSync(join(root, path));
      report.deleted.push({ path, side: 'local' });
      recorder.add({ gone: path });
    } catch (err) {
      fail(path, err);
    }
  }
  for (const { path } of folders) {
    try {
      rmdirSync(join(root, path));
      report.deleted.push({ path, side: 'local' });
      recorder.add({ gone: path });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') report.skipped.push({ path, reason: 'folder not empty (something new is in it); kept' });
      else fail(path, err);
    }
  }
}

function stillAsPlanned(abs: string, planned: LocalRecord): boolean {
  try {
    const st = lstatSync(abs, { bigint: true });
    return Number(st.size) === planned.size && st.mtimeNs === planned.mtimeNs && Number(st.ino) === planned.ino;
  } catch {
    return false;
  }
}

/**
 * Renames the verified temporary file over the target, unless the target changed since the plan
 * (a local edit during the download must never be lost). Returns the new local record.
 */
function placeDownloaded(root: string, action: DownloadAction, tempPath: string, md5: string): LocalRecord {
  const target = join(root, action.path);
  const planned = action.local;
  const unchanged = planned === undefined ? !existsSync(target) && !isDangling(target) : stillAsPlanned(target, planned);
  if (!unchanged) {
    throw new McError('CHANGED', 'the local file changed during the download; kept it, run mc down again to compare');
  }
  renameSync(tempPath, target);
  const st = lstatSync(target, { bigint: true });
  return { path: action.path, kind: 'file', size: Number(st.size), mtimeNs: st.mtimeNs, ino: Number(st.ino), md5 };
}

function isDangling(abs: string): boolean {
  try {
    return lstatSync(abs).isSymbolicLink();
  } catch {
    return false;
  }
}
