import { McError, type RemoteProject } from '@mcsync/core';
import {
  type ProjectConfig,
  type ProjectLock,
  type ResolvedRemote,
  type SqliteStateStore,
  type UserConfig,
  acquireProjectLock,
  findProjectRoot,
  isInsecureRemote,
  openStateStore,
  readMcsyncSettings,
  readProjectConfig,
  readUserConfig,
  resolveRemote,
} from '@mcsync/store';
import { HttpClient, createRemoteProject } from '@mcsync/transport';
import { serverCapabilities } from './capability-cache';

/** Where a command runs and how it reports; injected so tests and library users can drive it. */
export interface CliEnvironment {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Home folder holding `.materialscommons/` (default: the OS home, which honours $HOME). */
  home?: string;
  notice: (message: string) => void;
  debug?: (line: string) => void;
  /** The account the command resolved, once it has (error hints name it). */
  account?: ResolvedRemote;
}

/** The user config, with its warnings (e.g. readable by others) printed once. */
export function loadUserConfig(cli: CliEnvironment): UserConfig {
  const loaded = readUserConfig({ home: cli.home });
  for (const w of loaded.warnings) cli.notice(`warning: ${w}`);
  return loaded.config;
}

/** The project folder around `cwd`, or null outside one. */
export function findProject(cli: CliEnvironment): { root: string; config: ProjectConfig } | null {
  const root = findProjectRoot(cli.cwd);
  return root ? { root, config: readProjectConfig(root) } : null;
}

export function requireProject(cli: CliEnvironment): { root: string; config: ProjectConfig; projectId: number } {
  const found = findProject(cli);
  if (!found) {
    throw new McError('CONFIG', `${cli.cwd} is not inside a Materials Commons project folder (no .mc/ here or above)`, {
      hint: 'run `mc init` to create a project here, or `mc clone ID DIR` to set up a folder for an existing one',
    });
  }
  const projectId = found.config.project_id;
  if (typeof projectId !== 'number') {
    throw new McError('CONFIG', `${found.root}/.mc/config.json has no project_id`, { hint: 'run `mc init --use-existing` in that folder to link it again' });
  }
  return { ...found, projectId };
}

/** Resolves the account (project, `--remote`, default, MC_API_*), printing its warnings. */
export function resolveAccount(cli: CliEnvironment, projectConfig: ProjectConfig | null, explicit: readonly string[] | undefined): ResolvedRemote {
  const userConfig = loadUserConfig(cli);
  const resolved = resolveRemote({ projectConfig, userConfig, env: cli.env, explicit: parseRemoteFlag(explicit) });
  for (const w of resolved.warnings) cli.notice(`warning: ${w}`);
  cli.account = resolved;
  return resolved;
}

/** `--remote EMAIL URL` arrives as two values. */
export function parseRemoteFlag(values: readonly string[] | undefined): { email: string; url: string } | null {
  if (!values || values.length === 0) return null;
  if (values.length !== 2) throw new McError('USAGE', '--remote takes two values: EMAIL URL', { hint: 'e.g. --remote me@example.org https://materialscommons.org/api' });
  return { email: values[0]!, url: values[1]! };
}

/** An HTTP client for the account; TLS verified unless the remote is marked insecure in mcsync.json. */
export function connect(cli: CliEnvironment, account: ResolvedRemote): HttpClient {
  const insecure = isInsecureRemote(readMcsyncSettings({ home: cli.home }), account.url);
  if (insecure) cli.notice(`warning: TLS certificates of ${account.url} are not verified (marked insecure in ~/.materialscommons/mcsync.json)`);
  return new HttpClient({ baseUrl: account.url, token: account.token, insecure, debug: cli.debug, env: cli.env });
}

/** Everything a transfer command needs, opened in order and closed in reverse. */
export interface ProjectSession {
  root: string;
  projectId: number;
  account: ResolvedRemote;
  client: HttpClient;
  remote: RemoteProject;
  store: SqliteStateStore;
  close(): Promise<void>;
}

/**
 * Opens the project around `cwd` for a command that transfers or compares: the lock (one run per
 * project folder), the state database, the account and the remote project.
 */
export async function openProjectSession(cli: CliEnvironment, command: string, opts: { concurrency?: number } = {}): Promise<ProjectSession> {
  const project = requireProject(cli);
  const account = resolveAccount(cli, project.config, undefined);
  const lock: ProjectLock = acquireProjectLock(project.root, { command });
  let store: SqliteStateStore | undefined;
  let client: HttpClient | undefined;
  try {
    store = openStateStore(project.root);
    client = connect(cli, account);
    const capabilities = await serverCapabilities(client, account.url, cli.home);
    // Large uploads keep their tus session in the state database, so a killed run resumes them.
    const remote = createRemoteProject({ client, projectId: project.projectId, concurrency: opts.concurrency, capabilities, uploadSessions: store.uploadSessions() });
    const opened = { store, client };
    return {
      root: project.root,
      projectId: project.projectId,
      account,
      client,
      remote,
      store,
      async close() {
        opened.store.close();
        await opened.client.close();
        lock.release();
      },
    };
  } catch (err) {
    store?.close();
    await client?.close();
    lock.release();
    throw err;
  }
}
