import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resumableTempName } from './project-files';
import type { RemoteEntry } from './types';

/**
 * The run-start clean-up of temporary downloads (cli-contract.md: removed when a run starts):
 * every `.mc-tmp-*` file a scan found is removed, except a resumable partial whose name still
 * matches content the remote lists in its folder (`resumableTempName`); the download of that
 * content resumes it. A partial of a file that changed or went on the server is removed, so is
 * every other temp file. Returns the partials kept.
 */
export function removeStaleTempFiles(
  root: string,
  tempFiles: readonly string[],
  remote: readonly RemoteEntry[],
  onNotice?: (message: string) => void,
): string[] {
  if (tempFiles.length === 0) return [];
  const keep = resumablePartials(root, tempFiles, remote);
  const kept: string[] = [];
  for (const p of tempFiles) {
    if (keep.has(p)) {
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

/** Where the remote's files would have their partials, for the folders that hold temp files only (a hash per name is not free on 200k rows). */
function resumablePartials(root: string, tempFiles: readonly string[], remote: readonly RemoteEntry[]): Set<string> {
  const folders = new Set(tempFiles.map((p) => dirname(p)));
  const out = new Set<string>();
  for (const r of remote) {
    if (r.kind !== 'file') continue;
    const folder = join(root, r.path, '..');
    if (folders.has(folder)) out.add(join(folder, resumableTempName(r.path, r)));
  }
  return out;
}
