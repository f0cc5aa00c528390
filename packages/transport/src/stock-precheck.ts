import { McError, type ProjectPath, type UploadItem, type UploadResult, foldPath, fromRemotePath, joinPath } from '@mcsync/core';
import { fileChangesSince } from './endpoints/file-changes';
import type { HttpClient } from './http-client';

/**
 * Production has no upload precondition (§5.10). For uploads that carry one (`mc sync`), this asks
 * `file-changes-since` — one cheap request — which files got a new version since the snapshot the
 * plan was made from, and refuses those uploads with CONFLICT instead of overwriting a version the
 * plan never saw. Best effort: the window between this check and the upload stays open, and
 * re-activated old versions are invisible to it (Q21).
 */
export async function refuseChangedSince(
  client: HttpClient,
  projectId: number,
  watermark: number | null,
  items: readonly UploadItem[],
  signal?: AbortSignal,
): Promise<{ go: UploadItem[]; refused: UploadResult[] }> {
  const guarded = items.filter((i) => i.ifCurrentId !== undefined);
  if (!guarded.length) return { go: [...items], refused: [] };
  // Server clock: the newest upload time the snapshot saw, minus one second (strict `>`, whole seconds).
  const since = new Date(watermark === null ? 0 : watermark - 1000);
  const rows = await fileChangesSince(client, projectId, since, signal ? { signal } : {});
  const current = new Map<string, number>();
  for (const row of rows) {
    const dir = row.directory?.path;
    if (typeof dir !== 'string') continue;
    let path: ProjectPath;
    try {
      path = joinPath(fromRemotePath(dir), row.name);
    } catch {
      continue; // unsafe names are the snapshot's to report
    }
    current.set(foldPath(path), row.id);
  }
  const go: UploadItem[] = [];
  const refused: UploadResult[] = [];
  for (const item of items) {
    const now = current.get(foldPath(item.path));
    if (item.ifCurrentId !== undefined && now !== undefined && now !== item.ifCurrentId) {
      refused.push({
        ok: false,
        path: item.path,
        error: new McError('CONFLICT', `${item.path} got a new version on the server after this run looked; it was not overwritten`),
      });
    } else go.push(item);
  }
  return { go, refused };
}
