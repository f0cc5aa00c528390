import { type CreateProjectRequest, type Project, ProjectSchema, dataEnvelope } from '@mcsync/protocol';
import type { HttpClient } from '../http-client';
import { parseResponse } from '../parse-response';

const ProjectEnvelope = dataEnvelope(ProjectSchema);
const ProjectListEnvelope = dataEnvelope(ProjectSchema.array());

type CallOptions = { signal?: AbortSignal };

/** `GET /projects`: the caller's live, unarchived projects. */
export async function listProjects(client: HttpClient, opts: CallOptions = {}): Promise<Project[]> {
  const res = await client.json({ method: 'GET', path: '/projects', signal: opts.signal });
  return parseResponse(ProjectListEnvelope, res.data, 'GET /projects').data;
}

/** `POST /projects`: `created` is false when the caller already owned a live project of that name (200). */
export async function createProject(
  client: HttpClient,
  request: CreateProjectRequest,
  opts: CallOptions = {},
): Promise<{ project: Project; created: boolean }> {
  const res = await client.json({ method: 'POST', path: '/projects', json: request, signal: opts.signal });
  return { project: parseResponse(ProjectEnvelope, res.data, 'POST /projects').data, created: res.status === 201 };
}

/** `GET /projects/{id}` (answers for deleted and archived projects too, Q20). */
export async function getProject(client: HttpClient, projectId: number, opts: CallOptions = {}): Promise<Project> {
  const path = `/projects/${projectId}`;
  const res = await client.json({ method: 'GET', path, signal: opts.signal });
  return parseResponse(ProjectEnvelope, res.data, `GET ${path}`).data;
}

/** `DELETE /projects/{id}` (soft delete). */
export async function deleteProject(client: HttpClient, projectId: number, opts: CallOptions = {}): Promise<void> {
  await client.json({ method: 'DELETE', path: `/projects/${projectId}`, signal: opts.signal });
}
