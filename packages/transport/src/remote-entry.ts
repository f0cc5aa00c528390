import type { ProjectPath, RemoteEntry } from '@mcsync/core';
import { type McRow, parseTimestamp, rowChecksum } from '@mcsync/protocol';

/** A server row → RemoteEntry at a path the caller derived (never the row's own `path` for files, §2.2). */
export function toRemoteEntry(path: ProjectPath, row: McRow, kind: RemoteEntry['kind']): RemoteEntry {
  const entry: RemoteEntry = {
    path,
    kind,
    id: row.id,
    size: kind === 'directory' ? 0 : (row.size ?? 0),
    md5: kind === 'directory' ? null : rowChecksum(row),
  };
  const created = row.created_at ? parseTimestamp(row.created_at) : Number.NaN;
  if (!Number.isNaN(created)) entry.createdAt = created;
  return entry;
}
