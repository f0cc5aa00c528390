import { z } from 'zod';
import { McRowSchema } from './rows';

/**
 * The server-side extensions of the `enhanced` profile (sync-api.md). A client uses a feature only
 * when `GET /server/info` lists it in `data.sync_api.features`.
 */
export const SYNC_FEATURES = ['tree', 'changes', 'bulk-upload', 'bulk-download', 'by-checksum', 'tus-checksum', 'preconditions'] as const;
export type SyncFeature = (typeof SYNC_FEATURES)[number];

/** Keys of `sync_api.limits`. */
export const SYNC_LIMITS = ['bulk_upload_max_files', 'bulk_upload_max_bytes', 'bulk_download_max_files', 'tus_max_chunk_bytes'] as const;
export type SyncLimit = (typeof SYNC_LIMITS)[number];

/**
 * One line of `GET /projects/{p}/tree` (application/x-ndjson). `path` is the full project path
 * ("/a/b.txt"; files included, unlike stock rows); the root itself is not listed. Directories
 * come before their contents, lines are ordered by path.
 */
export const TreeEntrySchema = z.object({
  id: z.number().int(),
  kind: z.enum(['file', 'directory']),
  path: z.string(),
  size: z.number(),
  checksum: z.string().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
});
export type TreeEntry = z.infer<typeof TreeEntrySchema>;

/** The last line of a tree listing: the change-feed position the listing is consistent with. */
export const TreeCursorSchema = z.object({ cursor: z.string() });

/**
 * One change of `GET /projects/{p}/changes`. `create` / `version` carry the new current row's
 * id, size and checksum; `delete` the row that went; `move` (rename included) `old_path` and the
 * new `path`. A directory's `move` or `delete` implies its whole subtree.
 */
export const ChangeSchema = z.object({
  seq: z.number().int(),
  op: z.enum(['create', 'version', 'delete', 'move']),
  id: z.number().int(),
  kind: z.enum(['file', 'directory']),
  path: z.string(),
  old_path: z.string().nullish(),
  size: z.number().nullish(),
  checksum: z.string().nullish(),
  at: z.string(),
});
export type Change = z.infer<typeof ChangeSchema>;

/** `GET /projects/{p}/changes?cursor=C&limit=N` (limit ≤ 5000). 410 = cursor no longer held. */
export const ChangesResponseSchema = z.object({
  data: z.array(ChangeSchema),
  cursor: z.string(),
  more: z.boolean(),
});
export type ChangesResponse = z.infer<typeof ChangesResponseSchema>;

/** One file of a bulk-upload manifest or a by-checksum request; `if_current_id` 0 = "no file there". */
export const ManifestEntrySchema = z.object({
  path: z.string(),
  size: z.number().int().nonnegative(),
  md5: z.string().regex(/^[0-9a-f]{32}$/),
  if_current_id: z.number().int().nonnegative().optional(),
});
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

export const BULK_STATUSES = ['created', 'unchanged', 'conflict', 'failed', 'need_bytes'] as const;

/** One entry of a bulk-upload or by-checksum result, in manifest order. */
export const BulkResultEntrySchema = z.object({
  path: z.string(),
  status: z.enum(BULK_STATUSES),
  file: McRowSchema.nullish(),
  error: z.string().nullish(),
});
export type BulkResultEntry = z.infer<typeof BulkResultEntrySchema>;

export const BulkResultSchema = z.object({ data: z.array(BulkResultEntrySchema) });

/** `POST /projects/{p}/files/by-checksum` body. */
export const ByChecksumRequestSchema = z.object({ files: z.array(ManifestEntrySchema) });

/** `POST /projects/{p}/files/bulk-download` body; the answer is a tar stream (entry name = id, pax `MC.md5`). */
export const BulkDownloadRequestSchema = z.object({ ids: z.array(z.number().int()) });

/** The trailing `errors.json` entry of a bulk download: ids skipped and why. */
export const BulkDownloadErrorsSchema = z.array(z.object({ id: z.number().int(), error: z.string() }));

/** Pax header carrying an entry's MD5 in a bulk download. */
export const BULK_DOWNLOAD_MD5_HEADER = 'MC.md5';
/** Name of the trailing tar entry that lists skipped ids. */
export const BULK_DOWNLOAD_ERRORS_ENTRY = 'errors.json';
