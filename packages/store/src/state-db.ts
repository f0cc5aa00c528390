import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MC_DIR, McError, STATE_DB_FILE } from '@mcsync/core';
import type { BaseRecord, LocalRecord, ProjectPath, RemoteEntry, StateStore, UploadSessions } from '@mcsync/core';
import { migrate } from './migrations';
import type { RunRecord, RunStatus, UploadSession } from './types';

const DB_LABEL = `${MC_DIR}/${STATE_DB_FILE}`;
const RESET_HINT = `delete ${DB_LABEL}; the next run re-hashes`;

export interface OpenStateStoreOptions {
  /** Clock for `runs` and `cursors` timestamps (ms since the epoch); tests pin it. */
  now?: () => number;
}

/** Absolute path of a project's state database. */
export function stateDbPath(projectRoot: string): string {
  return path.join(projectRoot, MC_DIR, STATE_DB_FILE);
}

/**
 * Opens (creating and migrating as needed) `.mc/mcsync.db` of the project at `projectRoot`.
 * Never touches `.mc/project.db`, the Python tool's file. Throws McError CONFIG when the folder
 * is not a project, the database is damaged, or it was written by a newer schema.
 */
export function openStateStore(projectRoot: string, opts: OpenStateStoreOptions = {}): SqliteStateStore {
  const mcDir = path.join(projectRoot, MC_DIR);
  if (!isDirectory(mcDir)) {
    throw new McError('CONFIG', `${projectRoot} is not an mc project folder (no ${MC_DIR}/ directory)`, {
      hint: 'run `mc init` or `mc clone ID` first',
    });
  }
  const file = stateDbPath(projectRoot);
  createPrivateFile(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 5000 });
    // The first statement reads the header: a file that is not a database fails here.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, undefined, DB_LABEL);
    return new SqliteStateStore(db, file, opts.now ?? Date.now);
  } catch (err) {
    db?.close();
    throw translateSqliteError(err);
  }
}

