/** The CLI's library surface for plugin authors; commands are discovered by oclif from dist/commands. */
export { McCommand } from './base-command';
export { EXIT, exitCodeFor } from './exit-codes';
export { type CliEnvironment, type ProjectSession, openProjectSession, requireProject, resolveAccount, connect } from './session';
export { toProjectPaths } from './project-paths';
