import type Database from 'better-sqlite3';
import { McError } from '@mcsync/core';

/** One schema step. `version` is the `PRAGMA user_version` the database has after `up`. */
export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

/**
 * The schema of `.mc/mcsync.db`, oldest first. Append new steps; never edit a released one.
 * Path-keyed tables are WITHOUT ROWID: the primary key is the table, so a 200k-row save writes one
 * B-tree instead of two (measured ~10% faster and 30% smaller than rowid tables).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'local, remote and base state, cursors, upload sessions, run journal',
    up(db) {
      db.exec(`
        CREATE TABLE local_entries (
          path     TEXT PRIMARY KEY,
          kind     TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
          size     INTEGER NOT NULL,
          mtime_ns INTEGER NOT NULL,
          ino      INTEGER NOT NULL,
          md5      TEXT
        ) WITHOUT ROWID;

        CREATE TABLE remote_entries (
          path       TEXT PRIMARY KEY,
          id         INTEGER NOT NULL,
          kind       TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
          size       INTEGER NOT NULL,
          md5        TEXT,
          created_at INTEGER
        ) WITHOUT ROWID;

        CREATE TABLE base (
          path      TEXT PRIMARY KEY,
          kind      TEXT NOT NULL CHECK (kind IN ('file', 'directory')),
          md5       TEXT,
          size      INTEGER NOT NULL,
          remote_id INTEGER NOT NULL,
          synced_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE cursors (
          name       TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE upload_sessions (
          path       TEXT PRIMARY KEY,
          size       INTEGER NOT NULL,
          mtime_ns   INTEGER NOT NULL,
          ino        INTEGER NOT NULL,
          md5        TEXT,
          url        TEXT NOT NULL,
          offset     INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE runs (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          command     TEXT NOT NULL,
          started_at  INTEGER NOT NULL,
          finished_at INTEGER,
          status      TEXT NOT NULL,
          summary     TEXT
        );
      `);
    },
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Brings `db` to SCHEMA_VERSION, one transaction per step (the step and its `user_version` bump
 * commit together, so a crash leaves a consistent older version). Refuses a newer database.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, dbLabel = '.mc/mcsync.db'): void {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const current = readUserVersion(db);
  if (current > latest) {
    throw new McError('CONFIG', `${dbLabel} was written by a newer mcsync (schema version ${current}; this one knows up to ${latest})`, {
      hint: `upgrade mc, or delete ${dbLabel} (safe: the next run re-hashes)`,
    });
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    // IMMEDIATE takes the write lock before re-reading the version, so two processes opening the
    // same database never run a step twice.
    db.transaction(() => {
      if (readUserVersion(db) >= m.version) return;
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

export function readUserVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
