import fs from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, readUserVersion, SCHEMA_VERSION, type Migration } from './migrations';
import { openStateStore, stateDbPath } from './state-db';
import { catchMcError, makeProject } from './test-support';

function tables(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
}

describe('migrations', () => {
  it('are numbered 1, 2, 3, … in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('bring an empty database to the latest version with every table', () => {
    const db = new Database(':memory:');
    expect(readUserVersion(db)).toBe(0);
    migrate(db);
    expect(readUserVersion(db)).toBe(SCHEMA_VERSION);
    expect(tables(db)).toEqual(['base', 'cursors', 'local_entries', 'remote_entries', 'runs', 'upload_sessions']);
    migrate(db); // a second run changes nothing
    expect(readUserVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('openStateStore migrates a zero-length file (what a fresh project has)', () => {
    const root = makeProject();
    fs.writeFileSync(stateDbPath(root), '');
    openStateStore(root).close();
    const db = new Database(stateDbPath(root), { readonly: true });
    expect(readUserVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('run only the pending steps, each once', () => {
    const ran: number[] = [];
    const steps: Migration[] = [1, 2, 3].map((version) => ({
      version,
      description: `step ${version}`,
      up(db) {
        ran.push(version);
        db.exec(`CREATE TABLE t${version} (x)`);
      },
    }));
    const db = new Database(':memory:');
    migrate(db, steps.slice(0, 1));
    migrate(db, steps);
    migrate(db, steps);
    expect(ran).toEqual([1, 2, 3]);
    expect(readUserVersion(db)).toBe(3);
    db.close();
  });

  it('a failing step rolls back with its version bump, leaving the earlier steps', () => {
    const steps: Migration[] = [
      { version: 1, description: 'ok', up: (db) => db.exec('CREATE TABLE ok (x)') },
      {
        version: 2,
        description: 'fails half way',
        up(db) {
          db.exec('CREATE TABLE half (x)');
          throw new Error('boom');
        },
      },
    ];
    const db = new Database(':memory:');
    expect(() => migrate(db, steps)).toThrow('boom');
    expect(readUserVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['ok']);
    db.close();
  });

  it('refuse a database written by a newer schema, with a hint, and leave it untouched', () => {
    const root = makeProject();
    const file = stateDbPath(root);
    const newer = new Database(file);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.exec('CREATE TABLE from_the_future (x)');
    newer.close();

    const err = catchMcError(() => openStateStore(root));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(err.hint).toMatch(/upgrade mc, or delete \.mc\/mcsync\.db/);

    const db = new Database(file, { readonly: true });
    expect(readUserVersion(db)).toBe(SCHEMA_VERSION + 1);
    expect(tables(db)).toEqual(['from_the_future']);
    db.close();
  });
});
