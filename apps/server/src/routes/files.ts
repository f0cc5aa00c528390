import { posix } from 'node:path';
import { projectFromCheckedInput, projectFromPath, rowFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule } from '../context.js';
import type { ProjectRecord } from '../db/projects.js';
import { isDirectory, type RowRecord } from '../db/rows.js';
import type { Store } from '../db/store.js';
import { rootOf } from '../directory-paths.js';
import { NoSuchFile, Refusal, ServerError } from '../errors.js';
import { RequestInput } from '../request-input.js';
import { embedRow } from '../serialize/embed.js';
import { rowJson, withCounts } from '../serialize/row.js';
import { InputCheck } from '../validation.js';

type FileParams = { Params: { project: string; file: string } };

/** File metadata: show, by path, versions, delete (mc-api.md §3.4). */
export const fileRoutes: RouteModule = (api, { store }) => {
  api.get<FileParams>(`/projects/:project${ID}/files/:file${ID}`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.file);
    if (isDirectory(row) || row.current !== 1 || row.deleted_at !== null) throw new Refusal(404, 'File not found');
    const json = embedRow(store, row, { owner: true, directory: true });
    return { data: withCounts(json, otherVersions(store, row).length) };
  });

  api.post('/files/by_path', async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const check = new InputCheck(input);
    const project = projectFromCheckedInput(store, user, check);
    const path = check.requiredString('path');
    check.done();
    if (!project) throw new ServerError('validated input without project');
    const row = rowAtPath(store, project, path);
    if (!row) throw new NoSuchFile();
    return { data: embedRow(store, row, { owner: false, directory: true }) };
  });

  api.get<FileParams>(`/projects/:project${ID}/files/:file${ID}/versions`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.file);
    return { data: otherVersions(store, row).map(rowJson) };
  });

  api.delete<FileParams>(`/projects/:project${ID}/files/:file${ID}`, async (req, reply) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.file);
    // Q3: production fails on anything but the current version.
    if (row.current !== 1) throw new ServerError('delete of a non-current version');
    // No entities, activities or datasets exist here, so nothing is ever "related" and `force` is moot.
    store.transaction(() => {
      for (const version of siblingsOf(store, row)) store.rows.softDelete(version.id);
      if (row.deleted_at === null) store.rows.softDelete(row.id);
    });
    return reply.code(200).send();
  });
};

/** Live rows with the same parent and name (file versions), the row itself included when live. */
function siblingsOf(store: Store, row: RowRecord): RowRecord[] {
  return row.directory_id === null ? [] : store.rows.versions(row.project_id, row.directory_id, row.name);
}

/** The other live versions of a row's file, oldest first. */
function otherVersions(store: Store, row: RowRecord): RowRecord[] {
  return siblingsOf(store, row).filter((version) => version.id !== row.id);
}

/**
 * By-path lookup as production does it: `dirname` to a live directory by exact stored path, then the
 * current row named `basename` inside it. A path without a leading `/` is the legacy
 * `ProjectName/dir/file` form: production drops its first `len(project name)` characters.
 */
function rowAtPath(store: Store, project: ProjectRecord, requested: string): RowRecord | undefined {
  const path = requested.startsWith('/') ? requested : requested.slice(project.name.length);
  if (path === '/') return rootOf(store, project);
  const directory = store.rows.directoryByPath(project.id, posix.dirname(path));
  return directory && store.rows.currentChild(project.id, directory.id, posix.basename(path));
}
