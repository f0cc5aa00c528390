import type { BenchReport, RowResult, ScenarioResult } from './report-types';
import { maxOf, medianOf, pairedRatio } from './stats';

const num = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));

function bytes(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  if (v < 1024) return `${v} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let x = v / 1024;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) {
    x /= 1024;
    u++;
  }
  return `${x.toFixed(1)} ${units[u]}`;
}

function ratioCell(row: RowResult, baseline: RowResult): string {
  if (row === baseline) return '1';
  const r = pairedRatio(row, baseline);
  return Number.isFinite(r) ? `${r.toFixed(r < 10 ? 2 : 1)}` : 'n/a';
}

/** One Markdown table per scenario: times, paired ratios to each baseline, RSS, requests, bytes. */
export function scenarioTable(s: ScenarioResult): string {
  const baselines = s.baselines.map((n) => s.rows.find((r) => r.name === n)).filter((r): r is RowResult => r !== undefined);
  const head = ['contender', 'median s', 'min s', 'max s', ...baselines.map((b) => `÷ ${b.name}`), 'peak RSS MiB', 'requests', 'bytes sent'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const row of s.rows) {
    const secs = row.samples.map((x) => x.seconds);
    const cells = [
      row.role === 'floor' ? `*${row.name}* (floor)` : row.role === 'baseline' ? `${row.name} (baseline)` : row.name,
      num(medianOf(row, (x) => x.seconds)),
      num(secs.length ? Math.min(...secs) : null),
      num(secs.length ? Math.max(...secs) : null),
      ...baselines.map((b) => ratioCell(row, b)),
      num(maxOf(row, (x) => x.peakRssMiB), 0),
      num(medianOf(row, (x) => x.requests), 0),
      bytes(medianOf(row, (x) => x.bytesSent)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const out = [
    `# mcsync benchmarks (${report.size}, ${report.net})`,
    '',
    `- date: ${report.date}`,
    `- machine: ${report.machine}`,
    `- command: \`${report.command}\``,
    `- runs per contender: ${report.runs}, contenders alternating within each run; "÷ X" is the median over runs of (time ÷ X's time in the same run): below 1 is faster than X`,
    '',
  ];
  for (const s of report.scenarios) {
    out.push(`## ${s.id}. ${s.title}`, '', `Data: ${s.data}`, '', scenarioTable(s), '');
    for (const t of s.targets) out.push(`- target: ${t}`);
    for (const n of s.notes) out.push(`- ${n}`);
    out.push('');
  }
  return out.join('\n');
}
