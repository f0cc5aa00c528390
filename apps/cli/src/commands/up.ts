import { Flags } from '@oclif/core';
import { runUp } from '@mcsync/core';
import { ONE_WAY_FLAGS, TransferCommand } from '../transfer-command';

export default class Up extends TransferCommand {
  static override summary = 'Upload files the server lacks or has different (never deletes)';
  static override description =
    'Compares by size first and MD5 only when sizes match; unchanged files cost nothing. A file whose server version changed since the last sync (a collaborator’s edit) is not replaced unless -f. Symlinks are skipped with a notice unless --follow-symlinks. Folders, empty ones included, are created on the server.';
  static override examples = ['<%= config.bin %> up -r .', '<%= config.bin %> up data/run-1/INCAR', '<%= config.bin %> up -r . --dry-run'];
  static override usage = 'up [PATH...] [-r] [-f] [--delete] [--dry-run] [--concurrency N] [--json] [--follow-symlinks] [--progress ndjson]';

  // oclif copies only a command's own static fields, so `strict` is repeated here.
  static override strict = false;

  static override flags = {
    ...ONE_WAY_FLAGS,
    'follow-symlinks': Flags.boolean({ description: 'upload what symlinks point to (loops and dangling links are reported)' }),
    force: Flags.boolean({ char: 'f', description: 'upload even files whose server version changed since the last sync (the server keeps the old version)' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Up);
    await this.transfer('up', flags, argv as string[], ({ session, prefixes, signal, progress, notice }) =>
      runUp({
        root: session.root,
        prefixes,
        store: session.store,
        remote: session.remote,
        recursive: flags.recursive,
        delete: flags.delete,
        dryRun: flags['dry-run'],
        followSymlinks: flags['follow-symlinks'],
        force: flags.force,
        concurrency: flags.concurrency,
        signal,
        onPlan: (plan) => progress.onPlan(plan),
        onProgress: (event) => progress.onProgress(event),
        onNotice: notice,
      }),
    );
  }
}
