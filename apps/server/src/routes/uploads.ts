import { posix } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { projectFromInput, projectFromPath, rowInProject } from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule, type ServerContext } from '../context.js';
import type { ProjectRecord } from '../db/projects.js';
import type { RowRecord } from '../db/rows.js';
import type { UserRecord } from '../db/users.js';
import { ensureDirectoryPath } from '../directory-paths.js';
import { Refusal, ServerError, ValidationFailed } from '../errors.js';
import { readForm, type ReceivedFile, type ReceivedForm } from '../multipart.js';
import { ifCurrentIdOf } from '../preconditions.js';
import { recordUpload, recordUploads, type UploadTarget } from '../record-upload.js';
import { RequestInput, type FormFields } from '../request-input.js';
import { unsafeNameReason, unsafePathReason } from '../safe-names.js';
import { rowJson } from '../serialize/row.js';
import { InputCheck, laravelMessage } from '../validation.js';

type DirectoryParams = { Params: { project: string; directory_id: string } };
type NamedParams = { Params: { project: string; directory_id: string; name: string } };
type ProjectParams = { Params: { project: string } };

/** PHP's default `max_file_uploads`: production drops file parts beyond it without a word (Q16). */
export const MAX_FILES_PER_REQUEST = 20;

/** `files[]` as PHP reads it: `files[]`, `files[N]`, or a bare `files`. */
const isFilesField = (name: string) => /^files(\[\d*\])?$/.test(name);
const isFileField = (name: string) => name === 'file';

interface Place {
  project: ProjectRecord;
  directory: RowRecord;
}

/**
 * HTTP uploads (mc-api.md §3.5). The caller is checked when the first file part arrives, before any of
 * its bytes are stored, so that an `api_token` field sent before it counts as production's body token
 * (query, then body, then header). Names skip the name rule (§5.6); `{directory_id}` only has to be a
 * row of the project (Q15). Versioning: record-upload.ts.
 */
export const uploadRoutes: RouteModule = (api, ctx) => {
  const { store, blobs } = ctx;

  const placeFromPath = (req: FastifyRequest<DirectoryParams>) => (user: UserRecord) => {
    const project = projectFromPath(store, user, req.params.project);
    return { user, project, directory: rowInProject(store, project, req.params.directory_id) };
  };

  api.post<DirectoryParams>(`/projects/:project${ID}/files/:directory_id${ID}/upload`, async (req) => {
    const { access, form } = await receive(ctx, req, isFilesField, placeFromPath(req));
    return discardOnFailure(ctx, form, async () => {
      rejectTextInFileFields(form);
      rejectUnsafeFileNames(form);
      if (form.files.length === 0) throw new ServerError('upload without a files[] part'); // Q2
      const ifCurrentId = ifCurrentIdOf(ctx, RequestInput.of(req, form.fields));
      const uploads = form.files.map((file) => ({
        target: uploadTarget(access, access.directory, file.filename, ifCurrentId),
        blob: file.blob,
      }));
      const recorded = await recordUploads(store, blobs, uploads);
      return { data: recorded.map(({ row }) => rowJson(row)) };
    });
  });

  api.post<NamedParams>(`/projects/:project${ID}/files/:directory_id${ID}/upload/:name`, async (req) => {
    const { access, form } = await receive(ctx, req, isFilesField, placeFromPath(req));
    return discardOnFailure(ctx, form, async () => {
      // A name holding `/` (a decoded `%2F`) could never be reached by path, nor could `..` or a NUL
      // (safe-names.ts): refused like a wrong part count.
      if (form.files.length !== 1 || unsafeNameReason(req.params.name) !== null) throw new Refusal(403, '');
      const ifCurrentId = ifCurrentIdOf(ctx, RequestInput.of(req, form.fields));
      const target = uploadTarget(access, access.directory, req.params.name, ifCurrentId);
      const { row } = await recordUpload(store, blobs, target, form.files[0]!.blob);
      return { data: [rowJson(row)] };
    });
  });

  api.post<ProjectParams>(`/projects/:project${ID}/files/upload-to-path`, async (req, reply) => {
    const { access, form } = await receive(ctx, req, isFileField, (user) => ({
      user,
      project: projectFromPath(store, user, req.params.project),
    }));
    return discardOnFailure(ctx, form, async () => {
      const input = RequestInput.of(req, form.fields);
      const check = new InputCheck(input);
      const path = check.requiredString('path');
      const file = requireFile(check, form);
      if (check.ok('path') && posix.basename(path) === '') check.reject('path', 'The path field must name a file.');
      const unsafe = check.ok('path') ? unsafePathReason(path, 'file') : null;
      if (unsafe) check.reject('path', `The path ${unsafe}.`);
      check.done();
      if (!file) throw new ServerError('validated input without a file');
      // Missing directories are created in the upload's transaction, so a refused precondition leaves none.
      // Q14: the dirname of a relative path is `.`, which becomes a directory named `.`.
      const directory = () => ensureDirectoryPath(store, access.project, posix.dirname(path), access.project.owner_id);
      const target = uploadTarget(access, directory, posix.basename(path), ifCurrentIdOf(ctx, input));
      const result = await recordUpload(store, blobs, target, file.blob);
      reply.code(result.created ? 201 : 200);
      return { data: rowJson(result.row) };
    });
  });

  api.post('/files', async (req, reply) => {
    // `project_id` and `directory_id` may come before the file (checked then) or after it (checked at the end).
    const { access, form } = await receive(ctx, req, isFileField, (user, fields) => ({
      user,
      place: placeFromFields(ctx, req, user, fields),
    }));
    return discardOnFailure(ctx, form, async () => {
      const input = RequestInput.of(req, form.fields);
      const check = new InputCheck(input);
      check.requiredInteger('project_id');
      check.requiredInteger('directory_id');
      const description = check.optionalString('description');
      const file = requireFile(check, form);
      const unsafe = file && unsafeNameReason(file.filename);
      if (unsafe) check.reject('file', `The file name ${unsafe}.`);
      const place = access.place ?? placeFromFields(ctx, req, access.user, form.fields);
      check.done();
      if (!file || !place) throw new ServerError('validated input without file, project or directory');
      const target = {
        ...uploadTarget({ user: access.user, ...place }, place.directory, file.filename, ifCurrentIdOf(ctx, input)),
        description: description ?? '',
      };
      const result = await recordUpload(store, blobs, target, file.blob);
      reply.code(result.created ? 201 : 200);
      return { data: rowJson(result.row) };
    });
  });
};

