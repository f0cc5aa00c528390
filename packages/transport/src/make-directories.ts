import { foldPath, type MkdirResult, type ProjectPath, toMcError, type TransferOptions } from '@mcsync/core';
import type { DirectoryIndex } from './directory-index';
import { abortedError } from './http-errors';
import { schedule } from './scheduler';

/**
 * `POST /directories/by-path` per path, shallow paths first (each level in parallel), so parents
 * exist before their children are asked for. Paths already known from a snapshot are answered
 * without a request.
 */
export function makeDirectories(dirs: DirectoryIndex, paths: readonly ProjectPath[], concurrency: number, opts: TransferOptions = {}): AsyncIterable<MkdirResult> {
  const levels = new Map<number, ProjectPath[]>();
  const seen = new Set<string>();
  for (const p of paths) {
    const key = foldPath(p);
    if (p === '' || seen.has(key)) continue;
    seen.add(key);
    const depth = p.split('/').length;
    const level = levels.get(depth);
    if (level) level.push(p);
    else levels.set(depth, [p]);
  }
  const ordered = [...levels.entries()].sort((a, b) => a[0] - b[0]).map(([, level]) => level);

  return (async function* () {
    const pending = new Set<ProjectPath>(ordered.flat());
    for (const level of ordered) {
      if (opts.signal?.aborted) break;
      yield* schedule<ProjectPath, MkdirResult>(
        level,
        async (path, emit, signal) => {
          pending.delete(path);
          emit(await mkdirOne(dirs, path, signal));
        },
        { concurrency: opts.concurrency ?? concurrency, signal: opts.signal, onWorkerError: (path, err, emit) => emit({ ok: false, path, error: toMcError(err) }) },
      );
    }
    for (const path of pending) yield { ok: false as const, path, error: abortedError() };
  })();
}

async function mkdirOne(dirs: DirectoryIndex, path: ProjectPath, signal: AbortSignal): Promise<MkdirResult> {
  try {
    const { id } = await dirs.ensure(path, signal);
    return { ok: true, path, remote: { path, kind: 'directory', id, size: 0, md5: null } };
  } catch (err) {
    return { ok: false, path, error: signal.aborted ? abortedError(err) : toMcError(err) };
  }
}
