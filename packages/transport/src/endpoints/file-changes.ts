import { type McRow, McRowSchema, formatSince, paginator } from '@mcsync/protocol';
import type { HttpClient } from '../http-client';
import { parseResponse } from '../parse-response';

const Page = paginator(McRowSchema);

/**
 * `GET /projects/{p}/file-changes-since` (mc-api.md §5.5), every page: current files inserted
 * strictly after `since` (whole seconds, UTC). New files and new versions only: it misses deletes,
 * moves and re-activated old versions, so it is a hint, never a listing.
 */
export async function fileChangesSince(client: HttpClient, projectId: number, since: Date, opts: { signal?: AbortSignal } = {}): Promise<McRow[]> {
  const rows: McRow[] = [];
  const path = `/projects/${projectId}/file-changes-since`;
  for (let page = 1, last = 1; page <= last; page++) {
    const res = await client.json({ method: 'GET', path, query: { since: formatSince(since), 'page[number]': page, 'page[size]': 500 }, signal: opts.signal });
    const body = parseResponse(Page, res.data, `GET ${path}`);
    rows.push(...body.data);
    last = body.last_page;
  }
  return rows;
}
