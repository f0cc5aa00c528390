import type { SyncLimit } from '@mcsync/protocol';

/** `sync_api.limits` of the enhanced profile (sync-api.md); the client splits its batches by them. */
export type SyncLimits = Record<SyncLimit, number>;

export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  bulk_upload_max_files: 1000,
  bulk_upload_max_bytes: 64 * 1024 * 1024,
  bulk_download_max_files: 10_000,
  tus_max_chunk_bytes: 64 * 1024 * 1024,
};

/** The features the enhanced profile serves (`tus-checksum` comes with tus). */
export const SYNC_FEATURES_SERVED = ['tree', 'changes', 'bulk-upload', 'bulk-download', 'by-checksum', 'preconditions'] as const;
