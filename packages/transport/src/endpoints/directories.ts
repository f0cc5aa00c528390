import { McError, type ProjectPath } from '@mcsync/core';
import { type McRow, McRowSchema, dataEnvelope, isDirectoryRow } from '@mcsync/protocol';
import type { HttpClient } from '../http-client';
import { parseResponse } from '../parse-response';
import { fileByPath, postPathForRow, serverPath } from './files';

const RowEnvelope = dataEnvelope(McRowSchema);
const RowListEnvelope = dataEnvelope(McRowSchema.array());

type CallOptions = { signal?: AbortSignal };

/** `GET /projects/{p}/directories`: every live directory with its `path`, in one answer. */
export async function listAllDirectories(client: HttpClient, projectId: number, opts: CallOptions = {}): Promise<McRow[]> {
  const path = `/projects/${projectId}/directories`;
  const res = await client.json({ method: 'GET', path, signal: opts.signal });
  return parseResponse(RowListEnvelope, res.data, `GET ${path}`).data;
}

/** `GET /projects/{p}/directories/{d}/list`: the current children (files and directories). */
export async function listDirectory(client: HttpClient, projectId: number, directoryId: number, opts: CallOptions = {}): Promise<McRow[]> {
  const path = `/projects/${projectId}/directories/${directoryId}/list`;
  const res = await client.json({ method: 'GET', path, signal: opts.signal });
  return parseResponse(RowListEnvelope, res.data, `GET ${path}`).data;
}

/** `GET /projects/{p}/directories_by_path?path=/a/b`: the children of the directory at that path. */
export async function listDirectoryByPath(client: HttpClient, projectId: number, path: ProjectPath, opts: CallOptions = {}): Promise<McRow[]> {
  const route = `/projects/${projectId}/directories_by_path`;
  const res = await client.json({ method: 'GET', path: route, query: { path: serverPath(path) }, signal: opts.signal });
  return parseResponse(RowListEnvelope, res.data, `GET ${route}`).data;
}

/** `GET /projects/{p}/directories/{d}`; null when the id is not a current directory (Q5). */
export async function getDirectory(client: HttpClient, projectId: number, directoryId: number, opts: CallOptions = {}): Promise<McRow | null> {
  const path = `/projects/${projectId}/directories/${directoryId}`;
  const res = await client.json({ method: 'GET', path, signal: opts.signal });
  // Q5: a file, non-current or deleted id answers 200 {"data": []}
  if (Array.isArray((res.data as { data?: unknown } | null)?.data)) return null;
  return parseResponse(RowEnvelope, res.data, `GET ${path}`).data;
}

/** The directory row at a project path (via `POST /files/by_path`); NOT_FOUND when it is missing or a file. */
export async function getDirectoryByPath(client: HttpClient, projectId: number, path: ProjectPath, opts: CallOptions = {}): Promise<McRow> {
  const row = await fileByPath(client, projectId, path, opts);
  if (!isDirectoryRow(row)) throw new McError('NOT_FOUND', `${serverPath(path)} is a file, not a directory`);
  return row;
}

/**
 * `POST /directories/by-path`: creates every missing level (no name rule, so names production's
 * `POST /directories` refuses work) and answers the directory, existing or new. Idempotent.
 */
export function createDirectoryByPath(client: HttpClient, projectId: number, path: ProjectPath, opts: CallOptions = {}): Promise<McRow> {
  return postPathForRow(client, '/directories/by-path', projectId, path, opts);
}
