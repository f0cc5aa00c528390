import { stat, statfs } from 'node:fs/promises';
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
 * What the large downloads in flight still have to write, per filesystem (device id). Without it,
 * sixteen 1 GiB downloads would each see the same 2 GiB free and all start.
 */
export class SpaceLedger {
  readonly #claims = new Set<{ dev: number; left: () => number }>();

  /** Bytes the downloads on `dev` have yet to write. */
  pending(dev: number): number {
    let sum = 0;
    for (const c of this.#claims) if (c.dev === dev) sum += Math.max(0, c.left());
    return sum;
  }

  /** Counts `left()` against `dev` until the returned function is called. */
  claim(dev: number, left: () => number): () => void {
    const entry = { dev, left };
    this.#claims.add(entry);
    return () => this.#claims.delete(entry);
  }
}

export interface FreeSpaceCheck {
  freeBytes?: FreeBytes | undefined;
  /** Other downloads of the same run; this one is added to it when it fits. */
  ledger?: SpaceLedger | undefined;
  /** What this download has yet to write, as it progresses (default: all of `remaining`). */
  left?: () => number;
}

/**
 * Refuses a download that cannot fit before a byte is written: NO_SPACE, saying how much is
 * needed and how much is free. Bytes the other downloads in the ledger have yet to write count as
 * taken. Returns the release of this download's claim. A filesystem that cannot say (statfs fails)
 * is given the benefit of the doubt; writing then fails with LOCAL_IO if it really is full.
 */
export async function ensureFreeSpace(path: string, folder: string, remaining: number, check: FreeSpaceCheck = {}): Promise<() => void> {
  let free: number;
  let dev: number;
  try {
    dev = (await stat(folder)).dev;
    free = await (check.freeBytes ?? statfsFreeBytes)(folder);
  } catch {
    return () => {};
  }
  // No await from here to the claim: two checks cannot both count the same free bytes.
  const others = check.ledger?.pending(dev) ?? 0;
  const needed = remaining + others + FREE_SPACE_MARGIN;
  if (free < needed) {
    const inFlight = others > 0 ? `, ${formatMiB(others)} for other downloads in progress` : '';
    throw new McError(
      'NO_SPACE',
      `${path}: needs ${formatMiB(needed)} free in ${folder} (${formatMiB(remaining)} to download${inFlight}, ${formatMiB(FREE_SPACE_MARGIN)} to spare), ${formatMiB(free)} free`,
      { hint: 'free some disk space, or download into a folder on another disk' },
    );
  }
  return check.ledger?.claim(dev, check.left ?? (() => remaining)) ?? (() => {});
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
