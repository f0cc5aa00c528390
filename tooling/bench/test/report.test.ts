import { describe, expect, it } from 'vitest';
import { renderMarkdown, scenarioTable } from '../src/report';
import type { RowResult, ScenarioResult } from '../src/report-types';
import { median, pairedRatio } from '../src/stats';

const rowOf = (name: string, role: RowResult['role'], seconds: number[], extra: Partial<RowResult['samples'][number]> = {}): RowResult => ({
  name,
  role,
  samples: seconds.map((s) => ({ seconds: s, peakRssMiB: null, requests: null, bytesSent: null, ...extra })),
});

describe('bench statistics and tables', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('ratios pair runs: a contender that is always twice as slow as the baseline in the same run is 2, however the runs drift', () => {
    const base = rowOf('base', 'baseline', [1, 10, 3]);
    const slow = rowOf('slow', 'mc', [2, 20, 6]);
    expect(pairedRatio(slow, base)).toBe(2);
  });

  it('a table has one row per contender, a ratio column per baseline, and marks floors', () => {
    const s: ScenarioResult = {
      id: '1',
      title: 't',
      data: 'd',
      baselines: ['tar copy'],
      rows: [rowOf('mc enhanced', 'mc', [2, 4], { peakRssMiB: 120.4, requests: 6, bytesSent: 3 * 2 ** 20 }), rowOf('tar copy', 'floor', [1, 1])],
      notes: [],
      targets: [],
    };
    const table = scenarioTable(s).split('\n');
    expect(table[0]).toBe('| contender | median s | min s | max s | ÷ tar copy | peak RSS MiB | requests | bytes sent |');
    expect(table[2]).toBe('| mc enhanced | 3.00 | 2.00 | 4.00 | 3.00 | 120 | 6 | 3.0 MiB |');
    expect(table[3]).toBe('| *tar copy* (floor) | 1.00 | 1.00 | 1.00 | 1 | n/a | n/a | n/a |');
    const md = renderMarkdown({ date: 'D', command: 'pnpm bench 1', size: 'smoke', net: 'loopback', runs: 2, machine: 'M', scenarios: [s] });
    expect(md).toContain('## 1. t');
    expect(md).toContain('- command: `pnpm bench 1`');
  });
});
