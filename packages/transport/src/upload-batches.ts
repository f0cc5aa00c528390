import { baseName, foldName, foldPath, McError, parentOf, type ProjectPath, type UploadItem } from '@mcsync/core';
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

/**
 * Groups upload items into requests: per directory, up to `maxFiles` files and `maxBytes` bytes per
 * request; larger files and names unsafe in a multipart header alone. Two items with one fold key
 * in one directory would be one file on the server (§5.7) and racing uploads of it can leave no
 * current row (Q22): the later ones are refused. Largest requests first, so big files do not
 * trail at the end.
 */
export function planUploadBatches(
  items: readonly UploadItem[],
  limits: BatchLimits = { maxFiles: MAX_FILES_PER_REQUEST, maxBytes: MAX_BATCH_BYTES },
): { batches: UploadBatch[]; refused: { item: UploadItem; error: McError }[] } {
  const batches: UploadBatch[] = [];
  const refused: { item: UploadItem; error: McError }[] = [];
  const open = new Map<string, UploadBatch>();
  const names = new Map<string, Set<string>>();

  for (const item of items) {
    const dir = parentOf(item.path);
    const dirKey = foldPath(dir);
    const name = baseName(item.path);
    let seen = names.get(dirKey);
    if (!seen) names.set(dirKey, (seen = new Set()));
    const key = foldName(name);
    if (seen.has(key)) {
      refused.push({
        item,
        error: new McError('NAME', `${item.path}: another file in this upload has the same name on the server (names compare without case and accents)`),
      });
      continue;
    }
    seen.add(key);

    const named = !isMultipartSafeName(name);
    if (named || item.size > limits.maxBytes) {
      batches.push({ dir, items: [item], named, bytes: item.size });
      continue;
    }
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
