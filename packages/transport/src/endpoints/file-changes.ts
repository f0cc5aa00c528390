import { McError } from '@mcsync/core';
import { type McRow, McRowSchema, formatSince, paginator } from '@mcsync/protocol';
import type { HttpClient } from '../http-client';
import { parseResponse } from '../parse-response';

const Page = paginator(McRowSchema);

/** 5 × 10^6 changed files: more than any project holds. */
export const MAX_FILE_CHANGE_PAGES = 10_000;

/**
 * `GET /projects/{p}/file-changes-since` (mc-api.md §5.5), every page: current files inserted
 * strictly after `since` (whole seconds, UTC). New files and new versions only: it misses deletes,
 * moves and re-activated old versions, so it is a hint, never a listing. Pages are read up to the
 * first answer's `last_page` (§1.8), which may not exceed `MAX_FILE_CHANGE_PAGES`: a server cannot
 * keep the client paging forever.
 */
export async function fileChangesSince(client: HttpClient, projectId: number, since: Date, opts: { signal?: AbortSignal } = {}): Promise<McRow[]> {
  const rows: McRow[] = [];
  const path = `/projects/${projectId}/file-changes-since`;
  for (let page = 1, last = 1; page <= last; page++) {
    const res = await client.json({ method: 'GET', path, query: { since: formatSince(since), 'page[number]': page, 'page[size]': 500 }, signal: opts.signal });
    const body = parseResponse(Page, res.data, `GET ${path}`);
    rows.push(...body.data);
    if (page > 1) continue;
    last = body.last_page;
    if (last > MAX_FILE_CHANGE_PAGES) {
      throw new McError('SERVER', `GET ${path} announces ${last} pages of 500 changes; refused (at most ${MAX_FILE_CHANGE_PAGES})`, {
        hint: 'the server sent far more than a project holds; check the remote URL',
      });
    }
  }
  return rows;
}
