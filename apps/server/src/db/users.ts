import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { fetchByIds } from './by-ids.js';
import { slugify } from '../slug.js';
import { tokenDigest } from '../tokens.js';
import { nowSeconds } from '../timestamps.js';

export interface UserRecord {
  id: number;
  uuid: string;
  name: string;
  email: string;
  password_hash: string;
  api_token: string;
  /** tokenDigest(api_token): what a request's token is looked up by. */
  api_token_sha256: string;
  description: string | null;
  affiliation: string | null;
  slug: string | null;
  created_at: number;
  updated_at: number;
}

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string;
  token: string;
}

/** The `users` table. */
export class UsersRepo {
  private readonly insertStmt: Statement;
  private readonly byIdStmt: Statement<[number], UserRecord>;
  private readonly byEmailStmt: Statement<[string], UserRecord>;
  private readonly byTokenStmt: Statement<[string], UserRecord>;
  private readonly byIdsStmt: Statement<[string], UserRecord>;
  private readonly setTokenStmt: Statement;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO users (uuid, name, email, password_hash, api_token, api_token_sha256, slug, created_at, updated_at)
       VALUES (@uuid, @name, @email, @password_hash, @api_token, @api_token_sha256, @slug, @now, @now)`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM users WHERE id = ?');
    this.byEmailStmt = db.prepare('SELECT * FROM users WHERE email = ?');
    this.byTokenStmt = db.prepare('SELECT * FROM users WHERE api_token_sha256 = ?');
    this.byIdsStmt = db.prepare('SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))');
    this.setTokenStmt = db.prepare('UPDATE users SET api_token = ?, api_token_sha256 = ?, updated_at = ? WHERE id = ?');
  }

  insert(user: NewUser): UserRecord {
    const { lastInsertRowid } = this.insertStmt.run({
      uuid: randomUUID(),
      name: user.name,
      email: user.email,
      password_hash: user.passwordHash,
      api_token: user.token,
      api_token_sha256: tokenDigest(user.token),
      slug: slugify(user.name) || null,
      now: nowSeconds(),
    });
    return this.byId(Number(lastInsertRowid))!;
  }

  byId(id: number): UserRecord | undefined {
    return this.byIdStmt.get(id);
  }

  /** Case-insensitive, as production's collation compares emails. */
  byEmail(email: string): UserRecord | undefined {
    return this.byEmailStmt.get(email);
  }

  /** By the token's digest: the lookup never compares the token itself (tokens.ts). */
  byToken(token: string): UserRecord | undefined {
    return this.byTokenStmt.get(tokenDigest(token));
  }

  byIds(ids: Iterable<number>): Map<number, UserRecord> {
    return fetchByIds(this.byIdsStmt, ids);
  }

  setToken(id: number, token: string): void {
    this.setTokenStmt.run(token, tokenDigest(token), nowSeconds(), id);
  }
}
