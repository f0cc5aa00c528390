import type { RowResult } from './report-types';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The median over run pairs of `row`'s time divided by `baseline`'s time in the same run (runs
 * alternate contenders, so a pair saw the same machine state). Below 1 means faster.
 */
export function pairedRatio(row: RowResult, baseline: RowResult): number {
  const n = Math.min(row.samples.length, baseline.samples.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(row.samples[i]!.seconds / baseline.samples[i]!.seconds);
  return median(ratios);
}

export function medianOf(row: RowResult, pick: (s: RowResult['samples'][number]) => number | null): number | null {
  const values = row.samples.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length ? median(values) : null;
}

export function maxOf(row: RowResult, pick: (s: RowResult['samples'][number]) => number | null): number | null {
  const values = row.samples.map(pick).filter((v): v is number => v !== null && Number.isFinite(v));
  return values.length ? Math.max(...values) : null;
}
