import type { ProjectRecord } from '../db/projects.js';
import type { Store } from '../db/store.js';
import { formatTimestamp } from '../timestamps.js';
import { rowJson } from './row.js';
import { userJson } from './user.js';

/** A project's own keys (mc-api.md §2.3): null scalars are omitted, never sent as null. */
export function projectJson(project: ProjectRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: project.id,
    uuid: project.uuid,
    name: project.name,
    owner_id: project.owner_id,
    is_active: project.is_active === 1,
  };
  if (project.description !== null) json.description = project.description;
  if (project.summary !== null) json.summary = project.summary;
  if (project.slug !== null) json.slug = project.slug;
  json.created_at = formatTimestamp(project.created_at);
  json.updated_at = formatTimestamp(project.updated_at);
  return json;
}

/**
 * Projects as list, get and create return them: with `owner`, `rootDir`, `admins` and `members`.
 * Relations for any number of projects cost three queries (memberships, users, root directories).
 */
export function projectsWithRelations(store: Store, projects: readonly ProjectRecord[]): Record<string, unknown>[] {
  const ids = projects.map((project) => project.id);
  const memberships = store.projects.memberships(ids);
  const users = store.users.byIds([...projects.map((p) => p.owner_id), ...memberships.map((m) => m.user_id)]);
  const roots = store.rows.roots(ids);
  const people = new Map<number, { admins: unknown[]; members: unknown[] }>();
  for (const id of ids) people.set(id, { admins: [], members: [] });
  for (const membership of memberships) {
    const user = users.get(membership.user_id);
    if (!user) continue;
    const lists = people.get(membership.project_id)!;
    (membership.role === 'admin' ? lists.admins : lists.members).push(userJson(user));
  }
  return projects.map((project) => {
    const json = projectJson(project);
    const owner = users.get(project.owner_id);
    const root = roots.get(project.id);
    json.owner = owner ? userJson(owner) : null;
    json.rootDir = root ? rowJson(root) : null;
    json.admins = people.get(project.id)!.admins;
    json.members = people.get(project.id)!.members;
    return json;
  });
}
