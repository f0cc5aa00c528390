import { rmSync, statSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { foldPath } from './fold-name';
import { parentOf } from './paths';
import { resumableTempName } from './project-files';
import type { RemoteEntry } from './types';

/**
 * A partial nobody continued for this long is removed even if the remote still has its content:
 * it holds disk space for a download the user may never run again.
 */
export const PARTIAL_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * The run-start clean-up of temporary downloads (cli-contract.md: removed when a run starts):
 * every `.mc-tmp-*` file a scan found is removed, except a resumable partial whose name still
 * matches content the remote lists in its folder (`resumableTempName`) and that was written to
 * within `PARTIAL_MAX_AGE_MS`; the download of that content resumes it. A partial of a file that
 * changed or went on the server is removed, so is every other temp file. Returns the partials kept.
 */
export function removeStaleTempFiles(
  root: string,
  tempFiles: readonly string[],
  remote: readonly RemoteEntry[],
  onNotice?: (message: string) => void,
  now: number = Date.now(),
): string[] {
  if (tempFiles.length === 0) return [];
  const folderKey = (abs: string) => foldPath(relative(root, dirname(abs)).split(sep).join('/'));
  const wanted = resumablePartials(new Set(tempFiles.map(folderKey)), remote);
  const kept: string[] = [];
  for (const p of tempFiles) {
    if (wanted.has(`${folderKey(p)}/${basename(p)}`) && writtenSince(p, now - PARTIAL_MAX_AGE_MS)) {
      kept.push(p);
      continue;
    }
    try {
      rmSync(p, { force: true });
    } catch {
      onNotice?.(`could not remove stale temporary file ${p}`);
    }
  }
  return kept;
}

function writtenSince(path: string, since: number): boolean {
  try {
    return statSync(path).mtimeMs >= since;
  } catch {
    return false;
  }
}

/**
 * `folder key/partial name` of the remote's files in the given folders (folded: the engine writes
 * into the local spelling of a folder, which may differ from the server's in case or accents).
 * Only folders holding temp files: a hash per name is not free on 200k rows.
 */
function resumablePartials(folders: ReadonlySet<string>, remote: readonly RemoteEntry[]): Set<string> {
  const out = new Set<string>();
  for (const r of remote) {
    if (r.kind !== 'file') continue;
    const folder = foldPath(parentOf(r.path));
    if (folders.has(folder)) out.add(`${folder}/${resumableTempName(r.path, r)}`);
  }
  return out;
}
