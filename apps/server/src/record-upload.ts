import type { BlobStore, StagedBlob } from './blobs.js';
import { newestCurrent, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import { childPath } from './child-path.js';
import { recordSlot } from './feed.js';
import { livePath } from './live-paths.js';
import { requireCurrent } from './preconditions.js';

export interface UploadTarget {
  projectId: number;
  /** The directory, or how to find or create it (run inside the upload's transaction). */
  directory: RowRecord | (() => RowRecord);
  name: string;
  ownerId: number;
  description?: string;
  /** `if_current_id` (enhanced profile): the current version the client expects there, 0 = none. */
  ifCurrentId?: number;
  /**
   * A tus upload: the row gets production's tus values (`path ""`, `upload_source "TUS"`). Stock
   * stores `checksum ""` (mc-api.md §4.4), so such a row never matches same-content versions;
   * enhanced (`tus-checksum`) stores the MD5 like any other upload.
   */
  tus?: { storeChecksum: boolean };
}

/** What the server knows of the content: computed while receiving it, or from a stored blob. */
export interface Content {
  md5: string;
  size: number;
  mimeType: string;
}

export interface RecordedUpload {
  row: RowRecord;
  /** A new version (201 on single-file routes) rather than an existing row made current again (200). */
  created: boolean;
}

/**
 * Stores uploads under production's versioning rules (mc-api.md §5.1). The blobs go into the content
 * store first; then every row changes in one transaction, so the uploads of one request are stored
 * all or none (a failed precondition or a name too long leaves nothing behind but unreferenced blobs).
 */
export async function recordUploads(
  store: Store,
  blobs: BlobStore,
  uploads: ReadonlyArray<{ target: UploadTarget; blob: StagedBlob }>,
): Promise<RecordedUpload[]> {
  for (const { blob } of uploads) await blobs.commit(blob);
  return store.transaction(() => uploads.map(({ target, blob }) => storeVersion(store, target, blob)));
}

export async function recordUpload(store: Store, blobs: BlobStore, target: UploadTarget, blob: StagedBlob): Promise<RecordedUpload> {
  return (await recordUploads(store, blobs, [{ target, blob }]))[0]!;
}

/**
 * One upload's rows, matching names by fold key; call inside a transaction, with the content
 * already stored:
 * 1. no file of that name: a new current row;
 * 2. a live version (current or previous) has the same MD5: no new row, that one becomes current
 *    and keeps its id and created_at;
 * 3. otherwise a new current row and every other version becomes previous.
 * One transaction per upload means one name always keeps exactly one current row (production's race,
 * Q22, is not reproduced). The change feed gets the resulting `create` or `version`.
 */
export function storeVersion(store: Store, target: UploadTarget, content: Content): RecordedUpload {
  const directory = typeof target.directory === 'function' ? target.directory() : target.directory;
  const versions = store.rows.versions(target.projectId, directory.id, target.name);
  const before = newestCurrent(versions);
  const directoryPath = livePath(store, directory);
  const checksum = target.tus && !target.tus.storeChecksum ? '' : content.md5;
  // The current version already holding these very bytes changes nothing, whatever the client saw:
  // an upload sent again because the answer to the first one was lost is `unchanged`, not a conflict.
  if (!(before && checksum !== '' && before.checksum === checksum)) {
    requireCurrent(target.ifCurrentId, before, () => childPath(directoryPath ?? directory.path ?? '/', target.name));
  }

  const same = checksum === '' ? undefined : pickSameContent(versions, checksum);
  for (const version of versions) {
    if (version !== same && version.current === 1) store.rows.setCurrent(version.id, false);
  }
  let result: RecordedUpload;
  if (same) {
    if (same.current === 0) store.rows.setCurrent(same.id, true);
    result = { row: store.rows.byId(same.id)!, created: false };
  } else {
    const shared = store.rows.anyWithChecksum(content.md5);
    const row = store.rows.insertFileVersion({
      projectId: target.projectId,
      directoryId: directory.id,
      name: target.name,
      mimeType: content.mimeType,
      size: content.size,
      checksum,
      ownerId: target.ownerId,
      description: target.description ?? '',
      usesUuid: shared ? (shared.uses_uuid ?? shared.uuid) : null,
      usesId: shared ? (shared.uses_id ?? shared.id) : null,
      viaTus: target.tus !== undefined,
      contentMd5: content.md5,
    });
    result = { row, created: true };
  }
  if (directoryPath !== null) {
    const placed = (row: RowRecord) => ({ row, path: childPath(directoryPath, row.name) });
    recordSlot(store, before ? placed(before) : null, placed(result.row));
  }
  return result;
}

/** The version holding this content: the current one if it matches, else the newest match. */
function pickSameContent(versions: readonly RowRecord[], md5: string): RowRecord | undefined {
  const matches = versions.filter((version) => version.checksum === md5);
  return matches.find((version) => version.current === 1) ?? matches.at(-1);
}
