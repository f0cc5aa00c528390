import type { Database, Statement } from 'better-sqlite3';

/**
 * Where a finished tus upload goes, as checked at creation: the directory by id or by path (created
 * at completion, owned by the uploader), the file name, and the enhanced profile's precondition.
 */
export interface TusTarget {
  directoryId?: number;
  directoryPath?: string;
  filename: string;
  ifCurrentId?: number;
}

/** receiving: bytes still expected; completing: stock's background job owes the row; done: enhanced's record of the result. */
export type TusState = 'receiving' | 'completing' | 'done';

export interface TusUpload {
  id: string;
  ownerId: number;
  projectId: number;
  /** null while the length is deferred. */
  length: number | null;
  /** The tus offset: bytes received and kept. */
  offset: number;
  metadata: string;
  target: TusTarget;
  state: TusState;
  fileId: number | null;
  fileChecksum: string | null;
  createdAt: number;
  expiresAt: number;
}

interface TusUploadRow {
  id: string;
  owner_id: number;
  project_id: number;
  length: number | null;
  received: number;
  metadata: string;
  target: string;
  state: TusState;
  file_id: number | null;
  file_checksum: string | null;
  created_at: number;
  expires_at: number;
}

export interface NewTusUpload {
  id: string;
  ownerId: number;
  projectId: number;
  length: number | null;
  metadata: string;
  target: TusTarget;
  createdAt: number;
  expiresAt: number;
}

/** The `tus_uploads` table: one row per upload URL (times in milliseconds). */
export class TusUploadsRepo {
  private readonly insertStmt: Statement;
  private readonly byIdStmt: Statement<[string], TusUploadRow>;
  private readonly setOffsetStmt: Statement;
  private readonly setLengthStmt: Statement;
  private readonly setCompletingStmt: Statement;
  private readonly setDoneStmt: Statement;
  private readonly removeStmt: Statement;
  private readonly expiredStmt: Statement<[number], TusUploadRow>;
  private readonly allStmt: Statement<[], TusUploadRow>;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO tus_uploads (id, owner_id, project_id, length, received, metadata, target, state, created_at, expires_at)
       VALUES (@id, @owner_id, @project_id, @length, 0, @metadata, @target, 'receiving', @created_at, @expires_at)`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM tus_uploads WHERE id = ?');
    this.setOffsetStmt = db.prepare('UPDATE tus_uploads SET received = ?, expires_at = ? WHERE id = ?');
    this.setLengthStmt = db.prepare('UPDATE tus_uploads SET length = ? WHERE id = ?');
    this.setCompletingStmt = db.prepare("UPDATE tus_uploads SET state = 'completing' WHERE id = ?");
    this.setDoneStmt = db.prepare(
      "UPDATE tus_uploads SET state = 'done', file_id = ?, file_checksum = ?, expires_at = ? WHERE id = ?",
    );
    this.removeStmt = db.prepare('DELETE FROM tus_uploads WHERE id = ?');
    this.expiredStmt = db.prepare('SELECT * FROM tus_uploads WHERE expires_at <= ?');
    this.allStmt = db.prepare('SELECT * FROM tus_uploads');
  }

  insert(upload: NewTusUpload): void {
    this.insertStmt.run({
      id: upload.id,
      owner_id: upload.ownerId,
      project_id: upload.projectId,
      length: upload.length,
      metadata: upload.metadata,
      target: JSON.stringify(upload.target),
      created_at: upload.createdAt,
      expires_at: upload.expiresAt,
    });
  }

  byId(id: string): TusUpload | undefined {
    const row = this.byIdStmt.get(id);
    return row && fromRow(row);
  }

  setOffset(id: string, offset: number, expiresAt: number): void {
    this.setOffsetStmt.run(offset, expiresAt, id);
  }

  setLength(id: string, length: number): void {
    this.setLengthStmt.run(length, id);
  }

  setCompleting(id: string): void {
    this.setCompletingStmt.run(id);
  }

  setDone(id: string, fileId: number, fileChecksum: string, keepUntil: number): void {
    this.setDoneStmt.run(fileId, fileChecksum, keepUntil, id);
  }

  remove(id: string): void {
    this.removeStmt.run(id);
  }

  /** Uploads (and done records) whose time is up at `now`. */
  expired(now: number): TusUpload[] {
    return this.expiredStmt.all(now).map(fromRow);
  }

  all(): TusUpload[] {
    return this.allStmt.all().map(fromRow);
  }
}

function fromRow(row: TusUploadRow): TusUpload {
  return {
    id: row.id,
    ownerId: row.owner_id,
    projectId: row.project_id,
    length: row.length,
    offset: row.received,
    metadata: row.metadata,
    target: JSON.parse(row.target) as TusTarget,
    state: row.state,
    fileId: row.file_id,
    fileChecksum: row.file_checksum,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
