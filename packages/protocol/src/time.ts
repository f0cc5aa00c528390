/** `YYYY-MM-DDTHH:MM:SS.000000Z` as production writes timestamps: whole seconds (mc-api.md §1.7). */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}.000000Z`;
}

/** Parses production timestamps (0–6 fractional digits); NaN when malformed. */
export function parseTimestamp(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{0,6}))?Z?$/.exec(text);
  if (!m) return Number.NaN;
  const ms = m[3] ? Number(m[3].padEnd(6, '0').slice(0, 3)) : 0;
  return Date.parse(`${m[1]}T${m[2]}Z`) + ms;
}

/** `since` of file-changes-since: exactly `YYYY-MM-DD HH:MM:SS`, UTC. */
export function formatSince(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
