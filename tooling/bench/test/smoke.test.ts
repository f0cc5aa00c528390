import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../src/report-types';

/**
 * The harness must not rot: `pnpm bench --size smoke` runs every scenario and writes the table.
 * `.ci/run` runs it before the tests and names its output folder in MCSYNC_BENCH_SMOKE_DIR; without
 * that, this test runs it itself. It checks what was produced, never how fast.
 */
const given = process.env.MCSYNC_BENCH_SMOKE_DIR;
const needs = ['rclone', 'rsync', 'curl'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);

describe.skipIf(!given && needs.length > 0)(`pnpm bench --size smoke (needs ${['rclone', 'rsync', 'curl'].join(', ')})`, () => {
  let dir: string;
  let report: BenchReport;
  let markdown: string;

  beforeAll(() => {
    dir = given ?? mkdtempSync(join(tmpdir(), 'mcsync-bench-smoke-'));
    if (!given) {
      const main = resolve(import.meta.dirname, '../dist/main.js');
      const r = spawnSync(process.execPath, [main, '--size', 'smoke', '--out', dir], { encoding: 'utf8', timeout: 840_000 });
      if (r.status !== 0) throw new Error(`pnpm bench --size smoke exited ${r.status}: ${r.stderr.slice(-3000)}`);
    }
    const json = readdirSync(dir).filter((n) => /^bench-smoke-.*\.json$/.test(n)).sort().pop();
    if (!json) throw new Error(`no bench-smoke-*.json in ${dir}`);
    report = JSON.parse(readFileSync(join(dir, json), 'utf8')) as BenchReport;
    markdown = readFileSync(join(dir, json.replace(/\.json$/, '.md')), 'utf8');
  });

  afterAll(() => {
    if (!given && dir && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it('ran every scenario, each contender at least once, with a time and a table row', () => {
    expect(report.scenarios.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5a', '5b', '6', '7']);
    for (const s of report.scenarios) {
      expect(markdown).toContain(`## ${s.id}. ${s.title}`);
      for (const row of s.rows) {
        expect(row.samples.length, `${s.id} ${row.name}`).toBe(report.runs);
        for (const x of row.samples) expect(x.seconds, `${s.id} ${row.name}`).toBeGreaterThan(0);
        expect(markdown).toContain(`| ${row.role === 'floor' ? `*${row.name}*` : row.name}`);
      }
    }
  });

  it('compares mc on both profiles with the sequential baseline, rclone and the floors', () => {
    const names = (id: string) => report.scenarios.find((s) => s.id === id)!.rows.map((r) => r.name);
    expect(names('1')).toEqual(['mc enhanced', 'mc stock', 'mc stock --concurrency 1', 'rclone webdav', 'tar copy', 'md5sum']);
    expect(names('2')).toContain('rsync -an');
    expect(names('4')).toEqual(['mc enhanced', 'mc stock', 'mc stock --concurrency 1', 'rclone http', 'tar copy', 'md5sum']);
    expect(names('5a')).toContain('curl');
    expect(names('5b')).toContain('curl');
  });

  it('reports peak RSS and requests for every mc run, and the bytes each upload sent', () => {
    for (const s of report.scenarios) {
      for (const row of s.rows.filter((r) => r.name.startsWith('mc '))) {
        for (const x of row.samples) {
          expect(x.peakRssMiB, `${s.id} ${row.name}`).toBeGreaterThan(20);
          expect(x.requests, `${s.id} ${row.name}`).toBeGreaterThan(0);
        }
      }
    }
    const up = report.scenarios.find((s) => s.id === '1')!;
    const tree = up.rows.find((r) => r.name === 'mc enhanced')!.samples[0]!.bytesSent!;
    expect(tree).toBeGreaterThan(1_000_000);
  });

  it('the no-op upload on enhanced costs at most 2 requests, and a killed large upload re-sends at most 55% when resumed', () => {
    const noop = report.scenarios.find((s) => s.id === '2')!.rows.find((r) => r.name === 'mc enhanced')!;
    for (const x of noop.samples) expect(x.requests).toBeLessThanOrEqual(2);
    for (const row of report.scenarios.find((s) => s.id === '6')!.rows) {
      for (const x of row.samples) expect(x.extra!.resentPct, row.name).toBeLessThanOrEqual(55);
    }
  });
});
