import type { Statement } from 'better-sqlite3';

/**
 * Runs a `… WHERE id IN (SELECT value FROM json_each(?))` statement for any number of ids and maps the
 * rows by id. One prepared statement serves every list size, so listings stay one query per relation.
 */
export function fetchByIds<T extends { id: number }>(stmt: Statement<[string], T>, ids: Iterable<number>): Map<number, T> {
  const unique = [...new Set(ids)];
  const found = new Map<number, T>();
  if (unique.length === 0) return found;
  for (const row of stmt.all(JSON.stringify(unique))) found.set(row.id, row);
  return found;
}
