import type { SyncLimit } from '@mcsync/protocol';

/** `sync_api.limits` of the enhanced profile (sync-api.md); the client splits its batches by them. */
export type SyncLimits = Record<SyncLimit, number>;

/**
 * The largest tus PATCH (or creation body) the enhanced profile takes (413 above it): production's
 * proxy refuses bodies over 850 MiB, and mc-api.md §4.5 says never to send chunks above 512 MiB.
 */
export const TUS_MAX_CHUNK_BYTES = 512 * 1024 * 1024;

export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  bulk_upload_max_files: 1000,
  bulk_upload_max_bytes: 64 * 1024 * 1024,
  bulk_download_max_files: 10_000,
  tus_max_chunk_bytes: TUS_MAX_CHUNK_BYTES,
};

/** The features the enhanced profile serves. */
export const SYNC_FEATURES_SERVED = ['tree', 'changes', 'bulk-upload', 'bulk-download', 'by-checksum', 'tus-checksum', 'preconditions'] as const;
