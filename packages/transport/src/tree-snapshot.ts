import { assertSafeName, foldPath, fromRemotePath, isUnder, joinPath, parentOf, McError, type Problem, type ProjectPath, type RemoteEntry, type RemoteSnapshot } from '@mcsync/core';
import { isDirectoryRow, parseTimestamp, rowChecksum, type TreeEntry, TreeCursorSchema, TreeEntrySchema } from '@mcsync/protocol';
import type { DirectoryIndex } from './directory-index';
import { fileByPath } from './endpoints/files';
import { getTree } from './endpoints/sync-api';
import { type HttpClient, discardBody } from './http-client';
import { abortedError, isJsonType } from './http-errors';
import { ndjsonLines } from './ndjson-lines';
import { parseResponse } from './parse-response';
import { toRemoteEntry } from './remote-entry';

export interface TreeSnapshotOptions {
  signal?: AbortSignal | undefined;
  onProblem?: ((problem: Problem) => void) | undefined;
  /** Bounds of one listing (defaults `MAX_TREE_LINES`, `MAX_TREE_BYTES`; tests lower them). */
  maxLines?: number | undefined;
  maxBytes?: number | undefined;
}

/**
 * One listing may hold this many lines and bytes: twice the 10^6 entries the format is built for,
 * at a few hundred bytes a line (paths ≤ 700 chars). A server whose listing goes on beyond them
 * (endless, or gigabytes) is refused instead of filling memory with entries.
 */
export const MAX_TREE_LINES = 2_000_000;
export const MAX_TREE_BYTES = 1 << 30;

/**
 * The enhanced enumeration: `GET …/tree` streamed and parsed line by line, one request per prefix
 * (one in all for the whole project). Each line is validated; unsafe paths are reported and left
 * out with their subtree; a listing that ends without its cursor line was cut short and fails,
 * because a missing tail would look like deleted files. With several prefixes, the cursor of the
 * first listing is returned: replaying the feed from the oldest position is safe, from a newer
 * one would skip changes. Directory ids are recorded in `dirs` for uploads. A prefix that is not a
 * directory on the server is looked up by path instead (a file, or nothing).
 */
export async function treeSnapshot(
  client: HttpClient,
  projectId: number,
  dirs: DirectoryIndex,
  prefixes: readonly ProjectPath[] = [''],
  opts: TreeSnapshotOptions = {},
): Promise<RemoteSnapshot> {
  const wanted = outermost(prefixes.length === 0 ? [''] : prefixes);
  if (wanted.includes('')) dirs.clear();
  const entries: RemoteEntry[] = [];
  let cursor: string | null = null;
  for (const prefix of wanted) {
    let listed: { entries: RemoteEntry[]; cursor: string | null };
    try {
      listed = await listTree(client, projectId, prefix, opts);
    } catch (err) {
      if (!(err instanceof McError && err.code === 'NOT_FOUND' && prefix !== '')) throw err;
      listed = { entries: await notADirectory(client, projectId, prefix, opts), cursor: null };
    }
    cursor ??= listed.cursor;
    for (const e of listed.entries) {
      entries.push(e);
      if (e.kind === 'directory') dirs.set(e.path, e.id);
    }
  }
  return { entries, cursor };
}

/**
 * `tree` lists directories only (404 for any other prefix): a prefix naming a file is looked up
 * by path (`POST /files/by_path`); one that names nothing has no entries.
 */
async function notADirectory(client: HttpClient, projectId: number, prefix: ProjectPath, opts: TreeSnapshotOptions): Promise<RemoteEntry[]> {
  let row;
  try {
    row = await fileByPath(client, projectId, prefix, { signal: opts.signal });
  } catch (err) {
    if (err instanceof McError && err.code === 'NOT_FOUND') return [];
    throw err;
  }
  if (isDirectoryRow(row)) {
    throw new McError('SERVER', `${prefix} became a folder on the server while it was listed`, { hint: 'run the command again' });
  }
  assertSafeName(row.name);
  return [toRemoteEntry(joinPath(parentOf(prefix), row.name), row, 'file')];
}

/** Prefixes without those inside another one ('' covers everything). */
function outermost(prefixes: readonly ProjectPath[]): ProjectPath[] {
  const folded = [...new Map(prefixes.map((p) => [foldPath(p), p])).entries()].sort((a, b) => a[0].length - b[0].length);
  const kept: [string, ProjectPath][] = [];
  for (const [key, p] of folded) if (!kept.some(([k]) => isUnder(key, k))) kept.push([key, p]);
  return kept.map(([, p]) => p);
}

