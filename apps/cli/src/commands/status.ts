import { Flags } from '@oclif/core';
import { McCommand } from '../base-command';
import { EXIT } from '../exit-codes';
import { formatBytes } from '../output/format';
import { compareSides } from '../status-command';

export default class Status extends McCommand {
  static override summary = 'Show what `mc up` and `mc down` would do, without doing it';
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
    const up = report.up;
    const down = report.down;
    const lines = {
      upload: up.uploads.map((u) => ({ path: u.path, bytes: u.local.size, change: u.remote ? 'modified' : 'added' })),
      create_remote_folder: up.mkdirRemote,
      download: down.downloads.map((d) => ({ path: d.path, bytes: d.remote.size, change: d.local ? 'modified' : 'added' })),
      create_local_folder: down.mkdirLocal,
      kept_local: down.skipped.map((s) => ({ path: s.path, reason: s.reason })),
      skipped: report.skipped,
      failed: [...report.failed, ...up.failed.filter((f) => !report.failed.some((g) => g.path === f.path))],
    };
    if (flags.json) {
      this.printJson({ command: 'status', project_id: session.projectId, ...lines, in_sync: up.inSync.length });
      return;
    }
    const section = (title: string, items: string[]) => {
      if (!items.length) return;
      this.out(`${title}:`);
      for (const i of items) this.out(`  ${i}`);
    };
    section('to upload (mc up)', lines.upload.map((u) => `${u.change.padEnd(9)} ${u.path} (${formatBytes(u.bytes)})`));
    section('folders to create on the server', lines.create_remote_folder);
    section('to download (mc down)', lines.download.map((d) => `${d.change.padEnd(9)} ${d.path} (${formatBytes(d.bytes)})`));
    section('folders to create locally', lines.create_local_folder);
    section('kept by mc down (local changes; -f replaces)', lines.kept_local.map((k) => `${k.path}: ${k.reason}`));
    section('skipped', lines.skipped.map((s) => `${s.path}: ${s.reason}`));
    section('problems', lines.failed.map((f) => `${f.path}: ${f.message}`));
    const nothing = !lines.upload.length && !lines.download.length && !lines.create_local_folder.length && !lines.create_remote_folder.length;
    this.out(nothing ? `up to date (${up.inSync.length} files in sync)` : `${up.inSync.length} files in sync`);
    if (lines.failed.length) process.exitCode = EXIT.PARTIAL;
  }
}
