import { Readable } from 'node:stream';
import { BULK_DOWNLOAD_ERRORS_ENTRY, BULK_DOWNLOAD_MD5_HEADER, BulkDownloadRequestSchema } from '@mcsync/protocol';
import { pack as tarPack, type Headers, type Pack } from 'tar-stream';
import { projectFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import type { BlobStore } from '../blobs.js';
import { ID, type RouteModule } from '../context.js';
import { blobKey } from '../db/rows.js';
import type { Store } from '../db/store.js';
import type { UserRecord } from '../db/users.js';
import { Refusal, ValidationFailed } from '../errors.js';
import { RequestInput } from '../request-input.js';

type ProjectParams = { Params: { project: string } };

interface DownloadItem {
  id: number;
  md5: string;
  size: number;
  createdAt: number;
}

/**
 * `POST /projects/{p}/files/bulk-download` (sync-api.md `bulk-download`): `{"ids": [...]}` → a tar
 * stream, one entry per readable id (any version, even deleted, of a project the caller is member
 * of; entry name = the id, pax `MC.md5` = its checksum), then `errors.json` listing the ids skipped
 * and why (always present, `[]` when none, so a complete archive is recognisable). Blobs are piped
 * one after the other with backpressure: no file is held in memory. Unknown ids and ids of other
 * users' projects get the same error, so nothing about them leaks.
 */
export const bulkDownloadRoutes: RouteModule = (api, ctx) => {
  const { store, blobs } = ctx;
  api.post<ProjectParams>(`/projects/:project${ID}/files/bulk-download`, async (req, reply) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    projectFromPath(store, user, req.params.project);
    const ids = idsOf(input.get('ids'));
    const max = ctx.syncLimits.bulk_download_max_files;
    if (ids.length > max) throw new Refusal(413, `A bulk download takes at most ${max} ids, not ${ids.length}: split the batch.`);

    const { items, errors } = resolve(store, blobs, user, ids);
    const pack = tarPack();
    void fill(pack, blobs, items, errors);
    reply.header('content-type', 'application/x-tar');
    return reply.send(Readable.from(pack));
  });
};

function idsOf(value: unknown): number[] {
  const parsed = BulkDownloadRequestSchema.safeParse({ ids: value });
  if (!parsed.success) throw new ValidationFailed({ ids: ['The ids field must be an array of file ids.'] });
  return [...new Set(parsed.data.ids)];
}

function resolve(store: Store, blobs: BlobStore, user: UserRecord, ids: readonly number[]) {
  const items: DownloadItem[] = [];
  const errors: Array<{ id: number; error: string }> = [];
  const member = new Map<number, boolean>();
  const mayRead = (projectId: number) => {
    let known = member.get(projectId);
    if (known === undefined) member.set(projectId, (known = store.projects.roleOf(projectId, user.id) !== undefined));
    return known;
  };
  const rows = store.rows.byIds(ids);
  for (const id of ids) {
    const row = rows.get(id);
    if (!row || !mayRead(row.project_id)) errors.push({ id, error: 'No such file' });
    else {
      // Stock tus rows have checksum "" but content all the same (their blob key is content_md5).
      const key = blobKey(row);
      const blob = key === null ? null : blobs.statBlob(key);
      if (key === null) errors.push({ id, error: 'Not a file' });
      else if (!blob) errors.push({ id, error: 'Content missing on the server' });
      else items.push({ id, md5: key, size: blob.size, createdAt: row.created_at });
    }
  }
  return { items, errors };
}

async function fill(pack: Pack, blobs: BlobStore, items: readonly DownloadItem[], errors: unknown[]): Promise<void> {
  try {
    for (const item of items) await addBlob(pack, blobs, item);
    pack.entry({ name: BULK_DOWNLOAD_ERRORS_ENTRY }, JSON.stringify(errors));
    pack.finalize();
  } catch (error) {
    // The client went away, or a blob could not be read: the archive stops short, which the client sees.
    pack.destroy(error as Error);
  }
}

function addBlob(pack: Pack, blobs: BlobStore, item: DownloadItem): Promise<void> {
  return new Promise((done, fail) => {
    // tar-stream writes `pax` records (its types do not declare them).
    const header: Headers & { pax: Record<string, string> } = {
      name: String(item.id),
      size: item.size,
      mtime: new Date(item.createdAt * 1000),
      pax: { [BULK_DOWNLOAD_MD5_HEADER]: item.md5 },
    };
    const entry = pack.entry(header, (error) => (error ? fail(error) : done()));
    const source = blobs.open(item.md5);
    source.once('error', (error) => {
      entry.destroy(error);
      fail(error);
    });
    // An entry cut short (the client hung up) must not leave the blob's file open.
    entry.once('close', () => source.destroy());
    source.pipe(entry);
  });
}
