import { isUnder } from './paths';
import type { RemoteChange } from './ports';
import type { ProjectPath, RemoteEntry } from './types';

/** A rename or move the remote feed reported, for files and folders alike. */
export interface RemoteRename {
  from: ProjectPath;
  to: ProjectPath;
  kind: 'file' | 'directory';
}

export interface AppliedChanges {
  /** Entries created or changed (including everything a folder move carried along). */
  upserted: RemoteEntry[];
  /** Paths that no longer exist (deleted, or the old paths of moves). */
  removed: ProjectPath[];
  renames: RemoteRename[];
}

/**
 * Applies a change feed to the cached remote tree, in place. Pure apart from mutating `tree`;
 * a folder's move or delete carries its whole subtree, as the feed specifies.
 */
export function applyRemoteChanges(tree: Map<ProjectPath, RemoteEntry>, changes: readonly RemoteChange[]): AppliedChanges {
  const touched = new Map<ProjectPath, RemoteEntry>();
  const removed = new Set<ProjectPath>();
  const renames: RemoteRename[] = [];
  const put = (entry: RemoteEntry) => {
    tree.set(entry.path, entry);
    touched.set(entry.path, entry);
    removed.delete(entry.path);
  };
  const drop = (path: ProjectPath) => {
    if (tree.delete(path)) removed.add(path);
    touched.delete(path);
  };
  for (const c of [...changes].sort((a, b) => a.seq - b.seq)) {
    if (c.op === 'create' || c.op === 'version') {
      put({ path: c.path, kind: c.kind, id: c.id, size: c.size ?? 0, md5: c.md5 ?? null, createdAt: c.at });
    } else if (c.op === 'delete') {
      for (const p of subtree(tree, c.path, c.kind)) drop(p);
    } else if (c.op === 'move' && c.oldPath !== undefined) {
      const moved = subtree(tree, c.oldPath, c.kind).map((p) => tree.get(p)!);
      for (const e of moved) drop(e.path);
      for (const e of moved) put({ ...e, path: c.path + e.path.slice(c.oldPath.length) });
      if (moved.length === 0) put({ path: c.path, kind: c.kind, id: c.id, size: c.size ?? 0, md5: c.md5 ?? null });
      renames.push({ from: c.oldPath, to: c.path, kind: c.kind });
    }
  }
  return { upserted: [...touched.values()], removed: [...removed], renames };
}

function subtree(tree: ReadonlyMap<ProjectPath, RemoteEntry>, path: ProjectPath, kind: 'file' | 'directory'): ProjectPath[] {
  if (kind === 'file') return tree.has(path) ? [path] : [];
  return [...tree.keys()].filter((p) => isUnder(p, path));
}
