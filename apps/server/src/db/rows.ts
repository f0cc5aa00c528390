import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { fetchByIds } from './by-ids.js';
import { foldName as foldKey } from '@mcsync/protocol';
import { assertStorable } from '../storage-limits.js';
import { nowSeconds } from '../timestamps.js';

/** One directory or one version of a file, as stored. */
export interface RowRecord {
  id: number;
  uuid: string;
  project_id: number;
  directory_id: number | null;
  name: string;
  name_key: string;
  path: string | null;
  path_key: string | null;
  mime_type: string;
  media_type_description: string | null;
  size: number;
  checksum: string;
  current: 0 | 1;
  owner_id: number;
  description: string | null;
  disk: string | null;
  upload_source: string | null;
  uses_uuid: string | null;
  uses_id: number | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  /** MD5 of the stored blob when it is not `checksum` (tus rows of the stock profile store `""`). */
  content_md5: string | null;
}

export const DIRECTORY_MIME = 'directory';

export function isDirectory(row: RowRecord): boolean {
  return row.mime_type === DIRECTORY_MIME;
}

export interface NewDirectory {
  projectId: number;
  parentId: number | null;
  name: string;
  path: string;
  ownerId: number;
  description: string | null;
}

export interface NewFileVersion {
  projectId: number;
  directoryId: number;
  name: string;
  mimeType: string;
  size: number;
  checksum: string;
  ownerId: number;
  description: string;
  usesUuid: string | null;
  usesId: number | null;
  /** tus rows: production stores `path ""` and `upload_source "TUS"` (mc-api.md §4.4, Q26). */
  viaTus?: boolean;
  /** The blob's MD5, when `checksum` does not name it (stock tus rows, checksum ""). */
  contentMd5?: string;
}

/** `sort` values production's listings accept (Spatie query builder: `name`, `path`, `-` for descending). */
export const LISTING_SORTS = ['name', '-name', 'path', '-path'] as const;
export type ListingSort = (typeof LISTING_SORTS)[number];

const ORDER_BY: Record<ListingSort | 'id', string> = {
  id: 'id',
  name: 'name_key, id',
  '-name': 'name_key DESC, id',
  path: 'path_key, id',
  '-path': 'path_key DESC, id',
};

/** The `files` table: directories and file versions. */
export class RowsRepo {
  private readonly insertStmt: Statement;
  private readonly byIdStmt: Statement<[number], RowRecord>;
  private readonly byIdsStmt: Statement<[string], RowRecord>;
  private readonly rootsStmt: Statement<[string], RowRecord>;
  private readonly directoryByPathStmt: Statement<[number, string], RowRecord>;
  private readonly currentChildStmt: Statement<[number, number, string], RowRecord>;
  private readonly versionsStmt: Statement<[number, number, string], RowRecord>;
  private readonly setCurrentStmt: Statement;
  private readonly softDeleteStmt: Statement;
  private readonly byChecksumStmt: Statement<[string], RowRecord>;
  private readonly readableBlobStmt: Statement<[number, string, number], RowRecord>;
  private readonly relocateStmt: Statement;
  private readonly setDirectoryPathStmt: Statement;
  private readonly setOwnerStmt: Statement;
  private readonly descendantDirectoriesStmt: Statement<[number, number, string], RowRecord>;
  private readonly createdSinceCountStmt: Statement<[number, number], { total: number }>;
  private readonly createdSinceStmt: Statement<[number, number, number, number], RowRecord>;
  private readonly childrenStmts = new Map<string, Statement<[number, number], RowRecord>>();
  private readonly directoriesStmts = new Map<string, Statement<[number], RowRecord>>();

