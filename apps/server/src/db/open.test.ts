import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './migrations.js';
import { openDatabase } from './open.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-server-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('creates the schema in WAL mode with synchronous=NORMAL and records its version', () => {
    const db = openDatabase(join(dir, 'nested'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'files'").pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['files_by_parent_name', 'directories_by_path', 'files_by_checksum']));
    db.close();
  });

  it('reopens an existing database without migrating again', () => {
    openDatabase(dir).exec("INSERT INTO settings (key, value) VALUES ('k', 'v')");
    const db = openDatabase(dir);
    expect(db.prepare('SELECT value FROM settings').pluck().get()).toBe('v');
    db.close();
  });

  it('gives the users of an older database the SHA-256 their tokens are looked up by', () => {
    const old = openDatabase(dir);
    old.exec(`
      DROP INDEX users_by_token_sha256;
      ALTER TABLE users DROP COLUMN api_token_sha256;
      INSERT INTO users (uuid, name, email, password_hash, api_token, created_at, updated_at)
      VALUES ('u', 'n', 'e@example.org', 'h', 'the-token', 0, 0);
    `);
    old.pragma(`user_version = ${SCHEMA_VERSION - 1}`);
    old.close();
    const db = openDatabase(dir);
    expect(db.prepare('SELECT api_token_sha256 FROM users').pluck().get()).toBe(createHash('sha256').update('the-token').digest('hex'));
    db.close();
  });

  it('refuses a database written by a newer build', () => {
    const db = openDatabase(dir);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(dir)).toThrow(/newer than this mc-server supports/);
  });

  it('uses the indexes for the hot lookups', () => {
    const db = openDatabase(dir);
    const plan = (sql: string, ...params: unknown[]) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((row: any) => row.detail).join(' | ');
    expect(plan(`SELECT * FROM files WHERE project_id = 1 AND directory_id = 2 AND current = 1 AND deleted_at IS NULL ORDER BY name_key, id`)).toMatch(/USING INDEX files_tree/);
    // The tree walk's keyset page reads the index in order: no temporary sort.
    const treePage = plan(`SELECT id FROM files WHERE project_id = 1 AND directory_id = 2 AND current = 1 AND deleted_at IS NULL AND (name_key, id) > ('a', 3) ORDER BY name_key, id LIMIT 10`);
    expect(treePage).toMatch(/files_tree/);
    expect(treePage).not.toMatch(/TEMP B-TREE/);
    expect(plan(`SELECT * FROM files WHERE project_id = 1 AND current = 1 AND deleted_at IS NULL AND created_at > 5 AND mime_type <> 'directory' ORDER BY created_at, id LIMIT 5`)).toMatch(/files_by_created/);
    expect(plan(`SELECT * FROM changes WHERE project_id = 1 AND seq > 5 ORDER BY seq LIMIT 10`)).toMatch(/PRIMARY KEY/);
    expect(plan(`SELECT * FROM files WHERE project_id = 1 AND path_key = '/a' AND mime_type = 'directory' AND deleted_at IS NULL`)).toMatch(/directories_by_path/);
    expect(plan(`SELECT * FROM files WHERE project_id = 1 AND directory_id = 2 AND name_key = 'a' AND mime_type <> 'directory' AND deleted_at IS NULL ORDER BY created_at, id`)).toMatch(/files_by_parent_name/);
    expect(plan(`SELECT * FROM files WHERE project_id = 1 AND mime_type = 'directory' AND deleted_at IS NULL ORDER BY path_key, id`)).toMatch(/directories_by_path/);
    expect(plan(`SELECT * FROM files WHERE checksum = ? AND checksum <> '' AND deleted_at IS NULL ORDER BY id LIMIT 1`, 'x')).toMatch(/files_by_checksum/);
    db.close();
  });
});
