import { Flags } from '@oclif/core';
import type { SideChange, StatusChange } from '@mcsync/core';
import { McCommand } from '../base-command';
import { EXIT } from '../exit-codes';
import { formatBytes } from '../output/format';
import { compareSides } from '../status-command';

const CHANGED: readonly SideChange[] = ['added', 'modified', 'deleted'];

export default class Status extends McCommand {
  static override summary = 'Show what changed here and on the server since the last sync, like git status';
  static override description =
    'Lists additions, modifications and deletions on each side since the last sync, conflicts (changed on both sides), and what mc up, mc down and mc sync would do. Changes nothing.';
  static override strict = false;
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status dft --json'];
  static override usage = 'status [PATH...] [--json]';

  static override flags = {
    json: Flags.boolean({ description: 'print one JSON document on stdout' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Status);
    this.jsonOutput = flags.json;
    const { session, report } = await compareSides(this.cli(flags.debug), 'mc status', argv as string[], true);
    const { up, down, sync } = report;
    const sideList = (side: 'local' | 'remote') =>
      report.changes.filter((c) => !c.conflict && CHANGED.includes(c[side])).map((c) => ({ path: c.path, kind: c.kind, change: c[side] }));
    const doc = {
      command: 'status',
      project_id: session.projectId,
      local: sideList('local'),
      remote: sideList('remote'),
      conflicts: report.changes.filter((c) => c.conflict).map((c) => ({ path: c.path, local: c.local, remote: c.remote })),
      // What each command would do.
      upload: up.uploads.map((u) => ({ path: u.path, bytes: u.local.size, change: u.remote ? 'modified' : 'added' })),
      create_remote_folder: up.mkdirRemote,
      download: down.downloads.map((d) => ({ path: d.path, bytes: d.remote.size, change: d.local ? 'modified' : 'added' })),
      create_local_folder: down.mkdirLocal.map((m) => m.path),
      kept_local: down.skipped.map((s) => ({ path: s.path, reason: s.reason })),
      sync: {
        upload: sync.uploads.length,
        download: sync.downloads.filter((d) => !d.conflictCopy).length,
        delete_local: sync.deleteLocal.map((d) => d.path),
        delete_remote: sync.deleteRemote.map((d) => d.path),
        conflicts: sync.conflicts.length,
      },
      skipped: report.skipped,
      failed: report.failed,
      in_sync: report.inSync,
    };
    if (flags.json) {
      this.printJson(doc);
      if (report.failed.length) process.exitCode = EXIT.PARTIAL;
      return;
    }
    const section = (title: string, items: string[]) => {
      if (!items.length) return;
      this.out(`${title}:`);
      for (const i of items) this.out(`  ${i}`);
    };
    const line = (c: { path: string; kind: string; change: string }) => `${`${c.change}:`.padEnd(10)} ${c.path}${c.kind === 'directory' ? '/' : ''}`;
    section('changed here since the last sync (mc up or mc sync sends these)', doc.local.map(line));
    section('changed on the server since the last sync (mc down or mc sync brings these)', doc.remote.map(line));
    section('conflicts: changed on both sides (mc sync keeps both; --prefer local|remote decides)', report.changes.filter((c) => c.conflict).map(conflictLine));
    section('to upload (mc up)', doc.upload.map((u) => `${u.change.padEnd(9)} ${u.path} (${formatBytes(u.bytes)})`));
    section('folders to create on the server', doc.create_remote_folder);
    section('to download (mc down)', doc.download.map((d) => `${d.change.padEnd(9)} ${d.path} (${formatBytes(d.bytes)})`));
    section('folders to create locally', doc.create_local_folder);
    section('kept by mc down (local changes; -f replaces)', doc.kept_local.map((k) => `${k.path}: ${k.reason}`));
    section('skipped', report.skipped.map((s) => `${s.path}: ${s.reason}`));
    section('problems', report.failed.map((f) => `${f.path}: ${f.message}`));
    const nothing = !report.changes.length && !doc.upload.length && !doc.download.length && !doc.create_local_folder.length && !doc.create_remote_folder.length;
    this.out(nothing ? `up to date (${report.inSync} files in sync)` : `${report.inSync} files in sync`);
    if (report.failed.length) process.exitCode = EXIT.PARTIAL;
  }
}

function conflictLine(c: StatusChange): string {
  const what = (s: SideChange) => (s === 'added' ? 'added' : s === 'deleted' ? 'deleted' : 'modified');
  return `${what(c.local)} here, ${what(c.remote)} on the server: ${c.path}`;
}
