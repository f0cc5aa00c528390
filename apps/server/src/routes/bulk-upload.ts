import type { ManifestEntry } from '@mcsync/protocol';
import type { FastifyRequest } from 'fastify';
import { projectFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import type { StagedBlob } from '../blobs.js';
import { parseManifest } from '../bulk-manifest.js';
import { storeEntries, type BulkResult } from '../bulk-store.js';
import { ID, type RouteModule, type ServerContext } from '../context.js';
import type { ProjectRecord } from '../db/projects.js';
import type { UserRecord } from '../db/users.js';
import { Refusal, ValidationFailed } from '../errors.js';
import { RequestInput, type FormFields } from '../request-input.js';

type ProjectParams = { Params: { project: string } };
type Access = { user: UserRecord; project: ProjectRecord };

/** A manifest of 1,000 entries with 700-character paths fits with room to spare. */
export const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

/**
 * `POST /projects/{p}/files/bulk-upload` (sync-api.md `bulk-upload`): multipart, first a `manifest`
 * part (JSON array of `{path, size, md5, if_current_id?}`), then one `file` part per entry in order.
 *
 * The whole body is received and staged first (each part hashed on the way; small ones in memory,
 * others in temp files, a part never read beyond its declared size + 1), so a malformed manifest or a
 * wrong number of parts stores nothing (422). Then each entry is stored on its own: a part whose size
 * or MD5 differs from the manifest is `failed`, a precondition that no longer holds is `conflict`,
 * the others are stored atomically (blob renamed into place, then folders and row in one
 * transaction, a savepoint of one outer transaction for the request). The answer lists every entry
 * in manifest order, 200 even when some failed.
 */
export const bulkUploadRoutes: RouteModule = (api, ctx) => {
  const { store, blobs } = ctx;
  api.post<ProjectParams>(`/projects/:project${ID}/files/bulk-upload`, async (req) => {
    const authorize = (fields: FormFields): Access => {
      const user = authenticate(store, req, RequestInput.of(req, fields));
      return { user, project: projectFromPath(store, user, req.params.project) };
    };
    if (!req.isMultipart()) {
      authorize(new Map());
      throw new ValidationFailed({ manifest: ['The manifest field is required.'] });
    }
    const { access, manifest, parts } = await receive(ctx, req, authorize);
    const results: BulkResult[] = [];
    const verified: Array<{ index: number; entry: ManifestEntry; content: StagedBlob }> = [];
    try {
      for (const [index, entry] of manifest.entries()) {
        const part = parts[index]!;
        if (part.size !== entry.size || part.md5 !== entry.md5) {
          await blobs.discard(part);
          const received = part.size > entry.size ? `more than ${entry.size} bytes` : `${part.size} bytes with MD5 ${part.md5}`;
          results[index] = { path: entry.path, status: 'failed', error: `received ${received}, not the ${entry.size} bytes with MD5 ${entry.md5} of the manifest` };
          continue;
        }
        await blobs.commit(part);
        verified.push({ index, entry, content: part });
      }
    } finally {
      // Parts not committed (an unexpected failure above) leave no temp file behind.
      await Promise.all(parts.map((part) => blobs.discard(part)));
    }
    const stored = storeEntries(store, access, verified, ctx.logError);
    verified.forEach(({ index }, i) => (results[index] = stored[i]!));
    return { data: results };
  });
};

/**
 * Reads the body: fields before the manifest (an `api_token`) count for authentication, which runs
 * before any file byte is kept; then the manifest, checked against the limits (413); then every file
 * part, staged. On any failure the staged parts are deleted and the rest of the body is drained.
 */
async function receive(
  ctx: ServerContext,
  req: FastifyRequest,
  authorize: (fields: FormFields) => Access,
): Promise<{ access: Access; manifest: ManifestEntry[]; parts: StagedBlob[] }> {
  const limits = ctx.syncLimits;
  const fields: FormFields = new Map();
  const parts: StagedBlob[] = [];
  let access: Access | undefined;
  let manifest: ManifestEntry[] | undefined;
  try {
    const stream = req.parts({
      limits: {
        files: limits.bulk_upload_max_files + 1,
        parts: limits.bulk_upload_max_files + 64,
        fieldSize: MANIFEST_MAX_BYTES,
        fileSize: limits.bulk_upload_max_bytes + 1,
      },
    });
    for await (const part of stream) {
      if (manifest === undefined) {
        if (part.type === 'field' && part.fieldname !== 'manifest') {
          fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), String(part.value)]);
          continue;
        }
        access = authorize(fields);
        if (part.fieldname !== 'manifest') {
          throw new ValidationFailed({ manifest: ['The manifest must come first, before any file part.'] });
        }
        if (part.type === 'field' && part.valueTruncated) throw tooLarge(`The manifest is larger than ${MANIFEST_MAX_BYTES} bytes.`);
        const value = part.type === 'field' ? part.value : await readText(part.file, MANIFEST_MAX_BYTES);
        manifest = parseManifest(typeof value === 'string' ? parseJson(value) : value, 'manifest');
        enforceLimits(ctx, manifest);
        continue;
      }
      if (part.type !== 'file' || part.fieldname !== 'file') {
        throw new ValidationFailed({ file: [`After the manifest, every part must be a file part named file (got ${part.fieldname}).`] });
      }
      const entry = manifest[parts.length];
      if (!entry) throw new ValidationFailed({ file: [`There are more file parts than the ${manifest.length} entries of the manifest.`] });
      parts.push(await ctx.blobs.stage(capped(part.file, entry.size + 1), ctx.faults.bodyFaultsOf(req.raw)));
    }
    access ??= authorize(fields);
    if (manifest === undefined) throw new ValidationFailed({ manifest: ['The manifest field is required.'] });
    if (parts.length !== manifest.length) {
      throw new ValidationFailed({ file: [`The manifest lists ${manifest.length} files but ${parts.length} file parts came.`] });
    }
    return { access, manifest, parts };
  } catch (error) {
    await Promise.all(parts.map((part) => ctx.blobs.discard(part)));
    req.raw.unpipe();
    req.raw.resume();
    if ((error as { code?: unknown }).code === 'FST_INVALID_JSON_FIELD_ERROR') throw malformed();
    throw error;
  }
}

function enforceLimits(ctx: ServerContext, manifest: readonly ManifestEntry[]): void {
  const { bulk_upload_max_files: maxFiles, bulk_upload_max_bytes: maxBytes } = ctx.syncLimits;
  if (manifest.length > maxFiles) throw tooLarge(`A bulk upload takes at most ${maxFiles} files, not ${manifest.length}: split the batch.`);
  const bytes = manifest.reduce((sum, entry) => sum + entry.size, 0);
  if (bytes > maxBytes) throw tooLarge(`A bulk upload takes at most ${maxBytes} bytes, not ${bytes}: split the batch.`);
}

const tooLarge = (message: string) => new Refusal(413, message);
const malformed = () => new ValidationFailed({ manifest: ['The manifest must be a JSON array of {path, size, md5, if_current_id?}.'] });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed();
  }
}

async function readText(source: AsyncIterable<Buffer>, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > max) throw tooLarge(`The manifest is larger than ${max} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * At most `max` bytes of a part; the rest is read and dropped, so the parser moves on to the next
 * part without the server keeping or hashing bytes nobody declared.
 */
async function* capped(source: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of source) {
    if (seen < max) yield seen + chunk.length > max ? chunk.subarray(0, max - seen) : chunk;
    seen += chunk.length;
  }
}
