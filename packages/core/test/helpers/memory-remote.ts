import { createHash } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import {
  type Capabilities,
  type DownloadItem,
  type DownloadResult,
  McError,
  type MkdirResult,
  type ProjectPath,
  type RemoteEntry,
  type RemoteProject,
  newTempName,
  type TransferOptions,
  type UploadItem,
  type UploadResult,
  isUnder,
  ancestorsOf,
} from '../../src';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * A RemoteProject held in memory, with the server's versioning rule (same bytes → same row) and
 * knobs to make chosen paths fail. Content is kept per row id.
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
  private nextId = 100;
  private requests = 0;

  /** Puts a file on the "server" directly. */
  put(path: ProjectPath, content: string | Buffer): RemoteEntry {
    for (const dir of ancestorsOf(path)) this.mkdir(dir);
    const bytes = Buffer.from(content);
    const sum = md5(bytes);
    const existing = this.entries.get(path);
    if (existing && existing.md5 === sum) return existing;
    const entry: RemoteEntry = { path, kind: 'file', id: this.nextId++, size: bytes.length, md5: sum };
    this.entries.set(path, entry);
    this.blobs.set(entry.id, bytes);
    return entry;
  }

  mkdir(path: ProjectPath): RemoteEntry {
    const existing = this.entries.get(path);
    if (existing) return existing;
    for (const dir of ancestorsOf(path)) if (!this.entries.has(dir)) this.mkdir(dir);
    const entry: RemoteEntry = { path, kind: 'directory', id: this.nextId++, size: 0, md5: null };
    this.entries.set(path, entry);
    return entry;
  }

  content(path: ProjectPath): string | undefined {
    const e = this.entries.get(path);
    return e ? this.blobs.get(e.id)?.toString() : undefined;
  }

  async capabilities(): Promise<Capabilities> {
    return { profile: 'stock', features: new Set(), limits: {} };
  }

  async snapshot(prefixes: readonly ProjectPath[] = ['']): Promise<RemoteEntry[]> {
    this.requests++;
    return [...this.entries.values()].filter((e) => prefixes.some((p) => isUnder(e.path, p))).map((e) => ({ ...e }));
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
      const tempPath = join(dirname(item.localPath), newTempName());
      await new Promise<void>((resolve, reject) => createWriteStream(tempPath).on('error', reject).end(bytes, resolve));
      this.downloads.push(item.path);
      yield { ok: true, path: item.path, bytes: bytes.length, tempPath, md5: md5(bytes), verified: 'md5' };
    }
  }

  requestCount(): number {
    return this.requests;
  }
}
