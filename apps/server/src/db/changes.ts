import type { Database, Statement } from 'better-sqlite3';

export type ChangeOp = 'create' | 'version' | 'delete' | 'move';
export type ChangeKind = 'file' | 'directory';

/** A change as the mutation knows it; `seq` and `at` are added when it is recorded. */
export interface NewChange {
  op: ChangeOp;
  kind: ChangeKind;
  rowId: number;
  /** Full project path (`/a/b.txt`). */
  path: string;
  oldPath?: string;
  size?: number;
  checksum?: string;
}

export interface ChangeRecord {
  project_id: number;
  seq: number;
  op: ChangeOp;
  kind: ChangeKind;
  row_id: number;
  path: string;
  old_path: string | null;
  size: number | null;
  checksum: string | null;
  at: number;
}

/** Where a project's feed stands: the last seq written and the last one dropped by retention. */
export interface FeedPosition {
  head: number;
  pruned: number;
}

/** Default number of changes kept per project. */
export const DEFAULT_CHANGES_RETENTION = 1_000_000;

/**
 * The `changes` table: one gap-free sequence per project (`projects.change_seq`). `record` must run
 * inside the transaction of the mutation it describes, so the feed never shows a change that did not
 * happen or misses one that did. Retention keeps the last `retention` changes of each project.
 */
export class ChangesRepo {
  private readonly advanceStmt: Statement<[number], { change_seq: number; changes_pruned: number }>;
  private readonly insertStmt: Statement;
  private readonly pruneStmt: Statement;
  private readonly setPrunedStmt: Statement;
  private readonly positionStmt: Statement<[number], FeedPosition>;
  private readonly sinceStmt: Statement<[number, number, number], ChangeRecord>;

  constructor(
    db: Database,
    private readonly retention: number = DEFAULT_CHANGES_RETENTION,
  ) {
    if (!Number.isSafeInteger(retention) || retention < 1) throw new RangeError(`changes retention must be a positive integer, not ${retention}`);
    this.advanceStmt = db.prepare(
      'UPDATE projects SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq, changes_pruned',
    );
    this.insertStmt = db.prepare(
      `INSERT INTO changes (project_id, seq, op, kind, row_id, path, old_path, size, checksum, at)
       VALUES (@project_id, @seq, @op, @kind, @row_id, @path, @old_path, @size, @checksum, @at)`,
    );
    this.pruneStmt = db.prepare('DELETE FROM changes WHERE project_id = ? AND seq <= ?');
    this.setPrunedStmt = db.prepare('UPDATE projects SET changes_pruned = ? WHERE id = ?');
    this.positionStmt = db.prepare('SELECT change_seq AS head, changes_pruned AS pruned FROM projects WHERE id = ?');
    this.sinceStmt = db.prepare('SELECT * FROM changes WHERE project_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  }

  /** Appends a change to the project's feed. Call inside the mutation's transaction. */
  record(projectId: number, change: NewChange): number {
    const position = this.advanceStmt.get(projectId);
    if (!position) throw new Error(`no project ${projectId} to record a change for`);
    const seq = position.change_seq;
    this.insertStmt.run({
      project_id: projectId,
      seq,
      op: change.op,
      kind: change.kind,
      row_id: change.rowId,
      path: change.path,
      old_path: change.oldPath ?? null,
      size: change.size ?? null,
      checksum: change.checksum ?? null,
      at: Date.now(),
    });
    const keepFrom = seq - this.retention;
    if (keepFrom > position.changes_pruned) {
      this.pruneStmt.run(projectId, keepFrom);
      this.setPrunedStmt.run(keepFrom, projectId);
    }
    return seq;
  }

  position(projectId: number): FeedPosition {
    return this.positionStmt.get(projectId) ?? { head: 0, pruned: 0 };
  }

  /** Up to `limit` changes after `cursor`, oldest first. */
  since(projectId: number, cursor: number, limit: number): ChangeRecord[] {
    return this.sinceStmt.all(projectId, cursor, limit);
  }
}
