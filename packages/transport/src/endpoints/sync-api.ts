import type { ProjectPath } from '@mcsync/core';
import {
  type BulkResultEntry,
  BulkResultSchema,
  type ChangesResponse,
  ChangesResponseSchema,
  type ManifestEntry,
} from '@mcsync/protocol';
import type { HttpClient, StreamBody, StreamResponse } from '../http-client';
import { parseResponse } from '../parse-response';
import { serverPath } from './files';

/** The extension endpoints of sync-api.md. Call one only when `/server/info` lists its feature. */

type CallOptions = { signal?: AbortSignal | undefined };

/**
 * `GET /projects/{p}/tree[?prefix=/a]`: the NDJSON body stream (the caller parses it line by line,
 * see `tree-snapshot.ts`). `prefix` '' = the whole project.
 */
export function getTree(client: HttpClient, projectId: number, prefix: ProjectPath, opts: CallOptions = {}): Promise<StreamResponse> {
  return client.stream({
    method: 'GET',
    path: `/projects/${projectId}/tree`,
    ...(prefix === '' ? {} : { query: { prefix: serverPath(prefix) } }),
    signal: opts.signal,
  });
}

/** `GET /projects/{p}/changes?cursor=&limit=`: one page of the change feed. A 410 (cursor expired) is thrown as REJECTED with status 410. */
export async function getChanges(
  client: HttpClient,
  projectId: number,
  cursor: string,
  limit: number,
  opts: CallOptions = {},
): Promise<ChangesResponse> {
  const path = `/projects/${projectId}/changes`;
  const res = await client.json({ method: 'GET', path, query: { cursor, limit }, signal: opts.signal });
  return parseResponse(ChangesResponseSchema, res.data, `GET ${path}`);
}

/**
 * `POST /projects/{p}/files/by-checksum`: versions from content the server already holds. One
 * result per entry, in order. Idempotent: asking twice creates nothing new (§5.1 rule 2).
 */
export async function postByChecksum(
  client: HttpClient,
  projectId: number,
  files: readonly ManifestEntry[],
  opts: CallOptions = {},
): Promise<BulkResultEntry[]> {
  const path = `/projects/${projectId}/files/by-checksum`;
  const res = await client.json({ method: 'POST', path, json: { files }, idempotent: true, signal: opts.signal });
  return parseResponse(BulkResultSchema, res.data, `POST ${path}`).data;
}

/**
 * `POST /projects/{p}/files/bulk-upload`: a multipart body (`manifest` first, then one `file` part
 * per entry, see `bulk-upload.ts`). One result per manifest entry, in order. Idempotent like the
 * single-file routes: identical bytes sent again come back `unchanged`.
 */
export async function postBulkUpload(
  client: HttpClient,
  projectId: number,
  body: () => StreamBody,
  opts: CallOptions = {},
): Promise<BulkResultEntry[]> {
  const path = `/projects/${projectId}/files/bulk-upload`;
  const res = await client.json({ method: 'POST', path, body, idempotent: true, signal: opts.signal });
  return parseResponse(BulkResultSchema, res.data, `POST ${path}`).data;
}

/** `POST /projects/{p}/files/bulk-download`: the tar stream of the files (see `bulk-download.ts`). A read, so it is retried. */
export function postBulkDownload(client: HttpClient, projectId: number, ids: readonly number[], opts: CallOptions = {}): Promise<StreamResponse> {
  return client.stream({
    method: 'POST',
    path: `/projects/${projectId}/files/bulk-download`,
    json: { ids },
    idempotent: true,
    signal: opts.signal,
  });
}
