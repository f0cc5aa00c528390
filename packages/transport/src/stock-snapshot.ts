import { assertSafeName, foldName, foldPath, fromRemotePath, joinPath, McError, parentOf, type Problem, type ProjectPath, type RemoteEntry } from '@mcsync/core';
import { type McRow, isCurrentRow, isDirectoryRow, parseTimestamp } from '@mcsync/protocol';
import { listAllDirectories, listDirectory } from './endpoints/directories';
import type { HttpClient } from './http-client';
import type { DirectoryIndex } from './directory-index';
import { toRemoteEntry } from './remote-entry';
import { mapBounded } from './scheduler';
import { abortedError, isAbortError } from './http-errors';

export interface SnapshotOptions {
  signal?: AbortSignal | undefined;
  onProblem?: ((problem: Problem) => void) | undefined;
  /** Directory listings in flight (default 16). */
  concurrency?: number;
}

interface Dir {
  row: McRow;
  path: ProjectPath;
}

/**
 * The stock enumeration (§5.11): `GET …/directories` once (every live directory with its path), then
 * `GET …/directories/{id}/list` for each directory under the prefixes, in parallel. 1 + D requests.
 * Records every reachable directory in `index` for later uploads.
 */
export async function stockSnapshot(
  client: HttpClient,
  projectId: number,
  index: DirectoryIndex,
  prefixes: readonly ProjectPath[] = [''],
  opts: SnapshotOptions = {},
): Promise<RemoteEntry[]> {
  const report = opts.onProblem ?? (() => {});
  const signal = opts.signal;
  const dirRows = await listAllDirectories(client, projectId, signal ? { signal } : {});
  const dirs = resolveDirectories(dirRows, report);

  index.clear();
  for (const d of dirs.values()) index.set(d.path, d.row.id);

  const wanted = (prefixes.length === 0 ? [''] : prefixes).map(foldPath);
  const everything = wanted.includes('');
  const inScope = (path: ProjectPath) => {
    if (everything) return true;
    const f = foldPath(path);
    return wanted.some((p) => f === p || f.startsWith(`${p}/`));
  };

  const entries: RemoteEntry[] = [];
  const toList: Dir[] = [];
  const byFoldedPath = new Map<string, Dir>();
  for (const d of dirs.values()) byFoldedPath.set(foldPath(d.path), d);
  for (const d of dirs.values()) {
    if (!inScope(d.path)) continue;
    if (d.path !== '') entries.push(toRemoteEntry(d.path, d.row, 'directory'));
    toList.push(d);
  }
  // A prefix naming a file: list its parent to find it.
  for (const p of wanted) {
    if (byFoldedPath.has(p)) continue;
    const parent = byFoldedPath.get(parentOf(p));
    if (parent && !toList.includes(parent)) toList.push(parent);
  }

  const subdirNames = new Map<number, Set<string>>();
  for (const d of dirs.values()) {
    const parentId = d.row.directory_id;
    if (parentId == null) continue;
    let names = subdirNames.get(parentId);
    if (!names) subdirNames.set(parentId, (names = new Set()));
    names.add(foldName(d.row.name));
  }

  let listings: McRow[][];
  try {
    listings = await mapBounded(toList, (d, inner) => listDirectory(client, projectId, d.row.id, { signal: inner }), {
      concurrency: opts.concurrency ?? 16,
      signal,
    });
  } catch (err) {
    if (isAbortError(err) || (signal?.aborted && !(err instanceof McError))) throw abortedError(err);
    throw err;
  }

  toList.forEach((dir, i) => {
    for (const entry of filesOf(dir, listings[i]!, subdirNames.get(dir.row.id), report)) {
      if (inScope(entry.path)) entries.push(entry);
    }
  });
  return entries;
}

/**
 * Directory rows → the directories reachable from the root, with safe paths. Rows whose ancestor
 * chain does not reach the root (children of a deleted directory, §5.8) are ignored; unsafe paths
 * are reported and left out with their whole subtree.
 */
