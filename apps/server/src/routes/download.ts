import { projectFromPath, rowFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { parseByteRange } from '../byte-range.js';
import { attachmentDisposition } from '../content-disposition.js';
import { ID, type RouteModule } from '../context.js';
import { blobKey } from '../db/rows.js';
import { Refusal, ServerError } from '../errors.js';
import { RequestInput } from '../request-input.js';

type FileParams = { Params: { project: string; file: string } };

/**
 * `GET /projects/{project}/files/{file}/download`: any version of the project (current or not, even
 * deleted) while its blob exists; directories and missing blobs are production's 500 (Q4). Headers as
 * production: sniffed type, length, attachment name, the blob's mtime, `Accept-Ranges`, no ETag.
 */
export const downloadRoutes: RouteModule = (api, { store, blobs }) => {
  api.get<FileParams>(`/projects/:project${ID}/files/:file${ID}/download`, async (req, reply) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.file);
    // Stock tus rows store checksum "" (Q26) yet download: their blob is named by content_md5.
    const key = blobKey(row);
    if (key === null) throw new ServerError('download of a row without content');
    const blob = blobs.statBlob(key);
    if (!blob) throw new ServerError(`blob ${key} is missing`);

    const range = parseByteRange(req.headers.range, blob.size);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${blob.size}`);
      throw new Refusal(416, 'Requested Range Not Satisfiable');
    }
    reply
      .header('content-type', row.mime_type || 'application/octet-stream')
      .header('content-disposition', attachmentDisposition(row.name))
      .header('last-modified', blob.mtime.toUTCString())
      .header('accept-ranges', 'bytes');
    if (range === null) {
      return reply.code(200).header('content-length', blob.size).send(blobs.open(key));
    }
    return reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${blob.size}`)
      .header('content-length', range.end - range.start + 1)
      .send(blobs.open(key, range));
  });
};
