import type { Profile } from '../profiles.js';

/**
 * The tus 1.0.0 surface at `{origin}/files/` (mc-api.md §4, sync-api.md `tus-checksum`): versions,
 * extensions and limits per profile. Clients cannot import the server, so these values are also
 * listed in README.md.
 */
export const TUS_VERSION = '1.0.0';
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';

/** Production's list (§4.1); concatenation is advertised but unusable (§4.4) and refused here with 400. */
export const STOCK_TUS_EXTENSIONS = ['creation', 'creation-with-upload', 'termination', 'concatenation', 'creation-defer-length'] as const;
export const ENHANCED_TUS_EXTENSIONS = [...STOCK_TUS_EXTENSIONS, 'checksum', 'expiration'] as const;
export const TUS_CHECKSUM_ALGORITHMS = ['md5', 'sha1'] as const;
export type TusChecksumAlgorithm = (typeof TUS_CHECKSUM_ALGORITHMS)[number];

/** `Tus-Max-Size` of the enhanced profile: the largest whole upload (stock advertises none, as production). */
export const TUS_MAX_SIZE = 64 * 1024 ** 3;

/** An unfinished upload is dropped after this long without a PATCH (`Upload-Expires`, enhanced). */
export const TUS_UPLOAD_EXPIRY_MS = 7 * 24 * 3600 * 1000;

/** How long HEAD still answers a finished upload with its `MC-File-Id` (sync-api.md: at least 24 h). */
export const TUS_RESULT_RETENTION_MS = 48 * 3600 * 1000;

/** How often expired uploads and results are swept (also once at start). */
export const TUS_SWEEP_INTERVAL_MS = 3600 * 1000;

/** A PATCH without checksum saves its offset at least every this many bytes, so a crash loses little. */
export const TUS_OFFSET_SAVE_BYTES = 8 * 1024 * 1024;

/** Headers a browser client may read (CORS), as tus servers list them. */
export const TUS_RESPONSE_HEADERS = 'Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Defer-Length, Upload-Metadata, Upload-Expires, Location, MC-File-Id, MC-File-Checksum';

export function tusExtensions(profile: Profile): readonly string[] {
  return profile === 'enhanced' ? ENHANCED_TUS_EXTENSIONS : STOCK_TUS_EXTENSIONS;
}
