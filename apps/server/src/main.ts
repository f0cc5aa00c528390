import { CliError, processIo, type CliIo } from './cli/io.js';
import { runStart } from './cli/start.js';
import { USAGE } from './cli/usage.js';
import { runUser } from './cli/user.js';

/**
 * `mc-server` (cli-contract.md): parses the command line, runs the command, returns the exit code.
 * Only results go to stdout; messages go to stderr.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'start':
        return await runStart(args, io);
      case 'user':
        return await runUser(args, io);
      case '--help':
      case '-h':
      case 'help':
        io.stdout.write(USAGE);
        return 0;
      default:
        io.stderr.write(`mc-server: ${command === undefined ? 'missing command' : `unknown command ${command}`}\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`mc-server: ${error.message}\n`);
      return error.exitCode;
    }
    // parseArgs rejects unknown or malformed options with a code of this family.
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mc-server: ${error.message}\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`mc-server: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
