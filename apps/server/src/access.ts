import type { ProjectRecord } from './db/projects.js';
import { isDirectory, type RowRecord } from './db/rows.js';
import type { Store } from './db/store.js';
import type { UserRecord } from './db/users.js';
import { NoSuchFile, NoSuchProject, Refusal, ResourceNotFound } from './errors.js';
import type { InputCheck } from './validation.js';

/*
 * Project membership and object ownership, checked on every route, including those without {project}
 * in the path (production skips that check when `project_id` is absent, Q8: not reproduced).
 *
 * Ids from the path go through production's route-model binding first, so an id no row has answers
 * `{"data":"Resource not found"}`; ids from the body never do.
 */

function asId(value: string | number): number | null {
  const id = typeof value === 'number' ? value : Number(value);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/** `{project}` from the path: unknown → Resource not found; not a member or admin → No such project. */
export function projectFromPath(store: Store, user: UserRecord, projectId: string): ProjectRecord {
  const id = asId(projectId);
  const project = id === null ? undefined : store.projects.byId(id);
  if (!project) throw new ResourceNotFound();
  return requireMember(store, user, project);
}

/** `project_id` from the body: unknown or not accessible → No such project. */
export function projectFromInput(store: Store, user: UserRecord, projectId: number): ProjectRecord {
  const project = store.projects.byId(projectId);
  if (!project) throw new NoSuchProject();
  return requireMember(store, user, project);
}

/**
 * Validates `project_id` and, when it is a number, checks membership at once: production's membership
 * middleware runs before validation, so a foreign project is a 404 even when other fields are invalid.
 * Null when `project_id` itself failed (the 422 follows from `check.done()`).
 */
export function projectFromCheckedInput(store: Store, user: UserRecord, check: InputCheck): ProjectRecord | null {
  const projectId = check.requiredInteger('project_id');
  return check.ok('project_id') ? projectFromInput(store, user, projectId) : null;
}

function requireMember(store: Store, user: UserRecord, project: ProjectRecord): ProjectRecord {
  if (!store.projects.roleOf(project.id, user.id)) throw new NoSuchProject();
  return project;
}

/** A row id from the path, bound by model (any row, deleted too): unknown → Resource not found. */
export function rowFromPath(store: Store, project: ProjectRecord, rowId: string): RowRecord {
  const id = asId(rowId);
  const row = id === null ? undefined : store.rows.byId(id);
  if (!row) throw new ResourceNotFound();
  if (row.project_id !== project.id) throw new NoSuchFile();
  return row;
}

/**
 * A row id from the path of a route without `{project}` (`/files/{file}/…`, `/directories/{d}/…`):
 * unknown → Resource not found. Its project is checked by the caller.
 */
export function rowByPathId(store: Store, rowId: string): RowRecord {
  const id = asId(rowId);
  const row = id === null ? undefined : store.rows.byId(id);
  if (!row) throw new ResourceNotFound();
  return row;
}

/** The row must be live and belong to `project` (else No such file). */
export function requireLiveIn(project: ProjectRecord, row: RowRecord): RowRecord {
  if (row.project_id !== project.id || row.deleted_at !== null) throw new NoSuchFile();
  return row;
}

/** A row id that is not model-bound (`directory_id` of uploads, body ids): unknown or elsewhere → No such file. */
export function rowInProject(store: Store, project: ProjectRecord, rowId: string | number): RowRecord {
  const id = asId(rowId);
  const row = id === null ? undefined : store.rows.byId(id);
  if (!row || row.project_id !== project.id) throw new NoSuchFile();
  return row;
}

/**
 * The destination directory of a move (a body id): unknown, deleted or not a directory → No such
 * file; in a project the caller is not a member of → production's bare 403. Whether it may be in
 * another of the caller's projects is the route's decision.
 */
export function moveDestination(store: Store, user: UserRecord, directoryId: number): RowRecord {
  const row = store.rows.byId(directoryId);
  if (!row || row.deleted_at !== null || !isDirectory(row)) throw new NoSuchFile();
  if (!store.projects.roleOf(row.project_id, user.id)) throw new Refusal(403, '');
  return row;
}
