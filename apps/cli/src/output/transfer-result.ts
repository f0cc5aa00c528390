import type { RunReport } from '@mcsync/core';
import { formatBytes, formatCount, formatSeconds } from './format';

/** The `--json` document of a transfer command (cli-contract.md). */
export interface TransferJson {
  command: string;
  project_id: number;
  transferred: Array<{ path: string; bytes: number }>;
  skipped: Array<{ path: string; reason: string }>;
  failed: Array<{ path: string; code: string; message: string }>;
  bytes: number;
  seconds: number;
  requests: number;
  dry_run?: boolean;
  planned?: Array<{ action: string; path: string; bytes?: number }>;
  created_folders?: string[];
  interrupted?: boolean;
}

export function transferJson(report: RunReport, projectId: number, seconds: number, requests: number): TransferJson {
  const json: TransferJson = {
    command: report.command,
    project_id: projectId,
    transferred: report.transferred.map((t) => ({ path: t.path, bytes: t.bytes })),
    skipped: report.skipped.map((s) => ({ path: s.path, reason: s.reason })),
    failed: report.failed.map((f) => ({ path: f.path, code: f.code, message: f.message })),
    bytes: report.bytes,
    seconds: Math.round(seconds * 1000) / 1000,
    requests,
    created_folders: report.createdFolders,
  };
  if (report.dryRun) {
    json.dry_run = true;
    json.planned = plannedActions(report);
  }
  if (report.interrupted) json.interrupted = true;
  return json;
}

/** What a dry run would do, one line each. */
export function plannedActions(report: RunReport): Array<{ action: string; path: string; bytes?: number }> {
  const p = report.plan;
  return [
    ...p.mkdirRemote.map((path) => ({ action: 'mkdir', path })),
    ...p.mkdirLocal.map((path) => ({ action: 'mkdir', path })),
    ...p.uploads.map((u) => ({ action: 'upload', path: u.path, bytes: u.local.size })),
    ...p.downloads.map((d) => ({ action: 'download', path: d.path, bytes: d.remote.size })),
  ];
}

/** Human output: failures and skips one per line, then one summary line. */
export function transferLines(report: RunReport, seconds: number, requests: number): string[] {
  const lines: string[] = [];
  if (report.dryRun) {
    for (const a of plannedActions(report)) lines.push(`would ${a.action} ${a.path}${a.bytes !== undefined ? ` (${formatBytes(a.bytes)})` : ''}`);
  }
  for (const s of report.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  for (const f of report.failed) lines.push(`failed  ${f.path}: ${f.message}`);
  lines.push(summaryLine(report, seconds, requests));
  return lines;
}

export function summaryLine(report: RunReport, seconds: number, requests: number): string {
  const verb = report.command === 'up' ? 'uploaded' : 'downloaded';
  const parts = report.dryRun
    ? [`dry run: would transfer ${formatCount(report.plan.uploads.length + report.plan.downloads.length, 'file')}`]
    : [`${report.command}: ${verb} ${formatCount(report.transferred.length, 'file')} (${formatBytes(report.bytes)})`];
  const folders = report.dryRun ? report.plan.mkdirRemote.length + report.plan.mkdirLocal.length : report.createdFolders.length;
  if (folders) parts.push(`${report.dryRun ? 'would create' : 'created'} ${formatCount(folders, 'folder')}`);
  parts.push(`${formatCount(report.plan.inSync.length, 'file')} already in sync`);
  parts.push(`${report.skipped.length} skipped`, `${report.failed.length} failed`);
  const tail = `in ${formatSeconds(seconds)}, ${formatCount(requests, 'request')}${report.interrupted ? ' (interrupted)' : ''}`;
  return `${parts.join(', ')} ${tail}`;
}
