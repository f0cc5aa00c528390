import type { Database } from 'better-sqlite3';
import { openDatabase } from './open.js';
import { ProjectsRepo } from './projects.js';
import { RowsRepo } from './rows.js';
import { SettingsRepo } from './settings.js';
import { UsersRepo } from './users.js';

/** The metadata database of one data directory: its repositories and its transactions. */
export class Store {
  readonly users: UsersRepo;
  readonly projects: ProjectsRepo;
  readonly rows: RowsRepo;
  readonly settings: SettingsRepo;

  constructor(readonly db: Database) {
    this.users = new UsersRepo(db);
    this.projects = new ProjectsRepo(db);
    this.rows = new RowsRepo(db);
    this.settings = new SettingsRepo(db);
  }

  static open(dataDir: string): Store {
    return new Store(openDatabase(dataDir));
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
