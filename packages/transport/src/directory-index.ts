import { foldPath, fromRemotePath, McError, type ProjectPath } from '@mcsync/core';
import { isDirectoryRow } from '@mcsync/protocol';
import { createDirectoryByPath } from './endpoints/directories';
import { fileByPath } from './endpoints/files';
import type { HttpClient } from './http-client';


interface Known {
  id: number;
  /** As the server spells it. */
  path: ProjectPath;
}

/**
 * Directory path → id for one project, filled by snapshots and by-path creations, so uploads find
 * their target directory without asking. Keys are fold keys, as the server compares paths.
 */
export class DirectoryIndex {
  readonly #known = new Map<string, Known>();
  readonly #pending = new Map<string, Promise<Known>>();
  readonly #client: HttpClient;
  readonly #projectId: number;

  constructor(client: HttpClient, projectId: number) {
    this.#client = client;
    this.#projectId = projectId;
  }

  get(path: ProjectPath): Known | undefined {
    return this.#known.get(foldPath(path));
  }

  set(path: ProjectPath, id: number): void {
    this.#known.set(foldPath(path), { id, path });
  }

  /** Forgets a directory that was deleted. */
  forget(path: ProjectPath): void {
    this.#known.delete(foldPath(path));
  }

  /** Forgets everything (a new snapshot replaces the picture). */
  clear(): void {
    this.#known.clear();
  }

  /**
   * The id of the directory at `path`, creating it and its missing parents when unknown
   * (`POST /directories/by-path`; the root through `POST /files/by_path`). Concurrent callers for
   * one path share one request.
   */
  async ensure(path: ProjectPath, signal?: AbortSignal): Promise<Known> {
    const key = foldPath(path);
    const known = this.#known.get(key);
    if (known) return known;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#create(path, signal).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #create(path: ProjectPath, signal?: AbortSignal): Promise<Known> {
    const opts = signal ? { signal } : {};
    const row =
      path === ''
        ? await fileByPath(this.#client, this.#projectId, '', opts)
        : await createDirectoryByPath(this.#client, this.#projectId, path, opts);
    if (!isDirectoryRow(row)) {
      throw new McError('REJECTED', `cannot create directory ${path}: a file of that name exists on the server`);
    }
    const stored = row.path ? fromRemotePath(row.path) : path;
    const known = { id: row.id, path: stored };
    this.#known.set(foldPath(path), known);
    if (foldPath(stored) !== foldPath(path)) this.#known.set(foldPath(stored), known);
    return known;
  }
}
