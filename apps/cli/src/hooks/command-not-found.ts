import type { Hook } from '@oclif/core';
import { EXIT } from '../exit-codes';
import { closestCommand } from '../closest-command';

/** `mc upp`: say what exists, suggest the nearest command, exit 2 (usage). */
const hook: Hook<'command_not_found'> = async function (opts) {
  const ids = opts.config.commandIDs.filter((id) => !id.startsWith('plugins'));
  const guess = closestCommand(opts.id, ids);
  process.stderr.write(`mc: unknown command "${opts.id}"${guess ? `; did you mean "mc ${guess}"?` : ''}\n`);
  process.stderr.write(`commands: ${ids.sort().join(', ')} (mc COMMAND --help for details)\n`);
  process.exit(EXIT.USAGE);
};

export default hook;