function resolveDirectories(rows: readonly McRow[], report: (p: Problem) => void): Map<number, Dir> {
  const byId = new Map<number, McRow>();
  for (const r of rows) if (isDirectoryRow(r)) byId.set(r.id, r);
  const roots = [...byId.values()].filter((r) => r.directory_id == null);
  const root = roots.find((r) => r.path === '/' || r.name === '/') ?? roots[0];
  if (!root) throw new McError('SERVER', 'the project has no root directory on the server');

  const resolved = new Map<number, Dir | null>(); // null = unreachable or unsafe
  resolved.set(root.id, { row: root, path: '' });
  const taken = new Map<string, number>([['', root.id]]);

  const resolve = (start: McRow): Dir | null => {
    // Walk up to a resolved ancestor, then resolve back down (iterative: deep trees, no recursion).
    const chain: McRow[] = [];
    const seen = new Set<number>();
    let cur: McRow | undefined = start;
    while (cur && !resolved.has(cur.id)) {
      if (seen.has(cur.id)) {
        cur = undefined; // cycle: unreachable
        break;
      }
      seen.add(cur.id);
      chain.push(cur);
      cur = cur.directory_id == null ? undefined : byId.get(cur.directory_id);
    }
    let parent: Dir | null = cur ? resolved.get(cur.id)! : null;
    for (let i = chain.length - 1; i >= 0; i--) {
      const row = chain[i]!;
      parent = parent ? resolveOne(row, parent) : null;
      resolved.set(row.id, parent);
    }
    return resolved.get(start.id) ?? null;
  };

  const resolveOne = (row: McRow, parent: Dir): Dir | null => {
    let path: ProjectPath;
    try {
      assertSafeName(row.name);
      path = row.path ? fromRemotePath(row.path) : joinPath(parent.path, row.name);
    } catch (err) {
      report({ path: (row.path ?? joinPath(parent.path, row.name)).replace(/^\/+/, ''), reason: problemText(err), failure: true });
      return null;
    }
    const key = foldPath(path);
    const other = taken.get(key);
    if (other !== undefined) {
      report({ path, reason: `two directories on the server have this path (ids ${other} and ${row.id}); using id ${other}`, failure: false });
      return null;
    }
    taken.set(key, row.id);
    return { row, path };
  };

  const out = new Map<number, Dir>();
  for (const row of [...byId.values()].sort((a, b) => a.id - b.id)) {
    const d = resolve(row);
    if (d) out.set(row.id, d);
  }
  return out;
}

/** The current files of one directory listing, one per fold key (the newest wins, §5.2). */
function filesOf(dir: Dir, rows: readonly McRow[], subdirs: Set<string> | undefined, report: (p: Problem) => void): RemoteEntry[] {
  const byKey = new Map<string, McRow>();
  for (const row of rows) {
    if (isDirectoryRow(row) || !isCurrentRow(row)) continue;
    if (row.mime_type === 'url') {
      report({ path: joinPath(dir.path, row.name), reason: 'a link entry, not a file: skipped', failure: false });
      continue;
    }
    try {
      assertSafeName(row.name);
    } catch (err) {
      report({ path: joinPath(dir.path, row.name.replace(/\0/g, '\\0')), reason: problemText(err), failure: true });
      continue;
    }
    const key = foldName(row.name);
    if (subdirs?.has(key)) {
      report({ path: joinPath(dir.path, row.name), reason: 'a file and a directory share this name on the server: file skipped', failure: true });
      continue;
    }
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, row);
      continue;
    }
    const [newer, older] = isNewer(row, seen) ? [row, seen] : [seen, row];
    byKey.set(key, newer);
    report({
      path: joinPath(dir.path, newer.name),
      reason: `several current versions on the server (ids ${older.id} and ${newer.id}); using the newest, id ${newer.id}`,
      failure: false,
    });
  }
  const out: RemoteEntry[] = [];
  for (const row of byKey.values()) out.push(toRemoteEntry(joinPath(dir.path, row.name), row, 'file'));
  return out;
}

function isNewer(a: McRow, b: McRow): boolean {
  const ta = a.created_at ? parseTimestamp(a.created_at) : Number.NaN;
  const tb = b.created_at ? parseTimestamp(b.created_at) : Number.NaN;
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta > tb;
  return a.id > b.id;
}

function problemText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
