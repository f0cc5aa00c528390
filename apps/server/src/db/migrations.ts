import type { Database } from 'better-sqlite3';

/**
 * Schema history, applied in order; `PRAGMA user_version` records how many have run. Append, never edit:
 * a data directory created by an older build must open with a newer one.
 *
 * Names and paths are stored twice: as given (`name`, `path`) and as the fold key production's collation
 * compares by (`name_key`, `path_key`, see foldName in @mcsync/protocol), so every lookup is an indexed equality.
 * Times are whole UTC seconds.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    api_token     TEXT NOT NULL UNIQUE,
    description   TEXT,
    affiliation   TEXT,
    slug          TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );

  CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    description TEXT,
    summary     TEXT,
    slug        TEXT,
    owner_id    INTEGER NOT NULL REFERENCES users(id),
    is_active   INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    archived_at INTEGER,
    deleted_at  INTEGER
  );
  CREATE INDEX projects_by_owner_name ON projects (owner_id, name_key) WHERE deleted_at IS NULL;

  CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (project_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX project_members_by_user ON project_members (user_id, project_id);

  -- One row = one directory or one version of a file (mc-api.md §2.1).
  CREATE TABLE files (
    id                     INTEGER PRIMARY KEY,
    uuid                   TEXT NOT NULL UNIQUE,
    project_id             INTEGER NOT NULL REFERENCES projects(id),
    directory_id           INTEGER REFERENCES files(id),
    name                   TEXT NOT NULL,
    name_key               TEXT NOT NULL,
    path                   TEXT,
    path_key               TEXT,
    mime_type              TEXT NOT NULL,
    media_type_description TEXT,
    size                   INTEGER NOT NULL DEFAULT 0,
    checksum               TEXT NOT NULL DEFAULT '',
    current                INTEGER NOT NULL DEFAULT 1,
    owner_id               INTEGER NOT NULL REFERENCES users(id),
    description            TEXT,
    disk                   TEXT,
    upload_source          TEXT,
    uses_uuid              TEXT,
    uses_id                INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    deleted_at             INTEGER
  );
  -- Children of a directory in name order, and the versions of one name (upload matching).
  CREATE INDEX files_by_parent_name ON files (project_id, directory_id, name_key, current)
    WHERE deleted_at IS NULL;
  -- Live directory paths are unique per project: this is what makes directory creation race-safe.
  CREATE UNIQUE INDEX directories_by_path ON files (project_id, path_key)
    WHERE deleted_at IS NULL AND mime_type = 'directory';
  -- Global content dedup (mc-api.md §5.3).
  CREATE INDEX files_by_checksum ON files (checksum) WHERE deleted_at IS NULL AND checksum <> '';
  `,
  `
  -- The change feed (sync-api.md): one counter per project, advanced in the transaction of each change.
  -- change_seq is the last seq written; changes_pruned the last seq dropped by retention (a cursor
  -- below it has lost changes).
  ALTER TABLE projects ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE projects ADD COLUMN changes_pruned INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE changes (
    project_id INTEGER NOT NULL REFERENCES projects(id),
    seq        INTEGER NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('create', 'version', 'delete', 'move')),
    kind       TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
    row_id     INTEGER NOT NULL,
    path       TEXT NOT NULL,
    old_path   TEXT,
    size       INTEGER,
    checksum   TEXT,
    at         INTEGER NOT NULL, -- milliseconds since the epoch
    PRIMARY KEY (project_id, seq)
  ) WITHOUT ROWID;

  -- The tree walk: current live children of a directory in name order, resumable by (name_key, id).
  CREATE INDEX files_tree ON files (project_id, directory_id, name_key, id) WHERE deleted_at IS NULL AND current = 1;
  -- file-changes-since: current live files of a project by insert time.
  CREATE INDEX files_by_created ON files (project_id, created_at, id) WHERE deleted_at IS NULL AND current = 1;
  `,
  `
  -- Where a file's bytes are: the MD5 of its blob. Production's tus rows store checksum '' (mc-api.md
  -- §4.4) yet stay downloadable, so the blob key cannot always be the checksum. NULL on older rows,
  -- whose checksum is their blob key.
  ALTER TABLE files ADD COLUMN content_md5 TEXT;

  -- tus uploads in progress (and, on the enhanced profile, finished ones for a while, so a client that
  -- crashed after the last PATCH can still learn the file id). The bytes are in DATA/tus/<id>; the
  -- offset here is authoritative (a partial file longer than it is cut back on start).
  CREATE TABLE tus_uploads (
    id            TEXT PRIMARY KEY,  -- 32 lowercase hex digits, the last segment of the upload URL
    owner_id      INTEGER NOT NULL REFERENCES users(id),
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    length        INTEGER,           -- NULL while deferred (Upload-Defer-Length)
    received      INTEGER NOT NULL DEFAULT 0, -- the tus offset
    metadata      TEXT NOT NULL,     -- Upload-Metadata as received, echoed by HEAD
    target        TEXT NOT NULL,     -- JSON: where the file goes (TusTarget)
    state         TEXT NOT NULL CHECK (state IN ('receiving', 'completing', 'done')),
    file_id       INTEGER,           -- done: the row MC-File-Id names
    file_checksum TEXT,              -- done: that row's checksum
    created_at    INTEGER NOT NULL,  -- milliseconds since the epoch
    expires_at    INTEGER NOT NULL   -- milliseconds; receiving: unfinished upload dropped, done: record dropped
  ) WITHOUT ROWID;
  CREATE INDEX tus_uploads_by_expiry ON tus_uploads (expires_at);
  `,
  `
  -- Tokens are looked up by their SHA-256 (tokens.ts tokenDigest; sha256_hex is registered by
  -- openDatabase), never by the token itself. The token stays in api_token: \`mc-server user token\`
  -- prints it and rows embed it in \`owner\` (Q9), as on production.
  ALTER TABLE users ADD COLUMN api_token_sha256 TEXT;
  UPDATE users SET api_token_sha256 = sha256_hex(api_token);
  CREATE UNIQUE INDEX users_by_token_sha256 ON users (api_token_sha256);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SCHEMA_VERSION; refuses a database written by a newer build. */
export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this mc-server supports (${SCHEMA_VERSION}); upgrade mc-server`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const apply = db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    });
    apply.immediate();
  }
}
