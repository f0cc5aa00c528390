import { McError, type ProjectPath } from '@mcsync/core';
import { isDirectoryRow, type McRow, parseTimestamp, rowChecksum } from '@mcsync/protocol';
import { fileByPath } from './endpoints/files';
import type { HttpClient } from './http-client';
import { abortedError } from './http-errors';
import { waitFor } from './retry';

/** How long a stock tus upload is polled for before it is reported unconfirmed (mc-api.md §4.4: e.g. 60 s). */
export const TUS_CONFIRM_TIMEOUT_MS = 60_000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 2_000;

/** The current file row at `path`, null when there is none; a directory there is REJECTED. */
export async function currentFileRow(client: HttpClient, projectId: number, path: ProjectPath, signal?: AbortSignal): Promise<McRow | null> {
  let row: McRow;
  try {
    row = await fileByPath(client, projectId, path, signal ? { signal } : {});
  } catch (err) {
    if (err instanceof McError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
  if (isDirectoryRow(row)) throw new McError('REJECTED', `${path}: a folder of that name exists on the server`);
  return row;
}

/** What identifies the row a finished upload made. */
export interface ExpectedRow {
  size: number;
  md5: string;
  /** The current row's id before the upload (null: none), when it was noted; a new row has another id. */
  beforeId?: number | null;
  /** Without `beforeId` (a session of an earlier run): the row must be created at or after this (ms). */
  createdAfter?: number;
}

/**
 * Production finishes a tus upload in the background and returns no id (§4.4): poll
 * `POST /files/by_path` with backoff until the current row is ours (same MD5, or, as tus rows carry
 * no checksum, a new row of the right size), at most `timeoutMs`. The row and how it was verified,
 * or UNCONFIRMED.
 */
export async function confirmByPath(
  client: HttpClient,
  projectId: number,
  path: ProjectPath,
  expected: ExpectedRow,
  opts: { timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<{ row: McRow; verified: 'md5' | 'size' }> {
  const deadline = performance.now() + (opts.timeoutMs ?? TUS_CONFIRM_TIMEOUT_MS);
  let delay = FIRST_POLL_MS;
  for (;;) {
    const match = matchRow(await currentFileRow(client, projectId, path, opts.signal), expected);
    if (match) return match;
    const left = deadline - performance.now();
    if (left <= 0) break;
    try {
      await waitFor(Math.min(delay, left), opts.signal);
    } catch (err) {
      throw abortedError(err);
    }
    delay = Math.min(MAX_POLL_MS, delay * 2);
  }
  throw new McError('UNCONFIRMED', `${path}: the server received every byte but did not show the new version within ${Math.round((opts.timeoutMs ?? TUS_CONFIRM_TIMEOUT_MS) / 1000)} s`, {
    hint: 'it may still appear: run mc status later; the next run uploads it again if it did not',
  });
}

/** Whether the current row is the one the upload made (see `confirmByPath`). */
export function matchRow(row: McRow | null, expected: ExpectedRow): { row: McRow; verified: 'md5' | 'size' } | null {
  if (!row || row.size !== expected.size) return null;
  const checksum = rowChecksum(row);
  if (checksum !== null) return checksum === expected.md5 ? { row, verified: 'md5' } : null;
  if (expected.beforeId !== undefined) return row.id !== expected.beforeId ? { row, verified: 'size' } : null;
  if (expected.createdAfter !== undefined && row.created_at) {
    const created = parseTimestamp(row.created_at);
    return !Number.isNaN(created) && created >= expected.createdAfter ? { row, verified: 'size' } : null;
  }
  return null;
}
