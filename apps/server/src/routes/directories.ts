import type { FastifyRequest } from 'fastify';
import {
  moveDestination,
  projectFromCheckedInput,
  projectFromInput,
  projectFromPath,
  requireLiveIn,
  rowByPathId,
  rowFromPath,
  rowInProject,
} from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule } from '../context.js';
import type { ProjectRecord } from '../db/projects.js';
import { isDirectory, type RowRecord } from '../db/rows.js';
import type { Store } from '../db/store.js';
import type { UserRecord } from '../db/users.js';
import { deleteRowOnly } from '../delete-rows.js';
import { childPath, createDirectory, ensureDirectoryPath } from '../directory-paths.js';
import { NoSuchFile, Refusal, ServerError } from '../errors.js';
import { moveDirectory, renameDirectory } from '../move-directory.js';
import { checkNameRule } from '../name-rule.js';
import { RequestInput } from '../request-input.js';
import { unsafePathReason } from '../safe-names.js';
import { embedRow, embedRows } from '../serialize/embed.js';
import { createdDirectoryJson, rowJson } from '../serialize/row.js';
import { InputCheck } from '../validation.js';
import { listingSort } from './listing-sort.js';

type DirectoryParams = { Params: { project: string; directory: string } };
type ProjectParams = { Params: { project: string } };
type BareDirectoryParams = { Params: { directory: string } };

const WITH_OWNER_AND_PARENT = { owner: true, directory: true } as const;

/** Directory reads, creation, moves, renames and deletion (mc-api.md §3.3). */
export const directoryRoutes: RouteModule = (api, { store }) => {
  api.get<DirectoryParams>(`/projects/:project${ID}/directories/:directory${ID}`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.directory);
    // Q5: a file, an old version or a deleted row is "found" as an empty array.
    if (!isDirectory(row) || row.current !== 1 || row.deleted_at !== null) return { data: [] };
    return { data: embedRow(store, row, WITH_OWNER_AND_PARENT) };
  });

  api.get<DirectoryParams>(`/projects/:project${ID}/directories/:directory${ID}/list`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const directory = rowFromPath(store, project, req.params.directory);
    const sort = listingSort(req.query, 'name');
    return { data: embedRows(store, store.rows.children(project.id, directory.id, sort), WITH_OWNER_AND_PARENT) };
  });

  api.get<ProjectParams>(`/projects/:project${ID}/directories_by_path`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const project = projectFromPath(store, user, req.params.project);
    const path = input.get('path');
    const directory = typeof path === 'string' ? store.rows.directoryByPath(project.id, path) : undefined;
    if (!directory) throw new Refusal(404, 'No such directory path');
    const sort = listingSort(req.query, 'name');
    return { data: embedRows(store, store.rows.children(project.id, directory.id, sort), WITH_OWNER_AND_PARENT) };
  });

  api.get<ProjectParams>(`/projects/:project${ID}/directories`, async (req) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    return { data: embedRows(store, store.rows.directories(project.id, listingSort(req.query, 'id')), WITH_OWNER_AND_PARENT) };
  });

  api.post('/directories', async (req, reply) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const check = new InputCheck(input);
    const name = check.requiredString('name', 80);
    const parentId = check.requiredInteger('directory_id');
    const project = projectFromCheckedInput(store, user, check);
    const description = check.optionalString('description', 2048);
    checkNameRule(check, 'name', name);
    const parent = project && check.ok('directory_id') ? rowInProject(store, project, parentId) : null;
    check.done();
    if (!project || !parent) throw new ServerError('validated input without project or parent');
    if (!isDirectory(parent)) throw new NoSuchFile();
    const path = childPath(parent.path ?? '/', name);
    const { row, created } = store.transaction(() => {
      const existing = store.rows.directoryByPath(project.id, path);
      if (existing) return { row: existing, created: false };
      const row = createDirectory(store, {
        projectId: project.id,
        parentId: parent.id,
        name,
        path,
        ownerId: user.id,
        description,
      });
      return { row, created: true };
    });
    reply.code(created ? 201 : 200);
    return { data: created ? createdDirectoryJson(row) : rowJson(row) };
  });

  api.post('/directories/by-path', async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const check = new InputCheck(input);
    const project = projectFromCheckedInput(store, user, check);
    const path = check.requiredString('path');
    const unsafe = check.ok('path') ? unsafePathReason(path, 'directory') : null;
    if (unsafe) check.reject('path', `The path ${unsafe}.`);
    check.done();
    if (!project) throw new ServerError('validated input without project');
    // Levels created here belong to the project owner, not the caller (mc-api.md §5.9).
    const directory = store.transaction(() => ensureDirectoryPath(store, project, path, project.owner_id));
    return { data: rowJson(directory) };
  });

  api.delete<DirectoryParams>(`/projects/:project${ID}/directories/:directory${ID}`, async (req, reply) => {
    const user = authenticate(store, req, RequestInput.of(req));
    const project = projectFromPath(store, user, req.params.project);
    const row = rowFromPath(store, project, req.params.directory);
    if (row.directory_id === null && isDirectory(row)) throw new Refusal(400, 'Cannot delete project root directory');
    // Q6: this row only; children stay live and reachable by path.
    store.transaction(() => deleteRowOnly(store, row));
    return reply.code(200).send();
  });

  api.post<BareDirectoryParams>(`/directories/:directory${ID}/rename`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const row = rowByPathId(store, req.params.directory);
    const check = new InputCheck(input);
    const name = check.requiredString('name', 80);
    const project = projectOfDirectoryRoute(store, user, req, check, row);
    checkNameRule(check, 'name', name);
    check.done();
    const directory = liveDirectoryIn(project, row);
    return { data: rowJson(store.transaction(() => renameDirectory(store, directory, name))) };
  });

  api.post<BareDirectoryParams>(`/directories/:directory${ID}/move`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const row = rowByPathId(store, req.params.directory);
    const check = new InputCheck(input);
    const destinationId = check.requiredInteger('to_directory_id');
    const project = projectOfDirectoryRoute(store, user, req, check, row);
    check.done();
    const directory = liveDirectoryIn(project, row);
    const destination = moveDestination(store, user, destinationId);
    if (destination.project_id !== project?.id) throw new ServerError('directory move to another project'); // Q12
    return { data: rowJson(store.transaction(() => moveDirectory(store, directory, destination))) };
  });
};

/**
 * The project of a directory rename or move: `project_id` when given (membership checked), else the
 * directory's own project, whose membership is checked all the same (no Q8 gap). Null when
 * `project_id` failed validation (the 422 follows).
 */
function projectOfDirectoryRoute(store: Store, user: UserRecord, req: FastifyRequest, check: InputCheck, row: RowRecord): ProjectRecord | null {
  const given = RequestInput.of(req).get('project_id');
  if (given === null || given === undefined) return projectFromInput(store, user, row.project_id);
  return projectFromCheckedInput(store, user, check);
}

function liveDirectoryIn(project: ProjectRecord | null, row: RowRecord): RowRecord {
  if (!project) throw new ServerError('validated input without project');
  requireLiveIn(project, row);
  if (!isDirectory(row)) throw new NoSuchFile();
  return row;
}
