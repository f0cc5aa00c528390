import type { Database, Statement } from 'better-sqlite3';
import { foldName as foldKey } from '@mcsync/protocol';
import { childPath } from '../child-path.js';
import { DIRECTORY_MIME } from './rows.js';

/** One current live entry reached from a directory, with its full project path. */
export interface TreeNode {
  id: number;
  kind: 'file' | 'directory';
  name: string;
  path: string;
  size: number;
  checksum: string;
  created_at: number;
  updated_at: number;
}

/** A child as the walk reads it: a raw row, in COLUMNS order (arrays cost half of objects per row). */
type ChildRow = [id: number, name: string, nameKey: string, mimeType: string, size: number, checksum: string, createdAt: number, updatedAt: number];

interface Frame {
  id: number;
  path: string;
  key: string;
  lastId: number;
}

const COLUMNS = 'id, name, name_key, mime_type, size, checksum, created_at, updated_at';
const [ID, NAME, NAME_KEY, MIME_TYPE, SIZE, CHECKSUM, CREATED_AT, UPDATED_AT] = [0, 1, 2, 3, 4, 5, 6, 7] as const;
const PAGE = 512;
// Deeper than any path production can store (700 characters): only a cycle gets here.
const MAX_DEPTH = 1000;

/**
 * Walks the tree below a directory depth-first, children in (fold key, id) order, so each directory
 * comes right before its own subtree. Only rows reachable through live parents are seen: the children
 * of a deleted directory (mc-api.md §5.8) are not. Memory stays flat whatever the size: each level
 * holds a resume key and pages of at most 512 rows are read with keyset pagination (no statement is
 * left open between pages, so the caller may use the connection in between).
 */
export class TreeWalker {
  private readonly pageStmt: Statement<[number, number, string, number, number], ChildRow>;
  private readonly childDirectoryStmt: Statement<[number, number, string], ChildRow>;
  private readonly rootStmt: Statement<[number], ChildRow>;

  constructor(
    db: Database,
    private readonly projectId: number,
  ) {
    this.pageStmt = db.prepare(
      `SELECT ${COLUMNS} FROM files
       WHERE project_id = ? AND directory_id = ? AND current = 1 AND deleted_at IS NULL AND (name_key, id) > (?, ?)
       ORDER BY name_key, id LIMIT ?`,
    ).raw(true) as unknown as Statement<[number, number, string, number, number], ChildRow>;
    this.childDirectoryStmt = db.prepare(
      `SELECT ${COLUMNS} FROM files
       WHERE project_id = ? AND directory_id = ? AND name_key = ? AND current = 1 AND deleted_at IS NULL
         AND mime_type = '${DIRECTORY_MIME}'
       ORDER BY id LIMIT 1`,
    ).raw(true) as unknown as Statement<[number, number, string], ChildRow>;
    this.rootStmt = db.prepare(
      `SELECT ${COLUMNS} FROM files
       WHERE project_id = ? AND path_key = '/' AND mime_type = '${DIRECTORY_MIME}' AND deleted_at IS NULL`,
    ).raw(true) as unknown as Statement<[number], ChildRow>;
  }

  /** The project's root directory, listed as `/`. */
  root(): TreeNode | null {
    const row = this.rootStmt.get(this.projectId);
    return row ? node(row, '/') : null;
  }

  /**
   * The live directory at `path`, reached by name from `root` (fold-key matches; empty segments, as
   * in `//` or a trailing `/`, are skipped), with its path spelled as stored; null when there is none.
   */
  directoryAt(root: TreeNode, path: string): TreeNode | null {
    let directory = root;
    for (const name of path.split('/')) {
      if (name === '') continue;
      const child = this.childDirectoryStmt.get(this.projectId, directory.id, foldKey(name));
      if (!child) return null;
      directory = node(child, childPath(directory.path, child[NAME]));
    }
    return directory;
  }

  /** Every entry below `start` (not `start` itself), in path order. */
  *below(start: Pick<TreeNode, 'id' | 'path'>): Generator<TreeNode> {
    const stack: Frame[] = [{ id: start.id, path: start.path, key: '', lastId: 0 }];
    while (stack.length > 0) {
      const frame = stack.at(-1)!;
      const rows = this.pageStmt.all(this.projectId, frame.id, frame.key, frame.lastId, PAGE);
      let descended = false;
      for (const row of rows) {
        frame.key = row[NAME_KEY];
        frame.lastId = row[ID];
        const path = childPath(frame.path, row[NAME]);
        yield node(row, path);
        if (row[MIME_TYPE] === DIRECTORY_MIME) {
          if (stack.length >= MAX_DEPTH) throw new Error(`directory ${row[ID]} is nested ${MAX_DEPTH} levels deep: a cycle?`);
          stack.push({ id: row[ID], path, key: '', lastId: 0 });
          descended = true;
          break;
        }
      }
      if (!descended && rows.length < PAGE) stack.pop();
    }
  }
}

function node(row: ChildRow, path: string): TreeNode {
  return {
    id: row[ID],
    kind: row[MIME_TYPE] === DIRECTORY_MIME ? 'directory' : 'file',
    name: row[NAME],
    path,
    size: row[SIZE],
    checksum: row[CHECKSUM],
    created_at: row[CREATED_AT],
    updated_at: row[UPDATED_AT],
  };
}