async function listTree(
  client: HttpClient,
  projectId: number,
  prefix: ProjectPath,
  opts: TreeSnapshotOptions,
): Promise<{ entries: RemoteEntry[]; cursor: string }> {
  const report = opts.onProblem ?? (() => {});
  const what = `GET /projects/${projectId}/tree`;
  const res = await getTree(client, projectId, prefix, { signal: opts.signal });
  const type = String(res.headers['content-type'] ?? '');
  if (!/ndjson/i.test(type) && !isJsonType(type)) {
    discardBody(res.body);
    throw new McError('SERVER', `expected an NDJSON listing from ${what}, got ${type || 'no content type'}`);
  }

  const prefixKey = foldPath(prefix);
  const entries: RemoteEntry[] = [];
  const byKey = new Map<string, number>(); // fold key → index in entries
  const refused: string[] = []; // raw paths of unsafe directories: their subtree is skipped quietly
  let cursor: string | null = null;
  let lineNo = 0;
  try {
    const maxLines = opts.maxLines ?? MAX_TREE_LINES;
    const maxBytes = opts.maxBytes ?? MAX_TREE_BYTES;
    for await (const line of ndjsonLines(bounded(res.body, maxBytes, what))) {
      lineNo++;
      if (lineNo > maxLines) throw new McError('SERVER', `${what}: the listing goes on beyond ${maxLines} lines; refused`, { hint: LISTING_HINT });
      if (cursor !== null) throw new McError('SERVER', `${what}: line ${lineNo} follows the cursor line, which must be last`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new McError('SERVER', `${what}: line ${lineNo} is not JSON`);
      }
      if (typeof value === 'object' && value !== null && !('id' in value) && 'cursor' in value) {
        cursor = parseResponse(TreeCursorSchema, value, `${what} (cursor line)`).cursor;
        continue;
      }
      const row = parseResponse(TreeEntrySchema, value, `${what} line ${lineNo}`);
      if (refused.some((r) => row.path.startsWith(`${r}/`))) continue;
      let path: ProjectPath;
      try {
        path = fromRemotePath(row.path);
      } catch (err) {
        if (row.kind === 'directory') refused.push(row.path);
        report({ path: row.path.replace(/^\/+/, '').replace(/\0/g, '\\0'), reason: err instanceof Error ? err.message : String(err), failure: true });
        continue;
      }
      const key = foldPath(path);
      if (path === '' || !isUnder(key, prefixKey)) continue;
      const entry = toEntry(path, row);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, entries.length);
        entries.push(entry);
        continue;
      }
      const kept = resolveDuplicate(entries[seen]!, entry, report);
      entries[seen] = kept;
    }
  } catch (err) {
    discardBody(res.body);
    if (opts.signal?.aborted) throw abortedError(err);
    throw client.bodyError(err, { method: 'GET', path: `/projects/${projectId}/tree` });
  }
  if (cursor === null) {
    throw new McError('SERVER', `${what}: the listing ended without its cursor line (cut short after ${lineNo} lines)`, {
      hint: 'try again; the connection or the server stopped mid-answer',
    });
  }
  return { entries, cursor };
}

const LISTING_HINT = 'the server sent far more than a project listing holds; check the remote URL';

/** The body's chunks, failing once more than `max` bytes came. */
async function* bounded(body: AsyncIterable<Uint8Array>, max: number, what: string): AsyncGenerator<Uint8Array> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > max) throw new McError('SERVER', `${what}: the listing goes on beyond ${max} bytes; refused`, { hint: LISTING_HINT });
    yield chunk;
  }
}

function toEntry(path: ProjectPath, row: TreeEntry): RemoteEntry {
  const dir = row.kind === 'directory';
  const entry: RemoteEntry = { path, kind: row.kind, id: row.id, size: dir ? 0 : row.size, md5: dir ? null : rowChecksum({ checksum: row.checksum ?? '' }) };
  const created = row.created_at ? parseTimestamp(row.created_at) : Number.NaN;
  if (!Number.isNaN(created)) entry.createdAt = created;
  return entry;
}

/**
 * Two lines for one fold key (§5.7: the server sees one name): a directory wins over a file, the
 * first of two directories is kept, and of two files the newest version (§5.2). Reported either way.
 */
function resolveDuplicate(a: RemoteEntry, b: RemoteEntry, report: (p: Problem) => void): RemoteEntry {
  if (a.kind !== b.kind) {
    const [dir, file] = a.kind === 'directory' ? [a, b] : [b, a];
    report({ path: file.path, reason: 'a file and a directory share this name on the server: file skipped', failure: true });
    return dir;
  }
  if (a.kind === 'directory') {
    report({ path: b.path, reason: `two directories on the server have this path (ids ${a.id} and ${b.id}); using id ${a.id}`, failure: false });
    return a;
  }
  const newer = (b.createdAt ?? 0) !== (a.createdAt ?? 0) ? ((b.createdAt ?? 0) > (a.createdAt ?? 0) ? b : a) : b.id > a.id ? b : a;
  const older = newer === a ? b : a;
  report({
    path: newer.path,
    reason: `several current versions on the server (ids ${older.id} and ${newer.id}); using the newest, id ${newer.id}`,
    failure: false,
  });
  return newer;
}
