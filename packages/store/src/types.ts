import type { ProjectPath } from '@mcsync/core';

// ---- state database (.mc/mcsync.db) ----------------------------------------------------------

/** A tus upload that can resume across processes (the port lives in core, beside `UploadSessions`). */
export type { UploadSession } from '@mcsync/core';

/** How a run ended; matches the CLI's exit codes 0, 1, 2, 3 and 130. */
export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'conflicts' | 'interrupted';

/** One row of the run journal. */
export interface RunRecord {
  id: number;
  command: string;
  /** ms since the epoch */
  startedAt: number;
  finishedAt: number | null;
  status: RunStatus;
  summary: unknown;
}

// ---- project config (.mc/config.json, shared with the Python mc) ------------------------------

/** `remote` of `.mc/config.json`: the account owning this folder (no key is stored there). */
export interface ProjectRemote {
  mcurl: string;
  email: string;
}

/**
 * `.mc/config.json` (spec/mc-api.md §7.2). Field names are the file's keys; a missing key reads as
 * null. `other` holds every key mcsync does not know, kept as read and written back unchanged.
 */
export interface ProjectConfig {
  remote: ProjectRemote | null;
  project_id: number | null;
  project_uuid: string | null;
  experiment_id: number | null;
  experiment_uuid: string | null;
  /** `mc`'s "fetch lock" time (epoch seconds); mcsync leaves it as it is. */
  remote_updatetime: number | null;
  globus_upload_id: number | null;
  globus_download_id: number | null;
  /** Legacy: a URL only, matched against the user config's remotes (must hit one account). */
  remote_url: string | null;
  other: Record<string, unknown>;
}

// ---- user config (~/.materialscommons/config.json, shared with the Python mc) -----------------

/** One entry of `remotes`: an account. Equal `mcurl` and `email` = the same account. */
export interface RemoteAccount {
  mcurl: string;
  email: string;
  mcapikey: string | null;
}

/**
 * `default_remote` as stored. Fields may be null: `{mcurl: null, email: "__default__", mcapikey: null}`
 * is the placeholder the Python tool writes for "no default".
 */
export interface DefaultRemote {
  mcurl: string | null;
  email: string | null;
  mcapikey: string | null;
}

/** Legacy top-level `mcurl` / `apikey` / `email` of very old files (read, never written). */
export interface LegacyRemote {
  mcurl: string | null;
  apikey: string | null;
  email: string | null;
}

/**
 * `~/.materialscommons/config.json` (spec/mc-api.md §7.3). Only the keys the Python tool knows
 * exist here, because it discards any other key when it saves.
 */
export interface UserConfig {
  /** The file's `default_remote`, null when the file has none (see `effectiveDefaultRemote`). */
  default_remote: DefaultRemote | null;
  remotes: RemoteAccount[];
  /** `{transfer_rt, endpoint_id}`, kept exactly as read. */
  globus: Record<string, unknown>;
  developer_mode: boolean;
  REST_logging: boolean;
  legacy: LegacyRemote;
}

/** A config file as read, with notices for the user (the CLI prints them on stderr). */
export interface Loaded<T> {
  config: T;
  /** Absolute path of the file. */
  path: string;
  /** False when the file does not exist (the config is then the default). */
  exists: boolean;
  warnings: string[];
}

// ---- remote resolution -------------------------------------------------------------------------

/** Environment variables the Python tool reads (§7.5). */
export interface McEnv {
  MC_API_KEY?: string | undefined;
  MC_API_URL?: string | undefined;
  MC_API_EMAIL?: string | undefined;
}

/** The account a command talks to. */
export interface ResolvedRemote {
  /** REST base including `/api`. */
  url: string;
  email: string;
  token: string;
  /** Where the account came from: the project folder, `--remote`, or the default remote (`env` = MC_API_* variables). */
  source: 'project' | 'explicit' | 'default' | 'env';
  /** Notices for stderr (e.g. a plain http:// URL to a non-loopback host). */
  warnings: string[];
}

// ---- mcsync's own settings (~/.materialscommons/mcsync.json) -----------------------------------

export interface RemoteSettings {
  /** Skip TLS certificate verification for this server (self-signed test servers only). */
  insecure?: boolean;
  [key: string]: unknown;
}

export interface CacheEntry {
  value: unknown;
  /** ms since the epoch */
  expires_at: number;
}

/** `~/.materialscommons/mcsync.json`. Unknown keys are kept, so older builds do not erase newer settings. */
export interface McsyncSettings {
  /** Format version of the file (1 so far); kept as read. */
  version: number;
  /** Keyed by the remote's REST base URL (`mcurl`). */
  remotes: Record<string, RemoteSettings>;
  cache: Record<string, CacheEntry>;
  [key: string]: unknown;
}
