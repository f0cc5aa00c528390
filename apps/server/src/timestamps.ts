/** Rows and projects keep whole UTC seconds, like production; stored as integers so they sort and index. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `YYYY-MM-DDTHH:MM:SS.000000Z`: production's Laravel serialization (six fractional digits, always zero). */
export function formatTimestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + '.000000Z';
}

export function formatNullableTimestamp(seconds: number | null): string | null {
  return seconds === null ? null : formatTimestamp(seconds);
}

/** Milliseconds as production's date format, keeping them in the six fractional digits (`…:05.123000Z`). */
export function formatMillis(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23) + '000Z';
}
