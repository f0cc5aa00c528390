import { computeStatus, type StatusReport } from '@mcsync/core';
import { toProjectPaths } from './project-paths';
import { type CliEnvironment, type ProjectSession, openProjectSession } from './session';

/** `mc ls` and `mc status`: compare without transferring (caches are refreshed, nothing else). */
export async function compareSides(
  cli: CliEnvironment,
  command: string,
  argv: readonly string[],
  recursive: boolean,
): Promise<{ session: ProjectSession; report: StatusReport; prefixes: string[] }> {
  const session = await openProjectSession(cli, command);
  try {
    const prefixes = toProjectPaths(argv, cli.cwd, session.root);
    const report = await computeStatus({ root: session.root, prefixes, store: session.store, remote: session.remote, recursive, onNotice: cli.notice });
    return { session, report, prefixes };
  } finally {
    await session.close();
  }
}
