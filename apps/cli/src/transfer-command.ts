import { Flags } from '@oclif/core';
import { McError, type RunReport } from '@mcsync/core';
import { McCommand } from './base-command';
import { EXIT } from './exit-codes';
import { interruptSignal } from './interrupt';
import { createProgress, type ProgressDisplay, progressMode } from './output/progress';
import { transferJson, transferLines } from './output/transfer-result';
import { toProjectPaths } from './project-paths';
import { type ProjectSession, openProjectSession } from './session';

export interface TransferRun {
  session: ProjectSession;
  prefixes: string[];
  signal: AbortSignal;
  progress: ProgressDisplay;
  notice: (message: string) => void;
}

/** The flags every transfer command has (`mc up`, `mc down`, `mc sync`). */
export const TRANSFER_FLAGS = {
  'dry-run': Flags.boolean({ description: 'show what would be transferred, change nothing' }),
    concurrency: Flags.integer({ description: 'transfers in flight at once', default: 16, min: 1, max: 256 }),
    json: Flags.boolean({ description: 'print one JSON document with the result on stdout' }),
    progress: Flags.string({ description: 'progress on stderr: a bar on a TTY (default), ndjson events, or none', options: ['ndjson', 'none', 'auto'] }),
};

/** What `mc up` and `mc down` add: one-way commands descend into folders only with -r. */
export const ONE_WAY_FLAGS = {
  // `default: false`, not absent: the engine treats an undefined `recursive` as recursive.
  recursive: Flags.boolean({ char: 'r', description: 'include folders and everything below them', default: false }),
  delete: Flags.boolean({ description: 'also delete what was deleted on the other side since the last sync' }),
  ...TRANSFER_FLAGS,
};

/** `mc up`, `mc down` and `mc sync`: the same flags, output, progress, Ctrl-C handling and exit codes. */
export abstract class TransferCommand extends McCommand {

  protected async transfer(
    op: 'up' | 'down' | 'sync',
    flags: { recursive: boolean; 'dry-run': boolean; concurrency: number; json: boolean; progress?: string | undefined; debug: boolean },
    argv: string[],
    execute: (run: TransferRun) => Promise<RunReport>,
  ): Promise<void> {
    this.jsonOutput = flags.json;
    const cli = this.cli(flags.debug);
    const session = await openProjectSession(cli, `mc ${op}`, { concurrency: flags.concurrency });
    const progress = createProgress(progressMode(flags.progress, flags.json, process.stderr.isTTY === true), op);
    const interrupt = interruptSignal(() => {
      progress.stop();
      this.notice('stopping: no new transfers start; what finished is recorded (Ctrl-C again to quit at once)');
    });
    const started = performance.now();
    let report: RunReport;
    try {
      const prefixes = toProjectPaths(argv, cli.cwd, session.root);
      if (!flags.recursive && argv.length === 0) {
        throw new McError('USAGE', `the default path . is a folder, and mc ${op} includes folders only with -r`, {
          hint: `mc ${op} -r .   (everything under the current folder), or name files: mc ${op} FILE...`,
        });
      }
      report = await execute({ session, prefixes, signal: interrupt.signal, progress, notice: (m) => this.notice(m) });
    } finally {
      progress.stop();
      interrupt.dispose();
      await session.close();
    }
    const seconds = (performance.now() - started) / 1000;
    const requests = session.client.requestCount();
    if (flags.json) this.printJson(transferJson(report, session.projectId, seconds, requests));
    else for (const line of transferLines(report, seconds, requests)) this.out(line);
    process.exitCode = report.interrupted
      ? EXIT.INTERRUPTED
      : report.conflicts.length
        ? EXIT.CONFLICTS
        : report.failed.length
          ? EXIT.PARTIAL
          : EXIT.OK;
  }
}
