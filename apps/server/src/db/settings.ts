import type { Database, Statement } from 'better-sqlite3';

/** Small per-data-directory values (the server's uuid, …). */
export class SettingsRepo {
  private readonly getStmt: Statement<[string], { value: string }>;
  private readonly setStmt: Statement;

  constructor(db: Database) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  }

  /** The stored value, or `initial()` stored and returned when the key is new. */
  getOrInit(key: string, initial: () => string): string {
    const found = this.getStmt.get(key);
    if (found) return found.value;
    this.setStmt.run(key, initial());
    return this.getStmt.get(key)!.value;
  }
}
