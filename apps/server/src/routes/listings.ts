import { projectFromPath } from '../access.js';
import { authenticate } from '../auth.js';
import { ID, type RouteModule } from '../context.js';
import { ServerError, ValidationFailed } from '../errors.js';
import { RequestInput } from '../request-input.js';
import { embedRows } from '../serialize/embed.js';
import { pageOf, paginatorJson } from '../serialize/paginator.js';
import { laravelMessage } from '../validation.js';

type ProjectParams = { Params: { project: string } };

const WITH_OWNER_AND_PARENT = { owner: true, directory: true } as const;
const SINCE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * The paginated bulk listings (mc-api.md §3.6): bare paginators of Row+o+d. Both include rows that
 * are not reachable from the root (children of deleted directories, §5.8), as production does.
 */
export const listingRoutes: RouteModule = (api, { store }) => {
  api.get<ProjectParams>(`/projects/:project${ID}/file-changes-since`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const project = projectFromPath(store, user, req.params.project);
    const since = input.get('since');
    if (since === null || since === undefined) throw new ServerError('file-changes-since without since'); // Q1
    const seconds = typeof since === 'string' ? parseSince(since) : null;
    if (seconds === null) throw new ValidationFailed({ since: ['The since field must match the format Y-m-d H:i:s.'] });
    const page = pageOf(req.query);
    const { rows, total } = store.rows.createdSince(project.id, seconds, page.size, (page.number - 1) * page.size);
    return paginatorJson(req, page, total, embedRows(store, rows, WITH_OWNER_AND_PARENT));
  });

  api.post<ProjectParams>(`/projects/:project${ID}/files/matching`, async (req) => {
    const input = RequestInput.of(req);
    const user = authenticate(store, req, input);
    const project = projectFromPath(store, user, req.params.project);
    const patterns = matchPatterns(input.get('match'));
    const page = pageOf(req.query);
    const { rows, total } = store.rows.matching(project.id, patterns, page.size, (page.number - 1) * page.size);
    return paginatorJson(req, page, total, embedRows(store, rows, WITH_OWNER_AND_PARENT));
  });
};

/** `YYYY-MM-DD HH:MM:SS` in UTC, a real date and time, as epoch seconds; null otherwise. */
function parseSince(text: string): number | null {
  const match = SINCE.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(ms);
  const same =
    back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day &&
    back.getUTCHours() === hour && back.getUTCMinutes() === minute && back.getUTCSeconds() === second;
  return same ? Math.floor(ms / 1000) : null;
}

/** `match`: required, an array of strings (SQL `LIKE` patterns). */
function matchPatterns(value: unknown): string[] {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) throw new ValidationFailed({ match: [laravelMessage('match', 'required')] });
  if (!Array.isArray(value)) throw new ValidationFailed({ match: ['The match field must be an array.'] });
  const errors: Record<string, string[]> = {};
  value.forEach((item, index) => {
    if (typeof item !== 'string') errors[`match.${index}`] = [laravelMessage(`match.${index}`, 'string')];
  });
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return value as string[];
}
