import { statfs } from 'node:fs/promises';
import { McError } from '@mcsync/core';

/** Room left beside a large download: the filesystem's own metadata and other writers need some too. */
export const FREE_SPACE_MARGIN = 16 << 20;

/** Free bytes for an unprivileged writer on the filesystem holding `folder`. */
export type FreeBytes = (folder: string) => Promise<number>;

export const statfsFreeBytes: FreeBytes = async (folder) => {
  const s = await statfs(folder);
  return s.bavail * s.bsize;
};

/**
 * Refuses a download that cannot fit before a byte is written: NO_SPACE, saying how much is
 * needed and how much is free. A filesystem that cannot say (statfs fails) is given the benefit of
 * the doubt; writing then fails with LOCAL_IO if it really is full.
 */
export async function ensureFreeSpace(path: string, folder: string, remaining: number, freeBytes: FreeBytes = statfsFreeBytes): Promise<void> {
  let free: number;
  try {
    free = await freeBytes(folder);
  } catch {
    return;
  }
  const needed = remaining + FREE_SPACE_MARGIN;
  if (free >= needed) return;
  throw new McError('NO_SPACE', `${path}: needs ${formatMiB(needed)} free in ${folder} (${formatMiB(remaining)} to download plus ${formatMiB(FREE_SPACE_MARGIN)} to spare), ${formatMiB(free)} free`, {
    hint: 'free some disk space, or download into a folder on another disk',
  });
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
