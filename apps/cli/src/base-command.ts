import { Command, Flags } from '@oclif/core';
import { McError, toMcError } from '@mcsync/core';
import { EXIT, exitCodeFor } from './exit-codes';
import type { CliEnvironment } from './session';
import { printable } from './output/printable';

/**
 * What every `mc` command shares: the output streams, `--json`, `--debug`, and the one place
 * where errors become messages and exit codes.
 */
export abstract class McCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'log each HTTP request to stderr (tokens redacted)', helpGroup: 'GLOBAL' }),
  };

  /** Set by commands that take `--json`: errors then also go to stdout as one JSON document. */
  protected jsonOutput = false;

  private lastCli: CliEnvironment | undefined;

  protected cli(debug = false): CliEnvironment {
    this.lastCli = {
      cwd: process.cwd(),
      env: process.env,
      notice: (message) => this.notice(message),
      debug: debug ? (line) => process.stderr.write(`debug: ${printable(line)}\n`) : undefined,
    };
    return this.lastCli;
  }

  /** A result line on stdout; names in it cannot forge lines or drive the terminal (see `printable`). */
  protected out(line: string): void {
    process.stdout.write(`${printable(line)}\n`);
  }

  /** A notice or warning on stderr, one line (see `out`). */
  protected notice(message: string): void {
    process.stderr.write(`${printable(message)}\n`);
  }

  protected printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (err.oclif?.exit === 0 && !(err instanceof McError)) return; // --help, --version
    if (!this.parsed && !(err instanceof McError)) {
      // The command line did not parse (oclif's errors, or an argument parser's "Expected an integer").
      // `jsonOutput` was never set then: look for --json in the raw arguments.
      this.jsonOutput = this.argv.includes('--json');
      const message = err.message.replace(/\s*See more help with --help\s*$/, '');
      err = new McError('USAGE', message, { hint: `see \`mc ${this.id ?? 'COMMAND'} --help\`` });
    }
    let e = toMcError(err);
    const account = this.lastCli?.account;
    if (e.code === 'AUTH' && account) {
      const hint =
        account.source === 'env'
          ? `the server refused the key in MC_API_KEY for ${account.url}; check it (or unset MC_API_URL/MC_API_KEY/MC_API_EMAIL to use ~/.materialscommons/config.json)`
          : `the server refused the API key of ${account.email} at ${account.url}; store a new one with \`mc remote --add ${account.email} --url ${account.url}\``;
      e = new McError('AUTH', e.message, { status: e.status, hint });
    }
    if (this.jsonOutput) this.printJson({ error: { code: e.code, message: e.message, hint: e.hint ?? null } });
    this.notice(`mc: ${e.message}`);
    if (e.hint) this.notice(`hint: ${e.hint}`);
    if (e.code === 'INTERNAL' && err.stack && process.env.MC_DEBUG) for (const line of err.stack.split('\n')) this.notice(line);
    process.exitCode = exitCodeFor(e.code);
  }
}
