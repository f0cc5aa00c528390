import type { BaseRecord, LocalEntry, LocalRecord, RemoteEntry } from './types';

/**
 * Joins a fresh scan with the cached state: a file whose (size, mtime ns, inode) are unchanged
 * keeps its cached MD5; anything else has an unknown MD5 until a decision needs it.
 */
export function applyCache(entries: readonly LocalEntry[], cache: ReadonlyMap<string, LocalRecord>): LocalRecord[] {
  return entries.map((e) => {
    const c = cache.get(e.path);
    const same = c !== undefined && c.kind === e.kind && c.size === e.size && c.mtimeNs === e.mtimeNs && c.ino === e.ino;
    return { ...e, md5: same ? c.md5 : null };
  });
}

/** True when a decision about this local file cannot be made without its MD5. */
export function needsHash(local: LocalRecord, remote: RemoteEntry | undefined, base: BaseRecord | undefined): boolean {
  if (local.kind !== 'file' || local.md5 !== null) return false;
  const remoteSameSize = remote !== undefined && remote.kind === 'file' && remote.size === local.size;
  const baseSameSize = base !== undefined && base.kind === 'file' && base.size === local.size;
  return remoteSameSize || baseSameSize;
}

/**
 * Whether the local file holds the remote version's bytes: MD5 when both are known; when the
 * server has no checksum (tus uploads), the last sync's record of that very row.
 */
export function sameContent(local: LocalRecord, remote: RemoteEntry, base: BaseRecord | undefined): boolean {
  if (local.size !== remote.size) return false;
  if (local.md5 === null) return false;
  if (remote.md5 !== null) return local.md5 === remote.md5;
  return base !== undefined && base.remoteId === remote.id && base.md5 === local.md5;
}

/** The local file still holds what the last sync left there. */
export function unchangedSinceBase(local: LocalRecord, base: BaseRecord | undefined): boolean {
  return base !== undefined && base.kind === 'file' && local.size === base.size && local.md5 !== null && local.md5 === base.md5;
}
