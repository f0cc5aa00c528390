import type { RunReport } from '@mcsync/core';
import { formatBytes, formatCount, formatSeconds } from './format';

/** The `--json` document of a transfer command (cli-contract.md, plus what deletes and sync add). */
export interface TransferJson {
  command: string;
  project_id: number;
  transferred: Array<{ path: string; bytes: number }>;
  skipped: Array<{ path: string; reason: string }>;
  failed: Array<{ path: string; code: string; message: string }>;
  bytes: number;
  seconds: number;
  requests: number;
  deleted: Array<{ path: string; side: 'local' | 'remote' }>;
  renamed: Array<{ from: string; to: string }>;
  conflicts: Array<{ path: string; copy: string | null; message: string }>;
  notes: Array<{ path: string; reason: string }>;
  dry_run?: boolean;
  planned?: PlannedAction[];
  created_folders?: string[];
  interrupted?: boolean;
}

export interface PlannedAction {
  action: 'mkdir' | 'upload' | 'download' | 'delete-local' | 'delete-remote' | 'rename-local' | 'conflict';
  path: string;
  bytes?: number;
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
    deleted: report.deleted,
    renamed: report.renamed,
    conflicts: report.conflicts,
    notes: report.notes,
    created_folders: report.createdFolders,
  };
  if (report.dryRun) {
    json.dry_run = true;
    json.planned = plannedActions(report);
  }
  if (report.interrupted) json.interrupted = true;
  return json;
}

/** What a dry run would do, one line each, in the order it would be done. */
export function plannedActions(report: RunReport): PlannedAction[] {
  const p = report.plan;
  return [
    ...p.renameLocal.map((r): PlannedAction => ({ action: 'rename-local', path: `${r.from} -> ${r.to}` })),
    ...p.deleteLocal.map((d): PlannedAction => ({ action: 'delete-local', path: d.path })),
    ...p.deleteRemote.map((d): PlannedAction => ({ action: 'delete-remote', path: d.path })),
    ...p.mkdirRemote.map((path): PlannedAction => ({ action: 'mkdir', path })),
    ...p.uploads.map((u): PlannedAction => ({ action: 'upload', path: u.path, bytes: u.local.size })),
    ...p.mkdirLocal.map((m): PlannedAction => ({ action: 'mkdir', path: m.path })),
    ...p.downloads.filter((d) => !d.conflictCopy).map((d): PlannedAction => ({ action: 'download', path: d.path, bytes: d.remote.size })),
    ...p.conflicts.map((c): PlannedAction => ({ action: 'conflict', path: c.path })),
  ];
}

/** Human output: what needs attention one per line, then one summary line. */
export function transferLines(report: RunReport, seconds: number, requests: number): string[] {
  const lines: string[] = [];
  if (report.dryRun) {
    for (const a of plannedActions(report)) lines.push(`would ${a.action} ${a.path}${a.bytes !== undefined ? ` (${formatBytes(a.bytes)})` : ''}`);
  }
  for (const r of report.renamed) lines.push(`renamed ${r.from} -> ${r.to} (renamed on the server)`);
  for (const d of report.deleted) lines.push(`deleted ${d.side === 'local' ? 'here' : 'on the server'}: ${d.path}`);
  for (const n of report.notes) lines.push(`note    ${n.path}: ${n.reason}`);
  for (const s of report.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  for (const c of report.conflicts) lines.push(`CONFLICT ${c.path}: ${c.message}`);
  for (const f of report.failed) lines.push(`failed  ${f.path}: ${f.message}`);
  lines.push(summaryLine(report, seconds, requests));
  return lines;
}

const VERB = { up: 'uploaded', down: 'downloaded', sync: 'transferred' } as const;

export function summaryLine(report: RunReport, seconds: number, requests: number): string {
  const p = report.plan;
  const parts = report.dryRun
    ? [`dry run: would transfer ${formatCount(p.uploads.length + p.downloads.filter((d) => !d.conflictCopy).length, 'file')}`]
    : [`${report.command}: ${VERB[report.command]} ${formatCount(report.transferred.length, 'file')} (${formatBytes(report.bytes)})`];
  const folders = report.dryRun ? p.mkdirRemote.length + p.mkdirLocal.length : report.createdFolders.length;
  if (folders) parts.push(`${report.dryRun ? 'would create' : 'created'} ${formatCount(folders, 'folder')}`);
  const deleted = report.dryRun ? p.deleteLocal.length + p.deleteRemote.length : report.deleted.length;
  if (deleted) parts.push(`${report.dryRun ? 'would delete' : 'deleted'} ${deleted}`);
  parts.push(`${formatCount(p.inSync.filter((b) => b.kind === 'file').length, 'file')} already in sync`);
  parts.push(`${report.skipped.length} skipped`, `${report.failed.length} failed`);
  if (report.conflicts.length) parts.push(`${formatCount(report.conflicts.length, 'conflict')}`);
  const tail = `in ${formatSeconds(seconds)}, ${formatCount(requests, 'request')}${report.interrupted ? ' (interrupted)' : ''}`;
  return `${parts.join(', ')} ${tail}`;
}
