import type { ProjectPath } from '@mcsync/core';
import { type McRow, McRowSchema, dataEnvelope } from '@mcsync/protocol';
import type { HttpClient, StreamBody, StreamResponse } from '../http-client';
import { parseResponse } from '../parse-response';

const RowEnvelope = dataEnvelope(McRowSchema);
const RowListEnvelope = dataEnvelope(McRowSchema.array());

type CallOptions = { signal?: AbortSignal };

/** A project path as the server writes it: always one leading '/' ('' → '/'; Q14, by_path legacy form). */
export function serverPath(path: string): string {
  return `/${path.replace(/^\/+/, '')}`;
}

/** `POST /files/by_path`: the current file or directory at a path (always sends `project_id`, Q8). */
export function fileByPath(client: HttpClient, projectId: number, path: ProjectPath, opts: CallOptions = {}): Promise<McRow> {
  return postPathForRow(client, '/files/by_path', projectId, path, opts);
}

/** The by-path routes: JSON `{project_id, path}` in, one row out; idempotent (lookups, or creation that answers what exists). */
export async function postPathForRow(
  client: HttpClient,
  route: string,
  projectId: number,
  path: ProjectPath,
  opts: CallOptions = {},
): Promise<McRow> {
  const res = await client.json({
    method: 'POST',
    path: route,
    json: { project_id: projectId, path: serverPath(path) },
    idempotent: true,
    signal: opts.signal,
  });
  return parseResponse(RowEnvelope, res.data, `POST ${route}`).data;
}

/** `GET /projects/{p}/files/{id}/download`: the body stream of the file (the caller consumes it). */
export function downloadFile(
  client: HttpClient,
  projectId: number,
  fileId: number,
  opts: CallOptions & { offset?: number } = {},
): Promise<StreamResponse> {
  const headers = opts.offset ? { range: `bytes=${opts.offset}-` } : undefined;
  return client.stream({
    method: 'GET',
    path: `/projects/${projectId}/files/${fileId}/download`,
    signal: opts.signal,
    ...(headers ? { headers } : {}),
  });
}

/**
 * `POST /projects/{p}/files/{dir}/upload`: a multipart body of `files[]` parts (≤ 20, Q16); one row
 * per stored part. Idempotent: identical bytes re-sent return the same row (§5.1 rule 2).
 */
export async function uploadFiles(
  client: HttpClient,
  projectId: number,
  directoryId: number,
  body: () => StreamBody,
  opts: CallOptions = {},
): Promise<McRow[]> {
  const path = `/projects/${projectId}/files/${directoryId}/upload`;
  const res = await client.json({ method: 'POST', path, body, idempotent: true, signal: opts.signal });
  return parseResponse(RowListEnvelope, res.data, `POST ${path}`).data;
}

/**
 * `POST /projects/{p}/files/{dir}/upload/{name}`: exactly one `files[]` part, stored under the name
 * from the URL (for names a multipart `filename` cannot carry safely).
 */
export async function uploadNamedFile(
  client: HttpClient,
  projectId: number,
  directoryId: number,
  name: string,
  body: () => StreamBody,
  opts: CallOptions = {},
): Promise<McRow[]> {
  const path = `/projects/${projectId}/files/${directoryId}/upload/${encodeURIComponent(name)}`;
  const res = await client.json({ method: 'POST', path, body, idempotent: true, signal: opts.signal });
  return parseResponse(RowListEnvelope, res.data, `POST /projects/${projectId}/files/${directoryId}/upload/{name}`).data;
}
