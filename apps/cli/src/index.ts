/** The CLI's library surface: commands are discovered by oclif from dist/commands. */
export { McCommand } from './base-command';
export { EXIT, exitCodeFor } from './exit-codes';
