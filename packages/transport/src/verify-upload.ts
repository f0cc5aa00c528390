import { McError, type UploadItem, type UploadResult } from '@mcsync/core';
import { type McRow, rowChecksum } from '@mcsync/protocol';
import type { ReadOutcome } from './read-local-file';
import { toRemoteEntry } from './remote-entry';

/** An upload's row judged against the bytes sent: a result, or an error that may be worth one more try. */
export type UploadVerdict = { ok: true; result: UploadResult } | { ok: false; retry: boolean; error: McError };

/**
 * Checks the row the server answered for one file against the bytes that were sent (or, for an
 * upload by checksum, the bytes the server was told about): the size must match, and the MD5
 * whenever the server has one (else the result says `verified: 'size'`). Several rows for one
 * name are narrowed to the one holding these bytes.
 */
export function verifyUploadRow(item: UploadItem, outcome: ReadOutcome, rows: readonly McRow[]): UploadVerdict {
  if (outcome.md5 === null) {
    return { ok: false, retry: true, error: new McError('SERVER', `${item.path}: the server answered before the file was sent`) };
  }
  const row = rows.length === 1 ? rows[0] : rows.find((r) => r.size === outcome.bytes && rowChecksum(r) === outcome.md5);
  if (!row) {
    return {
      ok: false,
      retry: true,
      error: new McError('SERVER', `${item.path}: the server answered ${rows.length} rows for this file instead of 1`),
    };
  }
  if ((row.size ?? -1) !== outcome.bytes) {
    return { ok: false, retry: true, error: new McError('VERIFY', `${item.path}: the server stored ${row.size} bytes, ${outcome.bytes} were sent`) };
  }
  const checksum = rowChecksum(row);
  if (checksum !== null && checksum !== outcome.md5) {
    return { ok: false, retry: true, error: new McError('VERIFY', `${item.path}: the server's MD5 ${checksum} differs from the bytes sent (${outcome.md5})`) };
  }
  return {
    ok: true,
    result: {
      ok: true,
      path: item.path,
      bytes: outcome.bytes,
      remote: toRemoteEntry(item.path, row, 'file'),
      md5: outcome.md5,
      verified: checksum === null ? 'size' : 'md5',
      mtimeNs: item.mtimeNs,
      ino: item.ino,
    },
  };
}
