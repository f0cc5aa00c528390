import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { foldName as foldKey } from '@mcsync/protocol';
import { slugify } from '../slug.js';
import { nowSeconds } from '../timestamps.js';

export interface ProjectRecord {
  id: number;
  uuid: string;
  name: string;
  name_key: string;
  description: string | null;
  summary: string | null;
  slug: string | null;
  owner_id: number;
  is_active: 0 | 1;
  created_at: number;
  updated_at: number;
  archived_at: number | null;
  deleted_at: number | null;
}

export type MemberRole = 'admin' | 'member';

export interface MembershipRecord {
  project_id: number;
  user_id: number;
  role: MemberRole;
}

export interface NewProject {
  name: string;
  description: string | null;
  summary: string | null;
  isActive: boolean;
  ownerId: number;
}

/** The `projects` and `project_members` tables. */
export class ProjectsRepo {
  private readonly insertStmt: Statement;
  private readonly addMemberStmt: Statement;
  private readonly byIdStmt: Statement<[number], ProjectRecord>;
  private readonly liveByOwnerNameStmt: Statement<[number, string], ProjectRecord>;
  private readonly listForMemberStmt: Statement<[number], ProjectRecord>;
  private readonly roleStmt: Statement<[number, number], { role: MemberRole }>;
  private readonly membersStmt: Statement<[string], MembershipRecord>;
  private readonly softDeleteStmt: Statement;

  constructor(db: Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO projects (uuid, name, name_key, description, summary, slug, owner_id, is_active, created_at, updated_at)
       VALUES (@uuid, @name, @name_key, @description, @summary, @slug, @owner_id, @is_active, @now, @now)`,
    );
    this.addMemberStmt = db.prepare(
      `INSERT INTO project_members (project_id, user_id, role) VALUES (?, ?, ?)
       ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM projects WHERE id = ?');
    this.liveByOwnerNameStmt = db.prepare(
      'SELECT * FROM projects WHERE owner_id = ? AND name_key = ? AND deleted_at IS NULL ORDER BY id LIMIT 1',
    );
    this.listForMemberStmt = db.prepare(
      `SELECT p.* FROM project_members m JOIN projects p ON p.id = m.project_id
       WHERE m.user_id = ? AND p.deleted_at IS NULL AND p.archived_at IS NULL
       ORDER BY p.name_key, p.id`,
    );
    this.roleStmt = db.prepare('SELECT role FROM project_members WHERE project_id = ? AND user_id = ?');
    this.membersStmt = db.prepare(
      `SELECT project_id, user_id, role FROM project_members
       WHERE project_id IN (SELECT value FROM json_each(?)) ORDER BY project_id, user_id`,
    );
    this.softDeleteStmt = db.prepare(
      `UPDATE projects SET name = uuid || '-' || name, name_key = @name_key, deleted_at = @now, updated_at = @now
       WHERE id = @id`,
    );
  }

  /** Inserts the project and makes its owner an admin; the caller adds the root directory. */
  insert(project: NewProject): ProjectRecord {
    const { lastInsertRowid } = this.insertStmt.run({
      uuid: randomUUID(),
      name: project.name,
      name_key: foldKey(project.name),
      description: project.description,
      summary: project.summary,
      slug: slugify(project.name) || null,
      owner_id: project.ownerId,
      is_active: project.isActive ? 1 : 0,
      now: nowSeconds(),
    });
    const id = Number(lastInsertRowid);
    this.addMember(id, project.ownerId, 'admin');
    return this.byId(id)!;
  }

  addMember(projectId: number, userId: number, role: MemberRole): void {
    this.addMemberStmt.run(projectId, userId, role);
  }

  byId(id: number): ProjectRecord | undefined {
    return this.byIdStmt.get(id);
  }

  liveByOwnerAndName(ownerId: number, name: string): ProjectRecord | undefined {
    return this.liveByOwnerNameStmt.get(ownerId, foldKey(name));
  }

  /** What `GET /projects` shows: the caller's projects minus deleted and archived ones, by name. */
  listForMember(userId: number): ProjectRecord[] {
    return this.listForMemberStmt.all(userId);
  }

  roleOf(projectId: number, userId: number): MemberRole | undefined {
    return this.roleStmt.get(projectId, userId)?.role;
  }

  memberships(projectIds: readonly number[]): MembershipRecord[] {
    return projectIds.length === 0 ? [] : this.membersStmt.all(JSON.stringify(projectIds));
  }

  /** Production keeps deleted projects, renamed `<uuid>-<name>` (mc-api.md §2.3). */
  softDelete(project: ProjectRecord): void {
    this.softDeleteStmt.run({
      id: project.id,
      name_key: foldKey(`${project.uuid}-${project.name}`),
      now: nowSeconds(),
    });
  }
}
