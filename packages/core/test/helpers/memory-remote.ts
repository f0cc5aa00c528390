import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type Capabilities,
  type DownloadItem,
  type DownloadResult,
  McError,
  type MkdirResult,
  type ProjectPath,
  type RemoteChange,
  type RemoteChanges,
  type RemoteEntry,
  type RemoteProject,
  type RemoteSnapshot,
  type RemoveItem,
  type RemoveResult,
  type TransferOptions,
  type UploadItem,
  type UploadResult,
  ancestorsOf,
  isUnder,
  newTempName,
  resumableTempName,
} from '../../src';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * A RemoteProject held in memory, with the server's versioning rule (same bytes → same row), an
 * optional change feed (`enhanced`), preconditions, and knobs to make chosen paths fail. Content
 * is kept per row id.
 */
export class MemoryRemote implements RemoteProject {
  readonly projectId = 1;
  entries = new Map<ProjectPath, RemoteEntry>();
  blobs = new Map<number, Buffer>();
  failUpload = new Set<ProjectPath>();
  failDownload = new Set<ProjectPath>();
  /** Called before each transfer; lets a test act in the middle of a run. */
  beforeTransfer: ((path: ProjectPath) => void) | undefined;
  uploads: ProjectPath[] = [];
  downloads: ProjectPath[] = [];
  removed: ProjectPath[] = [];
  /** Feed log; `expireBefore` makes older cursors answer "expired". */
  log: RemoteChange[] = [];
  expireBefore = 0;
  /** Changes per page of the feed (each page is one request). */
  changesPageSize = 10;
  changesCalls = 0;
  snapshotCalls = 0;
  private nextId = 100;
  private requests = 0;

  /** `enhanced`: a change feed and preconditions. */
  constructor(readonly enhanced = false) {}

  private record(change: Omit<RemoteChange, 'seq' | 'at'>): void {
    this.log.push({ ...change, seq: this.log.length + 1, at: Date.now() });
  }

  /** Puts a file on the "server" directly (as a collaborator would). */
  put(path: ProjectPath, content: string | Buffer): RemoteEntry {
    for (const dir of ancestorsOf(path)) this.mkdir(dir);
    const bytes = Buffer.from(content);
    const sum = md5(bytes);
    const existing = this.entries.get(path);
    if (existing && existing.md5 === sum) return existing;
    const entry: RemoteEntry = { path, kind: 'file', id: this.nextId++, size: bytes.length, md5: sum };
    this.entries.set(path, entry);
    this.blobs.set(entry.id, bytes);
    this.record({ op: existing ? 'version' : 'create', kind: 'file', id: entry.id, path, size: entry.size, md5: sum });
    return entry;
  }

  mkdir(path: ProjectPath): RemoteEntry {
    const existing = this.entries.get(path);
    if (existing) return existing;
    for (const dir of ancestorsOf(path)) if (!this.entries.has(dir)) this.mkdir(dir);
    const entry: RemoteEntry = { path, kind: 'directory', id: this.nextId++, size: 0, md5: null };
    this.entries.set(path, entry);
    this.record({ op: 'create', kind: 'directory', id: entry.id, path });
    return entry;
  }

  /** Deletes a file or a folder with its subtree (as a collaborator would). */
  delete(path: ProjectPath): void {
    const entry = this.entries.get(path);
    if (!entry) return;
    for (const p of [...this.entries.keys()]) if (isUnder(p, path)) this.entries.delete(p);
    this.record({ op: 'delete', kind: entry.kind, id: entry.id, path });
  }

  /** Renames or moves a file or a folder with its subtree (as a collaborator would). */
  move(from: ProjectPath, to: ProjectPath): void {
    const entry = this.entries.get(from)!;
    for (const dir of ancestorsOf(to)) this.mkdir(dir);
    for (const [p, e] of [...this.entries]) {
      if (!isUnder(p, from)) continue;
      this.entries.delete(p);
      const moved = to + p.slice(from.length);
      this.entries.set(moved, { ...e, path: moved });
    }
    this.record({ op: 'move', kind: entry.kind, id: entry.id, path: to, oldPath: from, size: entry.size, md5: entry.md5 });
  }

  content(path: ProjectPath): string | undefined {
    const e = this.entries.get(path);
    return e ? this.blobs.get(e.id)?.toString() : undefined;
  }

