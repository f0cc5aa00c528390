import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { tokenDigest } from '../tokens.js';
import { migrate } from './migrations.js';

export const DATABASE_FILE = 'mc-server.db';

/** Opens (creating if needed) the metadata database of a data directory, migrated to the current schema. */
export function openDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
  // WAL lets `mc-server user …` run beside a live server; NORMAL is durable across process crashes,
  // which is all a reference server needs, and avoids an fsync per upload.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.function('sha256_hex', { deterministic: true }, (text) => tokenDigest(String(text)));
  migrate(db);
  return db;
}
