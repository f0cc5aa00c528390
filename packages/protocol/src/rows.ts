import { z } from 'zod';

/** The embedded parent row: only what paths need. */
export const ParentRowSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  path: z.string().nullish(),
  mime_type: z.string().nullish(),
});

/**
 * One directory, or one version of a file (mc-api.md §2.1). Only id, uuid, name and mime_type are
 * guaranteed; unknown keys are dropped. `owner` carries the owner's api_token, so it is never kept.
 */
export const McRowSchema = z.object({
  id: z.number().int(),
  uuid: z.string(),
  name: z.string(),
  mime_type: z.string(),
  path: z.string().nullish(),
  size: z.number().nullish(),
  checksum: z.string().nullish(),
  current: z.union([z.boolean(), z.literal(0), z.literal(1)]).nullish(),
  directory_id: z.number().int().nullish(),
  project_id: z.number().int().nullish(),
  owner_id: z.number().int().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  deleted_at: z.string().nullish(),
  uses_uuid: z.string().nullish(),
  url: z.string().nullish(),
  directory: ParentRowSchema.nullish(),
});

export type McRow = z.infer<typeof McRowSchema>;
export type ParentRow = z.infer<typeof ParentRowSchema>;

/** mc-api.md §2.2 */
export function isDirectoryRow(row: Pick<McRow, 'mime_type'>): boolean {
  return row.mime_type === 'directory';
}

/** `current` arrives as a boolean or as 1/0; a missing value means current. */
export function isCurrentRow(row: Pick<McRow, 'current'>): boolean {
  return row.current === undefined || row.current === null || row.current === true || row.current === 1;
}

/** `""` (directories, tus uploads) means "unknown" (mc-api.md §5.4). */
export function rowChecksum(row: Pick<McRow, 'checksum'>): string | null {
  const c = row.checksum;
  return c && /^[0-9a-f]{32}$/i.test(c) ? c.toLowerCase() : null;
}
