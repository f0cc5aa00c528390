import type { HttpClient } from '../http-client';

type CallOptions = { signal?: AbortSignal; ifCurrentId?: number };

/**
 * `DELETE /projects/{p}/files/{id}`: the file and all its versions (send the current id, Q3).
 * `if_current_id` is the `preconditions` extension (ignored by servers without it).
 */
export async function deleteFile(client: HttpClient, projectId: number, fileId: number, opts: CallOptions = {}): Promise<void> {
  await client.json({
    method: 'DELETE',
    path: `/projects/${projectId}/files/${fileId}`,
    query: { force: '1', ...(opts.ifCurrentId !== undefined ? { if_current_id: String(opts.ifCurrentId) } : {}) },
    signal: opts.signal,
  });
}

/** `DELETE /projects/{p}/directories/{id}`: that row only on stock (§5.8); delete its contents first. */
export async function deleteDirectory(client: HttpClient, projectId: number, directoryId: number, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await client.json({ method: 'DELETE', path: `/projects/${projectId}/directories/${directoryId}`, signal: opts.signal });
}