/** Deletes a project's state database (and its WAL files). Safe: the next run re-hashes and rebuilds it. */
export function resetStateStore(projectRoot: string): void {
  const file = stateDbPath(projectRoot);
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      fs.rmSync(file + suffix, { force: true });
    } catch (err) {
      throw new McError('LOCAL_IO', `cannot delete ${file + suffix}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * The StateStore of one project folder on better-sqlite3. Loads read a whole table in one query;
 * each save is one transaction however many rows it gets (callers batch hundreds per call).
 * Local rows are read with safeIntegers so `mtime_ns` round-trips exactly as a bigint; remote and
 * base rows as plain numbers (their integers stay far below 2^53).
 */
export class SqliteStateStore implements StateStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly stmt: Statements;
  private readonly tx: ReturnType<typeof makeTransactions>;

  /** Use `openStateStore`; this expects a migrated database. */
  constructor(db: Database.Database, file: string, now: () => number) {
    this.db = db;
    this.path = file;
    this.now = now;
    this.stmt = prepareStatements(db);
    this.tx = makeTransactions(db, this.stmt);
  }

  // ---- local entries ----

  loadLocal(): Map<ProjectPath, LocalRecord> {
    return this.guard(() => {
      const out = new Map<ProjectPath, LocalRecord>();
      for (const r of this.stmt.selectLocal.iterate() as IterableIterator<[string, LocalRecord['kind'], bigint, bigint, bigint, string | null]>) {
        out.set(r[0], { path: r[0], kind: r[1], size: Number(r[2]), mtimeNs: r[3], ino: Number(r[4]), md5: r[5] });
      }
      return out;
    });
  }

  saveLocal(records: readonly LocalRecord[]): void {
    this.guard(() => this.tx.saveLocal(records));
  }

  deleteLocal(paths: readonly ProjectPath[]): void {
    this.guard(() => this.tx.deleteEach(this.stmt.deleteLocal, paths));
  }

  // ---- remote entries ----

  loadRemote(): Map<ProjectPath, RemoteEntry> {
    return this.guard(() => {
      const out = new Map<ProjectPath, RemoteEntry>();
      for (const r of this.stmt.selectRemote.all() as Array<[string, number, RemoteEntry['kind'], number, string | null, number | null]>) {
        const entry: RemoteEntry = { path: r[0], kind: r[2], id: r[1], size: r[3], md5: r[4] };
        if (r[5] !== null) entry.createdAt = r[5];
        out.set(r[0], entry);
      }
      return out;
    });
  }

  /**
   * Deletes the cached rows under each prefix ("" = all; "a/b" covers "a/b" and "a/b/...", not
   * "a/bc") and stores `entries`, in one transaction.
   */
  replaceRemote(entries: readonly RemoteEntry[], prefixes: readonly ProjectPath[] = ['']): void {
    this.guard(() => this.tx.replaceRemote(entries, prefixes));
  }

  saveRemote(entries: readonly RemoteEntry[]): void {
    this.guard(() => this.tx.saveRemote(entries));
  }

  deleteRemote(paths: readonly ProjectPath[]): void {
    this.guard(() => this.tx.deleteEach(this.stmt.deleteRemote, paths));
  }

  // ---- sync base ----

  loadBase(): Map<ProjectPath, BaseRecord> {
    return this.guard(() => {
      const out = new Map<ProjectPath, BaseRecord>();
      for (const r of this.stmt.selectBase.all() as Array<[string, BaseRecord['kind'], string | null, number, number, number]>) {
        out.set(r[0], { path: r[0], kind: r[1], md5: r[2], size: r[3], remoteId: r[4], syncedAt: r[5] });
      }
      return out;
    });
  }

  saveBase(records: readonly BaseRecord[]): void {
    this.guard(() => this.tx.saveBase(records));
  }

  deleteBase(paths: readonly ProjectPath[]): void {
    this.guard(() => this.tx.deleteEach(this.stmt.deleteBase, paths));
  }

  // ---- cursors (e.g. the `changes` cursor of the enhanced server) ----

  getCursor(name: string): string | null {
    return this.guard(() => (this.stmt.selectCursor.get(name) as string | undefined) ?? null);
  }

  setCursor(name: string, value: string): void {
    this.guard(() => this.stmt.upsertCursor.run(name, value, this.now()));
  }

  deleteCursor(name: string): void {
    this.guard(() => this.stmt.deleteCursor.run(name));
  }

  // ---- upload sessions (tus resume across processes) ----

  loadUploadSessions(): Map<ProjectPath, UploadSession> {
    return this.guard(() => {
      const out = new Map<ProjectPath, UploadSession>();
      for (const r of this.stmt.selectSessions.iterate() as IterableIterator<SessionRow>) out.set(r[0], sessionFromRow(r));
      return out;
    });
  }

  saveUploadSessions(sessions: readonly UploadSession[]): void {
    this.guard(() => this.tx.saveSessions(sessions));
  }

  deleteUploadSessions(paths: readonly ProjectPath[]): void {
    this.guard(() => this.tx.deleteEach(this.stmt.deleteSession, paths));
  }

  /**
   * The sessions as the port transport resumes large uploads from. One row per call: a session is
   * saved after each acknowledged chunk (megabytes apart), so a single-statement commit is cheap.
   */
  uploadSessions(): UploadSessions {
    return {
      load: (path) =>
        this.guard(() => {
          const r = this.stmt.selectSession.get(path) as SessionRow | undefined;
          return r ? sessionFromRow(r) : null;
        }),
      save: (session) => this.guard(() => this.tx.saveSessions([session])),
      delete: (path) => this.guard(() => this.stmt.deleteSession.run(path)),
      list: () => [...this.loadUploadSessions().values()],
    };
  }

  // ---- run journal ----

  /** Records the start of a command; returns the run id for `finishRun`. */
  beginRun(command: string): number {
    return this.guard(() => Number(this.stmt.insertRun.run(command, this.now()).lastInsertRowid));
  }

  finishRun(id: number, status: Exclude<RunStatus, 'running'>, summary: unknown): void {
    this.guard(() => {
      const changed = this.stmt.finishRun.run(this.now(), status, JSON.stringify(summary ?? null), id).changes;
      if (changed === 0) throw new McError('INTERNAL', `no run with id ${id} in ${DB_LABEL}`);
    });
  }

  /** The most recent runs, newest first. */
  listRuns(limit = 20): RunRecord[] {
    return this.guard(() =>
      (this.stmt.selectRuns.all(limit) as [number, string, number, number | null, RunStatus, string | null][]).map((r) => ({
        id: r[0],
        command: r[1],
        startedAt: r[2],
        finishedAt: r[3],
        status: r[4],
        summary: r[5] === null ? null : (JSON.parse(r[5]) as unknown),
      })),
    );
  }

  // ---- misc ----

  /** Row counts, cheap enough to print in `mc status --debug`. */
  counts(): { local: number; remote: number; base: number } {
    return this.guard(() => ({
      local: this.stmt.countLocal.get() as number,
      remote: this.stmt.countRemote.get() as number,
      base: this.stmt.countBase.get() as number,
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateSqliteError(err);
    }
  }
}

type Statements = ReturnType<typeof prepareStatements>;

type SessionRow = [string, bigint, bigint, bigint, string | null, string, bigint, bigint];

function sessionFromRow(r: SessionRow): UploadSession {
  return {
    path: r[0],
    size: Number(r[1]),
    mtimeNs: r[2],
    ino: Number(r[3]),
    md5: r[4],
    url: r[5],
    offset: Number(r[6]),
    createdAt: Number(r[7]),
  };
}

function prepareStatements(db: Database.Database) {
  return {
    selectLocal: db.prepare('SELECT path, kind, size, mtime_ns, ino, md5 FROM local_entries').raw().safeIntegers(),
    upsertLocal: db.prepare(
      `INSERT INTO local_entries (path, kind, size, mtime_ns, ino, md5) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns,
         ino = excluded.ino, md5 = excluded.md5`,
    ),
    deleteLocal: db.prepare('DELETE FROM local_entries WHERE path = ?'),

    deleteRemote: db.prepare('DELETE FROM remote_entries WHERE path = ?'),
    // Plain numbers (ids, sizes and times stay far below 2^53) and all() at once: twice as fast as
    // bigints row by row when a run reads the whole cache.
    selectRemote: db.prepare('SELECT path, id, kind, size, md5, created_at FROM remote_entries').raw(),
    upsertRemote: db.prepare(
      `INSERT INTO remote_entries (path, id, kind, size, md5, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET id = excluded.id, kind = excluded.kind, size = excluded.size,
         md5 = excluded.md5, created_at = excluded.created_at`,
    ),
    deleteAllRemote: db.prepare('DELETE FROM remote_entries'),
    // "a/b" itself and everything in ["a/b/", "a/b0"): '0' is the code point after '/', so this
    // range is exactly the paths starting with "a/b/" and uses the primary key ("a/bc" is outside).
    deleteRemoteUnder: db.prepare('DELETE FROM remote_entries WHERE path = ? OR (path >= ? AND path < ?)'),

    selectBase: db.prepare('SELECT path, kind, md5, size, remote_id, synced_at FROM base').raw(),
    upsertBase: db.prepare(
      `INSERT INTO base (path, kind, md5, size, remote_id, synced_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, md5 = excluded.md5, size = excluded.size,
         remote_id = excluded.remote_id, synced_at = excluded.synced_at`,
    ),
    deleteBase: db.prepare('DELETE FROM base WHERE path = ?'),

    selectCursor: db.prepare('SELECT value FROM cursors WHERE name = ?').pluck(),
    upsertCursor: db.prepare(
      `INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    deleteCursor: db.prepare('DELETE FROM cursors WHERE name = ?'),

    selectSessions: db
      .prepare('SELECT path, size, mtime_ns, ino, md5, url, offset, created_at FROM upload_sessions')
      .raw()
      .safeIntegers(),
    selectSession: db
      .prepare('SELECT path, size, mtime_ns, ino, md5, url, offset, created_at FROM upload_sessions WHERE path = ?')
      .raw()
      .safeIntegers(),
    upsertSession: db.prepare(
      `INSERT INTO upload_sessions (path, size, mtime_ns, ino, md5, url, offset, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, ino = excluded.ino,
         md5 = excluded.md5, url = excluded.url, offset = excluded.offset, created_at = excluded.created_at`,
    ),
    deleteSession: db.prepare('DELETE FROM upload_sessions WHERE path = ?'),

    insertRun: db.prepare("INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running')"),
    finishRun: db.prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?'),
    selectRuns: db
      .prepare('SELECT id, command, started_at, finished_at, status, summary FROM runs ORDER BY id DESC LIMIT ?')
      .raw(),

    countLocal: db.prepare('SELECT count(*) FROM local_entries').pluck(),
    countRemote: db.prepare('SELECT count(*) FROM remote_entries').pluck(),
    countBase: db.prepare('SELECT count(*) FROM base').pluck(),
  };
}

function makeTransactions(db: Database.Database, s: Statements) {
  return {
    saveLocal: db.transaction((records: readonly LocalRecord[]) => {
      for (const r of records) s.upsertLocal.run(r.path, r.kind, r.size, r.mtimeNs, r.ino, r.md5);
    }),
    saveRemote: db.transaction((entries: readonly RemoteEntry[]) => {
      for (const e of entries) s.upsertRemote.run(e.path, e.id, e.kind, e.size, e.md5, e.createdAt ?? null);
    }),
    replaceRemote: db.transaction((entries: readonly RemoteEntry[], prefixes: readonly ProjectPath[]) => {
      for (const p of prefixes) {
        if (p === '') s.deleteAllRemote.run();
        else s.deleteRemoteUnder.run(p, `${p}/`, `${p}0`);
      }
      for (const e of entries) s.upsertRemote.run(e.path, e.id, e.kind, e.size, e.md5, e.createdAt ?? null);
    }),
    saveBase: db.transaction((records: readonly BaseRecord[]) => {
      for (const r of records) s.upsertBase.run(r.path, r.kind, r.md5, r.size, r.remoteId, r.syncedAt);
    }),
    saveSessions: db.transaction((sessions: readonly UploadSession[]) => {
      for (const u of sessions) {
        s.upsertSession.run(u.path, u.size, u.mtimeNs, u.ino, u.md5, u.url, u.offset, u.createdAt);
      }
    }),
    deleteEach: db.transaction((stmt: Database.Statement, keys: readonly string[]) => {
      for (const k of keys) stmt.run(k);
    }),
  };
}

/** SQLite failures as McErrors; anything else (a programming error) is rethrown as it is. */
function translateSqliteError(err: unknown): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new McError('CONFIG', `${DB_LABEL} is damaged or not a database (${err.message})`, { hint: RESET_HINT, cause: err });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new McError('LOCKED', `${DB_LABEL} is locked by another process`, {
      hint: 'wait for the other mc run in this project to finish',
      cause: err,
    });
  }
  return new McError('LOCAL_IO', `${DB_LABEL}: ${err.message}`, { cause: err });
}

/** Pre-creates the database file with mode 0600; SQLite gives its -wal and -shm files the same mode. */
function createPrivateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new McError('LOCAL_IO', `cannot create ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