  constructor(private readonly db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO files (uuid, project_id, directory_id, name, name_key, path, path_key, mime_type,
         media_type_description, size, checksum, current, owner_id, description, disk, upload_source,
         uses_uuid, uses_id, created_at, updated_at, content_md5)
       VALUES (@uuid, @project_id, @directory_id, @name, @name_key, @path, @path_key, @mime_type,
         @media_type_description, @size, @checksum, 1, @owner_id, @description, @disk, @upload_source,
         @uses_uuid, @uses_id, @now, @now, @content_md5)`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM files WHERE id = ?');
    this.byIdsStmt = db.prepare('SELECT * FROM files WHERE id IN (SELECT value FROM json_each(?))');
    this.rootsStmt = db.prepare(
      `SELECT * FROM files WHERE project_id IN (SELECT value FROM json_each(?))
         AND path_key = '/' AND mime_type = 'directory' AND deleted_at IS NULL`,
    );
    this.directoryByPathStmt = db.prepare(
      `SELECT * FROM files WHERE project_id = ? AND path_key = ? AND mime_type = 'directory' AND deleted_at IS NULL`,
    );
    // Several current rows can exist for one name (production's races, Q10): the newest one wins.
    this.currentChildStmt = db.prepare(
      `SELECT * FROM files WHERE project_id = ? AND directory_id = ? AND name_key = ? AND current = 1
         AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`,
    );
    this.versionsStmt = db.prepare(
      `SELECT * FROM files WHERE project_id = ? AND directory_id = ? AND name_key = ?
         AND mime_type <> 'directory' AND deleted_at IS NULL ORDER BY created_at, id`,
    );
    this.setCurrentStmt = db.prepare('UPDATE files SET current = ?, updated_at = ? WHERE id = ?');
    this.softDeleteStmt = db.prepare('UPDATE files SET deleted_at = ?, updated_at = ? WHERE id = ?');
    this.byChecksumStmt = db.prepare(
      // `checksum <> ''` repeats the partial index's condition so SQLite can use the index.
      `SELECT * FROM files WHERE checksum = ? AND checksum <> '' AND deleted_at IS NULL ORDER BY id LIMIT 1`,
    );
    this.readableBlobStmt = db.prepare(
      `SELECT f.* FROM files f JOIN project_members m ON m.project_id = f.project_id AND m.user_id = ?
       WHERE f.checksum = ? AND f.checksum <> '' AND f.size = ? AND f.deleted_at IS NULL
         AND f.mime_type <> 'directory'
       ORDER BY f.id LIMIT 1`,
    );
    this.relocateStmt = db.prepare(
      `UPDATE files SET directory_id = @directory_id, name = @name, name_key = @name_key,
         owner_id = coalesce(@owner_id, owner_id), updated_at = @now
       WHERE id IN (SELECT value FROM json_each(@ids))`,
    );
    this.setDirectoryPathStmt = db.prepare('UPDATE files SET path = ?, path_key = ?, updated_at = ? WHERE id = ?');
    this.setOwnerStmt = db.prepare('UPDATE files SET owner_id = ?, updated_at = ? WHERE id = ?');
    this.descendantDirectoriesStmt = db.prepare(
      `SELECT * FROM files WHERE project_id = ? AND mime_type = 'directory' AND deleted_at IS NULL
         AND substr(path, 1, ?) = ? ORDER BY id`,
    );
    const changedSince = `FROM files WHERE project_id = ? AND current = 1 AND deleted_at IS NULL AND created_at > ?
      AND mime_type <> 'directory'`;
    this.createdSinceCountStmt = db.prepare(`SELECT count(*) AS total ${changedSince}`);
    this.createdSinceStmt = db.prepare(`SELECT * ${changedSince} ORDER BY created_at, id LIMIT ? OFFSET ?`);
  }

  byId(id: number): RowRecord | undefined {
    return this.byIdStmt.get(id);
  }

  byIds(ids: Iterable<number>): Map<number, RowRecord> {
    return fetchByIds(this.byIdsStmt, ids);
  }

  /** Root directories of several projects at once, by project id. */
  roots(projectIds: readonly number[]): Map<number, RowRecord> {
    const found = new Map<number, RowRecord>();
    if (projectIds.length === 0) return found;
    for (const row of this.rootsStmt.all(JSON.stringify(projectIds))) found.set(row.project_id, row);
    return found;
  }

  root(projectId: number): RowRecord | undefined {
    return this.directoryByPath(projectId, '/');
  }

  /** The live directory whose stored path folds to the same key (exact otherwise: no normalization). */
  directoryByPath(projectId: number, path: string): RowRecord | undefined {
    return this.directoryByPathStmt.get(projectId, foldKey(path));
  }

  /** The current live row of that name (file or directory) inside a directory. */
  currentChild(projectId: number, directoryId: number, name: string): RowRecord | undefined {
    return this.currentChildStmt.get(projectId, directoryId, foldKey(name));
  }

  /** Every live version of a file name in a directory, oldest first. */
  versions(projectId: number, directoryId: number, name: string): RowRecord[] {
    return this.versionsStmt.all(projectId, directoryId, foldKey(name));
  }

  /** The current live version of a file name in a directory (the newest, when races left several). */
  currentVersion(projectId: number, directoryId: number, name: string): RowRecord | undefined {
    return newestCurrent(this.versions(projectId, directoryId, name));
  }

  /** Current live children (files and directories), in `sort` order. */
  children(projectId: number, directoryId: number, sort: ListingSort): RowRecord[] {
    let stmt = this.childrenStmts.get(sort);
    if (!stmt) {
      stmt = this.db.prepare(
        `SELECT * FROM files WHERE project_id = ? AND directory_id = ? AND current = 1 AND deleted_at IS NULL
         ORDER BY ${ORDER_BY[sort]}`,
      );
      this.childrenStmts.set(sort, stmt);
    }
    return stmt.all(projectId, directoryId);
  }

  /** Every live directory of a project (the root included); `id` order unless sorted. */
  directories(projectId: number, sort: ListingSort | 'id'): RowRecord[] {
    let stmt = this.directoriesStmts.get(sort);
    if (!stmt) {
      stmt = this.db.prepare(
        `SELECT * FROM files WHERE project_id = ? AND mime_type = 'directory' AND deleted_at IS NULL
         ORDER BY ${ORDER_BY[sort]}`,
      );
      this.directoriesStmts.set(sort, stmt);
    }
    return stmt.all(projectId);
  }

  /** Some live row holding this content, in any project (global blob dedup, mc-api.md §5.3). */
  anyWithChecksum(checksum: string): RowRecord | undefined {
    return this.byChecksumStmt.get(checksum);
  }

  /**
   * A live file row with this content (MD5 and size) in a project the user is member or admin of:
   * content the user may read, so the server may reuse it without receiving the bytes.
   */
  readableWithContent(userId: number, checksum: string, size: number): RowRecord | undefined {
    return this.readableBlobStmt.get(userId, checksum, size);
  }

  /** Current live files inserted after `since` (epoch seconds), oldest first: file-changes-since. */
  createdSince(projectId: number, since: number, limit: number, offset: number): { rows: RowRecord[]; total: number } {
    const { total } = this.createdSinceCountStmt.get(projectId, since)!;
    return { rows: offset < total ? this.createdSinceStmt.all(projectId, since, limit, offset) : [], total };
  }

  /**
   * Current live files and directories whose name matches one of the SQL `LIKE` patterns, compared by
   * fold key (case- and accent-insensitive, `\` escapes), in id order: files/matching.
   */
  matching(projectId: number, patterns: readonly string[], limit: number, offset: number): { rows: RowRecord[]; total: number } {
    if (patterns.length === 0) return { rows: [], total: 0 };
    const where = `FROM files WHERE project_id = ? AND current = 1 AND deleted_at IS NULL
      AND (${patterns.map(() => "name_key LIKE ? ESCAPE '\\'").join(' OR ')})`;
    const keys = patterns.map(foldPattern);
    const { total } = this.db.prepare<unknown[], { total: number }>(`SELECT count(*) AS total ${where}`).get(projectId, ...keys)!;
    const rows = offset < total
      ? this.db.prepare<unknown[], RowRecord>(`SELECT * ${where} ORDER BY id LIMIT ? OFFSET ?`).all(projectId, ...keys, limit, offset)
      : [];
    return { rows, total };
  }

  /**
   * Live directories whose stored path starts with `prefix/` (exactly, as production's path
   * rewrite matches them), for moves and renames.
   */
  descendantDirectories(projectId: number, prefix: string): RowRecord[] {
    const start = `${prefix}/`;
    return this.descendantDirectoriesStmt.all(projectId, start.length, start);
  }

  /**
   * Puts rows (the versions of one file, or a directory) under another parent and/or name, and gives
   * them a new owner when `ownerId` is set. Production's column size applies to the name (Q17).
   */
  relocate(ids: readonly number[], place: { directoryId: number; name: string; ownerId?: number }): void {
    assertStorable(place.name, null);
    this.relocateStmt.run({
      ids: JSON.stringify(ids),
      directory_id: place.directoryId,
      name: place.name,
      name_key: foldKey(place.name),
      owner_id: place.ownerId ?? null,
      now: nowSeconds(),
    });
  }

  /** A directory's stored path; production's column size applies (Q17). */
  setDirectoryPath(id: number, name: string, path: string): void {
    assertStorable(name, path);
    this.setDirectoryPathStmt.run(path, foldKey(path), nowSeconds(), id);
  }

  setOwner(id: number, ownerId: number): void {
    this.setOwnerStmt.run(ownerId, nowSeconds(), id);
  }

  insertDirectory(directory: NewDirectory): RowRecord {
    return this.insert({
      project_id: directory.projectId,
      directory_id: directory.parentId,
      name: directory.name,
      path: directory.path,
      path_key: foldKey(directory.path),
      mime_type: DIRECTORY_MIME,
      media_type_description: DIRECTORY_MIME,
      size: 0,
      checksum: '',
      owner_id: directory.ownerId,
      description: directory.description ?? '',
      disk: null,
      upload_source: null,
      uses_uuid: null,
      uses_id: null,
      content_md5: null,
    });
  }

  /** A new current version; demoting its siblings is the caller's job (same transaction). */
  insertFileVersion(file: NewFileVersion): RowRecord {
    return this.insert({
      project_id: file.projectId,
      directory_id: file.directoryId,
      name: file.name,
      path: file.viaTus ? '' : null,
      path_key: null,
      mime_type: file.mimeType,
      media_type_description: 'unknown',
      size: file.size,
      checksum: file.checksum,
      owner_id: file.ownerId,
      description: file.description,
      disk: 'mcfs',
      upload_source: file.viaTus ? 'TUS' : 'api',
      uses_uuid: file.usesUuid,
      uses_id: file.usesId,
      content_md5: file.contentMd5 ?? null,
    });
  }

  setCurrent(id: number, current: boolean): void {
    this.setCurrentStmt.run(current ? 1 : 0, nowSeconds(), id);
  }

  softDelete(id: number): void {
    const now = nowSeconds();
    this.softDeleteStmt.run(now, now, id);
  }

  private insert(
    row: Omit<RowRecord, 'id' | 'uuid' | 'name_key' | 'current' | 'created_at' | 'updated_at' | 'deleted_at'>,
  ): RowRecord {
    assertStorable(row.name, row.path);
    const { lastInsertRowid } = this.insertStmt.run({
      ...row,
      uuid: randomUUID(),
      name_key: foldKey(row.name),
      now: nowSeconds(),
    });
    return this.byId(Number(lastInsertRowid))!;
  }
}

/** The MD5 naming a file row's blob, or null for directories and rows without content. */
export function blobKey(row: RowRecord): string | null {
  if (isDirectory(row)) return null;
  return row.content_md5 ?? (row.checksum === '' ? null : row.checksum);
}

/** The current version among a file's versions: the newest when races left several (Q10, Q22). */
export function newestCurrent(versions: readonly RowRecord[]): RowRecord | undefined {
  let found: RowRecord | undefined;
  for (const version of versions) if (version.current === 1) found = version;
  return found;
}

/**
 * A `LIKE` pattern folded as names are (case, accents, trailing spaces), keeping its wildcards and
 * escapes: only the literal text between them changes.
 */
function foldPattern(pattern: string): string {
  const folded = pattern.replace(/[^%_\\]+/g, (literal) => literal.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
  return folded.replace(/ +$/, '');
}
