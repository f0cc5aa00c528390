import { posix } from 'node:path';
import { moveDestination, projectFromCheckedInput, projectFromPath, requireLiveIn, rowByPathId, rowFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule } from '../context.js';
import type { ProjectRecord } from '../db/projects.js';
import { isDirectory, type RowRecord } from '../db/rows.js';
import type { Store } from '../db/store.js';
import { deleteFile } from '../delete-rows.js';
import { rootOf } from '../directory-paths.js';
import { NoSuchFile, Refusal, ServerError } from '../errors.js';
import { versionsOf } from '../file-slots.js';
import { makeActive } from '../make-active.js';
import { relocateFile } from '../move-file.js';
import { checkNameRule } from '../name-rule.js';
import { ifCurrentIdOf } from '../preconditions.js';
import { RequestInput } from '../request-input.js';
import { embedRow } from '../serialize/embed.js';
import { rowJson, withCounts } from '../serialize/row.js';
import { InputCheck } from '../validation.js';

type FileParams = { Params: { project: string; file: string } };
type BareFileParams = { Params: { file: string } };

/** File metadata: show, by path, versions, make_active, move, rename, delete (mc-api.md §3.4). */
export const fileRoutes: RouteModule = (api, ctx) => {
  const { store } = ctx;

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

  api.put<FileParams>(`/projects/:project${ID}/files/:file${ID}/make_active`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.file);
    return { data: rowJson(store.transaction(() => makeActive(store, row))) };
  });

  api.delete<FileParams>(`/projects/:project${ID}/files/:file${ID}`, async (req, reply) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.file);
    const ifCurrentId = ifCurrentIdOf(ctx, input);
    // No entities, activities or datasets exist here, so nothing is ever "related" and `force` is moot.
    store.transaction(() => deleteFile(store, row, ifCurrentId));
    return reply.code(200).send();
  });

  api.post<BareFileParams>(`/files/:file${ID}/move`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const row = rowByPathId(store, req.params.file);
    const check = new InputCheck(input);
    const destinationId = check.requiredInteger('directory_id');
    const project = projectFromCheckedInput(store, user, check);
    const ifCurrentId = ifCurrentIdOf(ctx, input);
    check.done();
    const file = liveFileIn(project, row);
    const destination = moveDestination(store, user, destinationId);
    if (destination.project_id !== file.project_id) throw new ServerError('file move to another project');
    const oldParent = file.directory_id === null ? null : store.rows.byId(file.directory_id);
    const moved = store.transaction(() =>
      relocateFile(store, file, { directory: destination, name: file.name, ownerId: user.id, demoteDestination: true, ifCurrentId }),
    );
    // Q13: the response embeds the parent the file had before the move.
    const json = embedRow(store, moved, { owner: false, directory: false });
    json.directory = oldParent ? rowJson(oldParent) : null;
    return { data: withCounts(json, otherVersions(store, moved).length) };
  });

  api.post<BareFileParams>(`/files/:file${ID}/rename`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const row = rowByPathId(store, req.params.file);
    const check = new InputCheck(input);
    const name = check.requiredString('name', 80);
    const project = projectFromCheckedInput(store, user, check);
    const ifCurrentId = ifCurrentIdOf(ctx, input);
    checkNameRule(check, 'name', name);
    check.done();
    const file = liveFileIn(project, row);
    const directory = file.directory_id === null ? null : store.rows.byId(file.directory_id);
    if (!directory) throw new NoSuchFile();
    // Q10: no conflict check; a rename onto an existing name leaves two current rows.
    const renamed = store.transaction(() =>
      relocateFile(store, file, { directory, name, demoteDestination: false, ifCurrentId }),
    );
    return { data: withCounts(embedRow(store, renamed, { owner: false, directory: true }), otherVersions(store, renamed).length) };
  });
};

/** The other live versions of a row's file, oldest first. */
function otherVersions(store: Store, row: RowRecord): RowRecord[] {
  return versionsOf(store, row).filter((version) => version.id !== row.id);
}

/** A file move or rename acts on a live file row of `project_id`'s project. */
function liveFileIn(project: ProjectRecord | null, row: RowRecord): RowRecord {
  if (!project) throw new ServerError('validated input without project');
  requireLiveIn(project, row);
  if (isDirectory(row)) throw new NoSuchFile();
  return row;
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
