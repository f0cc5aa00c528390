import { projectFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule } from '../context.js';
import type { ChangeRecord } from '../db/changes.js';
import { Refusal, ValidationFailed } from '../errors.js';
import { RequestInput } from '../request-input.js';
import { formatMillis } from '../timestamps.js';
import { laravelMessage } from '../validation.js';

type ProjectParams = { Params: { project: string } };

export const DEFAULT_CHANGES_LIMIT = 1000;
export const MAX_CHANGES_LIMIT = 5000;

/**
 * `GET /projects/{p}/changes?cursor=C&limit=N` (sync-api.md `changes`): the changes after `C` in
 * seq order, at most `limit` (default 1000, capped at 5000), the cursor to ask from next time and
 * whether more are waiting. A cursor the feed no longer covers (retention dropped changes after it,
 * or it is ahead of the feed: another server's) is 410: the client lists the tree again.
 */
export const changesRoutes: RouteModule = (api, { store }) => {
  api.get<ProjectParams>(`/projects/:project${ID}/changes`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const project = projectFromPath(store, user, req.params.project);
    const cursor = counter(input.get('cursor'), 'cursor', true, 0)!;
    const limit = Math.min(counter(input.get('limit'), 'limit', false, 1) ?? DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT);

    const { head, pruned } = store.changes.position(project.id);
    if (cursor < pruned || cursor > head) throw new Refusal(410, 'cursor expired; list the tree again');
    const changes = store.changes.since(project.id, cursor, limit);
    const next = changes.at(-1)?.seq ?? cursor;
    return { data: changes.map(changeJson), cursor: String(next), more: next < head };
  });
};

/** A decimal integer parameter ≥ `min`: missing → null (or 422 when required), anything else → 422. */
function counter(value: unknown, field: string, required: boolean, min: number): number | null {
  if (value === null || value === undefined) {
    if (required) throw new ValidationFailed({ [field]: [laravelMessage(field, 'required')] });
    return null;
  }
  const number = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(number >= min)) throw new ValidationFailed({ [field]: [`The ${field} field must be an integer of at least ${min}.`] });
  return number;
}

/** One ChangeSchema object. */
function changeJson(change: ChangeRecord): Record<string, unknown> {
  const json: Record<string, unknown> = {
    seq: change.seq,
    op: change.op,
    id: change.row_id,
    kind: change.kind,
    path: change.path,
  };
  if (change.old_path !== null) json.old_path = change.old_path;
  if (change.size !== null) json.size = change.size;
  if (change.checksum !== null) json.checksum = change.checksum;
  json.at = formatMillis(change.at);
  return json;
}