/**
 * Authenticates, authorizes and reads the form: `authorize` runs with the fields that precede the first
 * file part (or all of them when there is none).
 */
async function receive<A>(
  ctx: ServerContext,
  req: FastifyRequest,
  keep: (field: string) => boolean,
  authorize: (user: UserRecord, fields: FormFields) => A,
): Promise<{ access: A; form: ReceivedForm }> {
  let access: { value: A } | undefined;
  const checkAccess = (fields: FormFields) => {
    access ??= { value: authorize(authenticate(ctx.store, req, RequestInput.of(req, fields)), fields) };
  };
  let form: ReceivedForm = { fields: new Map(), files: [] };
  if (req.isMultipart()) form = await readForm(req, ctx.blobs, { keep, maxFiles: MAX_FILES_PER_REQUEST, checkAccess, faults: ctx.faults.bodyFaultsOf(req.raw) });
  else checkAccess(form.fields);
  if (!access) throw new ServerError('form read without an access check');
  return { access: access.value, form };
}

/** Staged files not stored by `work` are deleted when it fails (deleting a stored one is a no-op). */
async function discardOnFailure<T>(ctx: ServerContext, form: ReceivedForm, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await Promise.all(form.files.map((file) => ctx.blobs.discard(file.blob)));
    throw error;
  }
}

/** The destination of `POST /files` once its fields are there; undefined while they are missing. */
function placeFromFields(ctx: ServerContext, req: FastifyRequest, user: UserRecord, fields: FormFields): Place | undefined {
  const input = RequestInput.of(req, fields);
  const projectId = Number(input.get('project_id'));
  const directoryId = Number(input.get('directory_id'));
  if (!Number.isSafeInteger(projectId) || projectId <= 0) return undefined;
  const project = projectFromInput(ctx.store, user, projectId);
  if (!Number.isSafeInteger(directoryId) || directoryId <= 0) return undefined;
  return { project, directory: rowInProject(ctx.store, project, directoryId) };
}

/** The `file` part; its absence is recorded on `check` as production's 422. */
function requireFile(check: InputCheck, form: ReceivedForm): ReceivedFile | undefined {
  const file = form.files[0];
  if (!file) check.reject('file', laravelMessage('file', form.fields.has('file') ? 'file' : 'required'));
  return file;
}

/** A text part where `files[]` belongs is production's 422: `files.N` must be a file. */
function rejectTextInFileFields(form: ReceivedForm): void {
  const errors: Record<string, string[]> = {};
  let index = form.files.length;
  for (const [name, values] of form.fields) {
    if (!isFilesField(name)) continue;
    for (let i = 0; i < values.length; i++) {
      const field = `files.${index++}`;
      errors[field] = [laravelMessage(field, 'file')];
    }
  }
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
}

/** A part whose filename (already a basename) is not safe to store: 422 on `files.N`, nothing stored. */
function rejectUnsafeFileNames(form: ReceivedForm): void {
  const errors: Record<string, string[]> = {};
  form.files.forEach((file, index) => {
    const unsafe = unsafeNameReason(file.filename);
    if (unsafe) errors[`files.${index}`] = [`The files.${index} name ${unsafe}.`];
  });
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
}

function uploadTarget(
  access: { user: UserRecord; project: ProjectRecord },
  directory: UploadTarget['directory'],
  name: string,
  ifCurrentId: number | undefined,
): UploadTarget {
  return { projectId: access.project.id, directory, name, ownerId: access.user.id, ...(ifCurrentId !== undefined && { ifCurrentId }) };
}
