import type { BlobStore, StagedBlob } from './blobs.js';
import type { RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';

export interface UploadTarget {
  projectId: number;
  directoryId: number;
  name: string;
  ownerId: number;
  description?: string;
}

export interface RecordedUpload {
  row: RowRecord;
  /** A new version (201 on single-file routes) rather than an existing row made current again (200). */
  created: boolean;
}

/**
 * Stores an upload under production's versioning rules (mc-api.md §5.1), matching names by fold key:
 * 1. no file of that name: a new current row;
 * 2. a live version (current or previous) has the same MD5: no new row, that one becomes current
 *    and keeps its id and created_at;
 * 3. otherwise a new current row and every other version becomes previous.
 * The blob goes into the content store first; the rows change in one transaction, so two uploads of
 * one name can never leave zero current rows (production's race, Q22, is not reproduced).
 */
export async function recordUpload(store: Store, blobs: BlobStore, target: UploadTarget, blob: StagedBlob): Promise<RecordedUpload> {
  await blobs.commit(blob);
  return store.transaction(() => {
    const versions = store.rows.versions(target.projectId, target.directoryId, target.name);
    const same = pickSameContent(versions, blob.md5);
    for (const version of versions) {
      if (version !== same && version.current === 1) store.rows.setCurrent(version.id, false);
    }
    if (same) {
      if (same.current === 0) store.rows.setCurrent(same.id, true);
      return { row: store.rows.byId(same.id)!, created: false };
    }
    const shared = store.rows.anyWithChecksum(blob.md5);
    const row = store.rows.insertFileVersion({
      projectId: target.projectId,
      directoryId: target.directoryId,
      name: target.name,
      mimeType: blob.mimeType,
      size: blob.size,
      checksum: blob.md5,
      ownerId: target.ownerId,
      description: target.description ?? '',
      usesUuid: shared ? (shared.uses_uuid ?? shared.uuid) : null,
      usesId: shared ? (shared.uses_id ?? shared.id) : null,
    });
    return { row, created: true };
  });
}

/** The version holding this content: the current one if it matches, else the newest match. */
function pickSameContent(versions: readonly RowRecord[], md5: string): RowRecord | undefined {
  const matches = versions.filter((version) => version.checksum === md5);
  return matches.find((version) => version.current === 1) ?? matches.at(-1);
}
