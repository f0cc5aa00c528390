import { fromRemotePath, McError, type Problem, type ProjectPath, type RemoteChange, type RemoteChanges } from '@mcsync/core';
import { type Change, parseTimestamp, rowChecksum } from '@mcsync/protocol';
import { getChanges } from './endpoints/sync-api';
import type { HttpClient } from './http-client';

/** Changes per page: the most sync-api.md allows. */
export const CHANGES_PAGE_LIMIT = 5000;

export interface ChangeFeedOptions {
  signal?: AbortSignal | undefined;
  onProblem?: ((problem: Problem) => void) | undefined;
  /** Page size (tests). */
  limit?: number;
  /** Pages read before giving up on the feed (default `MAX_CHANGE_PAGES`; tests lower it). */
  maxPages?: number;
}

/**
 * A feed longer than this many pages (10^6 changes at the full page size) is not followed to its
 * end: a snapshot costs less by then, and a server whose `more` never ends cannot keep the client
 * reading (and holding changes) forever.
 */
export const MAX_CHANGE_PAGES = 200;

/**
 * Every change since `cursor`: `GET …/changes` page after page while `more`, paths made relative.
 * A 410 (the server no longer holds the cursor) answers `{expired: true}`, so the caller takes a
 * snapshot. Changes with unsafe paths are reported and dropped, as a snapshot would drop the
 * entries; a folder moved from an unsafe path into view brings a subtree the feed does not list,
 * so that one also answers `expired` (a fresh snapshot sees it), as does a feed longer than
 * `MAX_CHANGE_PAGES`.
 */
export async function changesSince(client: HttpClient, projectId: number, cursor: string, opts: ChangeFeedOptions = {}): Promise<RemoteChanges> {
  const report = opts.onProblem ?? (() => {});
  const changes: RemoteChange[] = [];
  let at = cursor;
  for (let pages = 1; ; pages++) {
    let page;
    try {
      page = await getChanges(client, projectId, at, opts.limit ?? CHANGES_PAGE_LIMIT, { signal: opts.signal });
    } catch (err) {
      if (err instanceof McError && err.status === 410) return { expired: true };
      throw err;
    }
    for (const c of page.data) {
      const mapped = toRemoteChange(c, report);
      if (mapped === 'resync') return { expired: true };
      if (mapped) changes.push(mapped);
    }
    if (!page.more) return { expired: false, changes, cursor: page.cursor };
    if (page.cursor === at) throw new McError('SERVER', `GET /projects/${projectId}/changes: "more" pages announced, but the cursor did not advance`);
    if (pages >= (opts.maxPages ?? MAX_CHANGE_PAGES)) return { expired: true };
    at = page.cursor;
  }
}

function toRemoteChange(c: Change, report: (p: Problem) => void): RemoteChange | null | 'resync' {
  const path = safePath(c.path);
  const oldPath = c.op === 'move' && c.old_path != null ? safePath(c.old_path) : undefined;
  const at = parseTimestamp(c.at);
  if (Number.isNaN(at)) throw new McError('SERVER', `GET …/changes: change ${c.seq} has an unreadable time ${JSON.stringify(c.at)}`);
  const base = { seq: c.seq, kind: c.kind, id: c.id, at };
  const content = c.kind === 'file' ? { ...(c.size != null ? { size: c.size } : {}), md5: rowChecksum({ checksum: c.checksum ?? '' }) } : {};

  if (c.op === 'move' && oldPath === undefined) return 'resync'; // a move that does not say from where
  if (path === '') return null; // the root itself
  if (c.op === 'move' && oldPath !== undefined) {
    if (path instanceof McError && oldPath instanceof McError) return null;
    if (path instanceof McError) {
      // Gone from view: to us, a delete of where it was.
      report({ path: c.path.replace(/^\/+/, ''), reason: `${path.message}; treated as a delete of ${oldPath as ProjectPath}`, failure: true });
      return { ...base, op: 'delete', path: oldPath as ProjectPath };
    }
    if (oldPath instanceof McError) {
      if (c.kind === 'directory') return 'resync';
      return { ...base, op: 'create', path, ...content };
    }
    return { ...base, op: 'move', path, oldPath, ...content };
  }
  if (path instanceof McError) {
    if (c.op !== 'delete') report({ path: c.path.replace(/^\/+/, '').replace(/\0/g, '\\0'), reason: path.message, failure: true });
    return null;
  }
  return { ...base, op: c.op, path, ...content };
}

function safePath(remote: string): ProjectPath | McError {
  try {
    return fromRemotePath(remote);
  } catch (err) {
    return err instanceof McError ? err : new McError('UNSAFE_PATH', String(err));
  }
}
