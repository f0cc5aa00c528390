import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ChangesRepo } from './changes.js';
import { openDatabase } from './open.js';
import { ProjectsRepo } from './projects.js';
import { RowsRepo } from './rows.js';
import { SettingsRepo } from './settings.js';
import { TusUploadsRepo } from './tus-uploads.js';
import { UsersRepo } from './users.js';

export interface StoreOptions {
  /** Changes kept per project in the feed (default 1,000,000). */
  changesRetention?: number;
}

/** The metadata database of one data directory: its repositories and its transactions. */
export class Store {
  readonly users: UsersRepo;
  readonly projects: ProjectsRepo;
  readonly rows: RowsRepo;
  readonly settings: SettingsRepo;
  readonly changes: ChangesRepo;
  readonly tusUploads: TusUploadsRepo;

  constructor(
    readonly db: Database,
    options: StoreOptions = {},
  ) {
    this.users = new UsersRepo(db);
    this.projects = new ProjectsRepo(db);
    this.rows = new RowsRepo(db);
    this.settings = new SettingsRepo(db);
    this.changes = new ChangesRepo(db, options.changesRetention);
    this.tusUploads = new TusUploadsRepo(db);
  }

  static open(dataDir: string, options: StoreOptions = {}): Store {
    return new Store(openDatabase(dataDir), options);
  }

  /**
   * A second, read-only connection to the same database, for long reads that must not hold this
   * one (better-sqlite3 runs one statement at a time per connection). In WAL mode a transaction
   * begun on it sees one consistent snapshot while writers go on. The caller closes it.
   */
  openReader(): Database {
    return new BetterSqlite3(this.db.name, { readonly: true, fileMustExist: true });
  }

  /**
   * Runs `work` in one write transaction. better-sqlite3 is synchronous, so no other request of this
   * process can interleave with it: check-then-write sequences (upload versioning, directory creation)
   * are atomic without locks. IMMEDIATE takes the write lock up front, so a second process (the CLI)
   * waits instead of failing on a lock upgrade.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
