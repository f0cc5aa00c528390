import { Flags } from '@oclif/core';
import { runDown } from '@mcsync/core';
import { yesNoAllPrompt } from '../prompt';
import { ONE_WAY_FLAGS, TransferCommand } from '../transfer-command';

export default class Down extends TransferCommand {
  static override summary = 'Download files the local side lacks or has different';
  static override description =
    'A local file is replaced only if it is unchanged since the last sync (or identical); otherwise it is kept with a notice, or replaced with -f (asking y/n/all on a terminal). Every file is verified against the server checksum in a temporary file before it is renamed into place.';
  static override examples = ['<%= config.bin %> down -r .', '<%= config.bin %> down -r dft/vasp', '<%= config.bin %> down -r . -f'];
  static override usage = 'down [PATH...] [-r] [-f] [--delete] [--dry-run] [--concurrency N] [--json] [--progress ndjson]';

  // oclif copies only a command's own static fields, so `strict` is repeated here.
  static override strict = false;

  static override flags = {
    ...ONE_WAY_FLAGS,
    force: Flags.boolean({ char: 'f', description: 'replace local files that changed since the last sync' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Down);
    const ask = flags.force && !flags.json && process.stdin.isTTY === true && process.stderr.isTTY === true;
    const askReplace = ask ? yesNoAllPrompt() : undefined;
    await this.transfer('down', flags, argv as string[], ({ session, prefixes, signal, progress, notice }) =>
      runDown({
        root: session.root,
        prefixes,
        store: session.store,
        remote: session.remote,
        recursive: flags.recursive,
        delete: flags.delete,
        dryRun: flags['dry-run'],
        force: flags.force,
        confirmReplace: askReplace ? (path) => askReplace(`replace your local ${path} with the server version?`) : undefined,
        concurrency: flags.concurrency,
        signal,
        onPlan: (plan) => progress.onPlan(plan),
        onProgress: (event) => progress.onProgress(event),
        onNotice: notice,
      }),
    );
  }
}
