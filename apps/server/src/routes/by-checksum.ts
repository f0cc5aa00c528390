import type { ManifestEntry } from '@mcsync/protocol';
import { projectFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { parseManifest } from '../bulk-manifest.js';
import { storeEntries, type BulkResult } from '../bulk-store.js';
import { ID, type RouteModule } from '../context.js';
import { Refusal, ValidationFailed } from '../errors.js';
import type { Content } from '../record-upload.js';
import { RequestInput } from '../request-input.js';
import { laravelMessage } from '../validation.js';

type ProjectParams = { Params: { project: string } };

/**
 * `POST /projects/{p}/files/by-checksum` (sync-api.md `by-checksum`): `{"files": [{path, size, md5,
 * if_current_id?}]}`. An entry whose content (MD5 and size) the server stores *and the caller may
 * read* (a live file with it in one of the caller's projects) becomes a version at `path` without
 * any byte sent; any other entry is `need_bytes`, whoever else holds that content, so the answer
 * never tells what other users' projects contain. Results as bulk-upload, in request order.
 */
export const byChecksumRoutes: RouteModule = (api, ctx) => {
  const { store, blobs } = ctx;
  api.post<ProjectParams>(`/projects/:project${ID}/files/by-checksum`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const project = projectFromPath(store, user, req.params.project);
    const files = input.get('files');
    if (files === null || files === undefined) throw new ValidationFailed({ files: [laravelMessage('files', 'required')] });
    const entries = parseManifest(files, 'files');
    const max = ctx.syncLimits.bulk_upload_max_files;
    if (entries.length > max) throw new Refusal(413, `A by-checksum request takes at most ${max} files, not ${entries.length}: split the batch.`);

    const results: BulkResult[] = [];
    const available: Array<{ index: number; entry: ManifestEntry; content: Content }> = [];
    entries.forEach((entry, index) => {
      const source = store.rows.readableWithContent(user.id, entry.md5, entry.size);
      if (!source || blobs.statBlob(entry.md5)?.size !== entry.size) results[index] = { path: entry.path, status: 'need_bytes' };
      else available.push({ index, entry, content: { md5: entry.md5, size: entry.size, mimeType: source.mime_type } });
    });
    const stored = storeEntries(store, { user, project }, available, ctx.logError);
    available.forEach(({ index }, i) => (results[index] = stored[i]!));
    return { data: results };
  });
};