  async capabilities(): Promise<Capabilities> {
    return this.enhanced
      ? { profile: 'enhanced', features: new Set(['tree', 'changes', 'preconditions']), limits: {} }
      : { profile: 'stock', features: new Set(), limits: {} };
  }

  async snapshot(prefixes: readonly ProjectPath[] = ['']): Promise<RemoteSnapshot> {
    this.requests++;
    this.snapshotCalls++;
    const entries = [...this.entries.values()].filter((e) => prefixes.some((p) => isUnder(e.path, p))).map((e) => ({ ...e }));
    return { entries, cursor: this.enhanced ? String(this.log.length) : null };
  }

  async changesSince(cursor: string): Promise<RemoteChanges | null> {
    if (!this.enhanced) return null;
    this.changesCalls++;
    const from = Number(cursor);
    if (from < this.expireBefore) {
      this.requests++;
      return { expired: true };
    }
    const changes = this.log.slice(from).map((c) => ({ ...c }));
    this.requests += Math.max(1, Math.ceil(changes.length / this.changesPageSize)); // one request per page
    return { expired: false, changes, cursor: String(this.log.length) };
  }

  async *mkdirs(paths: readonly ProjectPath[]): AsyncIterable<MkdirResult> {
    for (const path of paths) {
      this.requests++;
      yield { ok: true, path, remote: this.mkdir(path) };
    }
  }

  async *upload(items: readonly UploadItem[], opts: TransferOptions = {}): AsyncIterable<UploadResult> {
    for (const item of items) {
      if (opts.signal?.aborted) return;
      this.requests++;
      this.beforeTransfer?.(item.path);
      if (this.failUpload.has(item.path)) {
        yield { ok: false, path: item.path, error: new McError('SERVER', 'injected failure') };
        continue;
      }
      if (this.enhanced && item.ifCurrentId !== undefined && (this.entries.get(item.path)?.id ?? 0) !== item.ifCurrentId) {
        yield { ok: false, path: item.path, error: new McError('CONFLICT', 'the remote file changed meanwhile') };
        continue;
      }
      const bytes = readFileSync(item.localPath);
      this.uploads.push(item.path);
      const remote = this.put(item.path, bytes);
      yield { ok: true, path: item.path, bytes: bytes.length, remote, md5: md5(bytes), verified: 'md5', mtimeNs: item.mtimeNs, ino: item.ino };
    }
  }

  async *download(items: readonly DownloadItem[], opts: TransferOptions = {}): AsyncIterable<DownloadResult> {
    for (const item of items) {
      if (opts.signal?.aborted) return;
      this.requests++;
      this.beforeTransfer?.(item.path);
      if (this.failDownload.has(item.path)) {
        yield { ok: false, path: item.path, error: new McError('SERVER', 'injected failure') };
        continue;
      }
      const bytes = this.blobs.get(item.remote.id)!;
      mkdirSync(dirname(item.localPath), { recursive: true });
      // Like transport's large-file path: a partial under the resumable name is continued, not sent again.
      const partial = join(dirname(item.localPath), resumableTempName(item.remote.path, item.remote));
      const prefix = existsSync(partial) ? readFileSync(partial) : null;
      const resumed = prefix && bytes.subarray(0, prefix.length).equals(prefix) ? prefix.length : 0;
      const tempPath = prefix ? partial : join(dirname(item.localPath), newTempName());
      await new Promise<void>((resolve, reject) => createWriteStream(tempPath).on('error', reject).end(bytes, resolve));
      this.downloads.push(item.path);
      const sent = resumed ? { sent: bytes.length - resumed } : {};
      yield { ok: true, path: item.path, bytes: bytes.length, tempPath, md5: md5(bytes), verified: 'md5', ...sent };
    }
  }

  async *remove(items: readonly RemoveItem[]): AsyncIterable<RemoveResult> {
    for (const item of items) {
      this.requests++;
      const current = this.entries.get(item.path);
      if (this.enhanced && current && current.kind === 'file' && current.id !== item.remote.id) {
        yield { ok: false, path: item.path, error: new McError('CONFLICT', 'the remote file changed meanwhile') };
        continue;
      }
      this.removed.push(item.path);
      this.delete(item.path);
      yield { ok: true, path: item.path };
    }
  }

  requestCount(): number {
    return this.requests;
  }
}
