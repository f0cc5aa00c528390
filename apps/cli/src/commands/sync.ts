import { Flags } from '@oclif/core';
import { runSync } from '@mcsync/core';
import { TRANSFER_FLAGS, TransferCommand } from '../transfer-command';

export default class Sync extends TransferCommand {
  static override summary = 'Two-way sync: propagate changes from each side, keep both versions on conflicts';
  static override description =
    'For each path, compares the local side, the server and the last sync: a change on one side is propagated (new files, new versions, deletions, and renames made on the server); a change on both sides is a conflict: neither side is overwritten, the server version is downloaded beside yours as NAME.conflict-remote-ID.EXT, and mc sync exits 3 until you resolve it (merge, then --prefer local; or --prefer remote). Uploads carry preconditions where the server supports them, so a change that lands on the server during the run becomes a conflict instead of being overwritten.';
  static override examples = ['<%= config.bin %> sync', '<%= config.bin %> sync dft --dry-run', '<%= config.bin %> sync results/fit.csv --prefer local'];
  static override usage = 'sync [PATH...] [--prefer local|remote] [--dry-run] [--concurrency N] [--json] [--progress ndjson]';

  // oclif copies only a command's own static fields, so `strict` is repeated here.
  static override strict = false;

  static override flags = {
    ...TRANSFER_FLAGS,
    prefer: Flags.string({ description: 'resolve conflicts by keeping this side (the other stays on the server as a previous version when it is yours)', options: ['local', 'remote'] }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Sync);
    const prefer = flags.prefer as 'local' | 'remote' | undefined;
    await this.transfer('sync', { ...flags, recursive: true }, argv as string[], ({ session, prefixes, signal, progress, notice }) =>
      runSync({
        root: session.root,
        prefixes,
        store: session.store,
        remote: session.remote,
        dryRun: flags['dry-run'],
        prefer,
        concurrency: flags.concurrency,
        signal,
        onPlan: (plan) => progress.onPlan(plan),
        onProgress: (event) => progress.onProgress(event),
        onNotice: notice,
      }),
    );
  }
}
