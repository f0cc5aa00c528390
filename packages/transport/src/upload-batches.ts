import { baseName, foldPath, McError, parentOf, type ProjectPath, type UploadItem } from '@mcsync/core';
import { isMultipartSafeName } from './multipart-body';

/** Q16: production drops `files[]` parts beyond 20 per request without an error. */
export const MAX_FILES_PER_REQUEST = 20;
/** Small files share a request up to this many bytes; a larger file goes alone. */
export const MAX_BATCH_BYTES = 8 << 20;

export interface BatchLimits {
  maxFiles: number;
  maxBytes: number;
}

/** Files for one upload request into one directory. */
export interface UploadBatch {
  /** Project path of the target directory. */
  dir: ProjectPath;
  items: UploadItem[];
  /** true: one file through `…/upload/{name}` (its name is not safe in a multipart header). */
  named: boolean;
  bytes: number;
}

export interface RefusedItem {
  item: UploadItem;
  error: McError;
}

/**
 * Two items with one fold key in one directory would be one file on the server (§5.7), and racing
 * uploads of it can leave no current row (Q22): the later ones are refused with NAME.
 */
export function refuseFoldCollisions(items: readonly UploadItem[]): { accepted: UploadItem[]; refused: RefusedItem[] } {
  const accepted: UploadItem[] = [];
  const refused: RefusedItem[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const key = foldPath(item.path);
    if (seen.has(key)) {
      refused.push({
        item,
        error: new McError('NAME', `${item.path}: another file in this upload has the same name on the server (names compare without case and accents)`),
      });
      continue;
    }
    seen.add(key);
    accepted.push(item);
  }
  return { accepted, refused };
}

/**
 * Groups upload items into requests: per directory, up to `maxFiles` files and `maxBytes` bytes per
 * request; larger files, names unsafe in a multipart header and items `alone` says so of (an
 * upload carrying a precondition: one `if_current_id` field per request) go alone. Fold-key
 * collisions are refused (`refuseFoldCollisions`). Largest requests first, so big files do not
 * trail at the end.
 */
export function planUploadBatches(
  items: readonly UploadItem[],
  limits: BatchLimits = { maxFiles: MAX_FILES_PER_REQUEST, maxBytes: MAX_BATCH_BYTES },
  opts: { alone?: (item: UploadItem) => boolean } = {},
): { batches: UploadBatch[]; refused: RefusedItem[] } {
  const batches: UploadBatch[] = [];
  const open = new Map<string, UploadBatch>();
  const { accepted, refused } = refuseFoldCollisions(items);

  for (const item of accepted) {
    const dir = parentOf(item.path);
    const named = !isMultipartSafeName(baseName(item.path));
    if (named || item.size > limits.maxBytes || opts.alone?.(item)) {
      batches.push({ dir, items: [item], named, bytes: item.size });
      continue;
    }
    const dirKey = foldPath(dir);
    let batch = open.get(dirKey);
    if (batch && (batch.items.length >= limits.maxFiles || batch.bytes + item.size > limits.maxBytes)) batch = undefined;
    if (!batch) {
      batch = { dir, items: [], named: false, bytes: 0 };
      open.set(dirKey, batch);
      batches.push(batch);
    }
    batch.items.push(item);
    batch.bytes += item.size;
  }
  batches.sort((a, b) => b.bytes - a.bytes);
  return { batches, refused };
}
