import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { StagedBlob } from '../blobs.js';
import type { ServerContext } from '../context.js';
import type { TusUpload } from '../db/tus-uploads.js';
import type { UserRecord } from '../db/users.js';
import { ensureDirectoryPath } from '../directory-paths.js';
import { NoSuchFile } from '../errors.js';
import type { BodyFaults } from '../faults/fault-plan.js';
import { recordUpload, type RecordedUpload } from '../record-upload.js';
import { sniffMime, SNIFF_BYTES } from '../sniff-mime.js';
import { isUploadId, PartialFiles } from './partial-files.js';
import { receiveChunk } from './receive-chunk.js';
import { checkTarget } from './tus-target.js';
import { checksumMismatch, chunkTooLarge, noSuchProject, sizeExceeded, TusError, uploadLocked, uploadNotFound } from './tus-errors.js';
import { TUS_OFFSET_SAVE_BYTES, TUS_RESULT_RETENTION_MS, TUS_SWEEP_INTERVAL_MS, TUS_UPLOAD_EXPIRY_MS } from './tus-protocol.js';
import type { UploadChecksum } from './upload-checksum.js';

export interface TusServiceOptions {
  /**
   * Stock profile: how long after the completing response the row is created (default 0: the next
   * turn of the event loop). Tests raise it to watch the window in which the row does not exist yet.
   */
  stockCompletionDelayMs?: number;
}

export interface ChunkInput {
  source: IncomingMessage;
  checksum: UploadChecksum | undefined;
  declaredLength: number | undefined;
  faults: BodyFaults;
}

/** The result an enhanced completion reports (`MC-File-Id`, `MC-File-Checksum`). */
export interface CompletedFile {
  fileId: number;
  checksum: string;
}

/**
 * The state machine of tus uploads, apart from HTTP: creation, chunks, completion per profile,
 * termination, expiry, and recovery after a restart. The database row is the truth (offset, state);
 * the partial file holds the bytes; a running MD5 is kept in memory only as a shortcut (a hash state
 * cannot be saved, so after a restart the MD5 is computed from the partial file at completion).
 */
export class TusService {
  readonly partials: PartialFiles;
  /** Uploads a request is working on: one at a time each (423 for the next). */
  private readonly locks = new Set<string>();
  private readonly md5s = new Map<string, { offset: number; hash: Hash }>();
  /** Stock completions run one after another, in the order their responses went out. */
  private completions: Promise<void> = Promise.resolve();
  private pendingCompletions = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ServerContext,
    dataDir: string,
    private readonly options: TusServiceOptions = {},
  ) {
    this.partials = new PartialFiles(dataDir);
  }

  /** Brings uploads and partial files back in line after a stop or a crash, then sweeps; starts the sweeper. */
  async init(): Promise<void> {
    await this.partials.init();
    const { tusUploads } = this.ctx.store;
    for (const upload of tusUploads.all()) {
      if (upload.state === 'done') continue;
      const size = await this.partials.size(upload.id);
      if (size === null) {
        tusUploads.remove(upload.id);
      } else if (upload.state === 'completing') {
        this.completeLater(upload);
      } else if (size > upload.offset) {
        // Bytes written but never recorded (a crash mid-PATCH): the recorded offset is what the client was told.
        await this.partials.truncate(upload.id, upload.offset);
      } else if (size < upload.offset) {
        tusUploads.setOffset(upload.id, size, upload.expiresAt);
      }
    }
    for (const id of await this.partials.ids()) {
      const upload = tusUploads.byId(id);
      if (!upload || upload.state === 'done') await this.partials.remove(id);
    }
    await this.sweep();
    this.sweeper = setInterval(() => void this.sweep().catch((error) => this.report('sweep', error)), TUS_SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Stops the sweeper and waits for stock completions still owed. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    while (this.pendingCompletions > 0) await this.completions;
  }

  async create(user: UserRecord, length: number | null, metadataHeader: string, metadata: ReadonlyMap<string, string>): Promise<TusUpload> {
    const { project, target } = checkTarget(this.ctx.store, user, this.ctx.profile, metadata);
    const id = randomBytes(16).toString('hex');
    const now = Date.now();
    await this.partials.create(id);
    const upload = {
      id,
      ownerId: user.id,
      projectId: project.id,
      length,
      metadata: metadataHeader,
      target,
      createdAt: now,
      expiresAt: now + TUS_UPLOAD_EXPIRY_MS,
    };
    this.ctx.store.tusUploads.insert(upload);
    this.md5s.set(id, { offset: 0, hash: createHash('md5') });
    return { ...upload, offset: 0, state: 'receiving', fileId: null, fileChecksum: null };
  }

  /**
   * The caller's upload: unknown, someone else's, in a project the caller left, expired, or (stock)
   * completed → 404, as production says for completed uploads (§4.4).
   */
  uploadOf(user: UserRecord, id: string): TusUpload {
    const upload = isUploadId(id) ? this.ctx.store.tusUploads.byId(id) : undefined;
    if (!upload || upload.ownerId !== user.id || !this.ctx.store.projects.roleOf(upload.projectId, user.id)) throw uploadNotFound();
    if (upload.state === 'completing') throw uploadNotFound();
    if (upload.state === 'done' && this.ctx.profile !== 'enhanced') throw uploadNotFound();
    if (upload.expiresAt <= Date.now() && !this.locks.has(id)) throw uploadNotFound();
    return upload;
  }

  /** Takes the upload's lock; the returned function releases it. */
  lock(id: string): () => void {
    if (this.locks.has(id)) throw uploadLocked();
    this.locks.add(id);
    return () => this.locks.delete(id);
  }

  setLength(upload: TusUpload, length: number): TusUpload {
    this.ctx.store.tusUploads.setLength(upload.id, length);
    return { ...upload, length };
  }

  /**
   * Receives one chunk at the upload's offset (the caller holds the lock and has checked the
   * offset). Returns the upload with its new offset, or throws the chunk's refusal (460, 413) after
   * putting the partial file back as it was.
   */
  async receive(upload: TusUpload, input: ChunkInput, chunkLimit: number): Promise<TusUpload> {
    const { id, offset } = upload;
    const known = this.md5s.get(id);
    let saved = offset;
    const receiving = receiveChunk({
      source: input.source,
      path: this.partials.pathOf(id),
      offset,
      room: upload.length === null ? Infinity : upload.length - offset,
      chunkLimit,
      declaredLength: input.declaredLength,
      checksum: input.checksum,
      runningMd5: known?.offset === offset ? known.hash : undefined,
      faults: input.faults,
      onProgress: (written) => {
        if (offset + written - saved < TUS_OFFSET_SAVE_BYTES) return;
        saved = offset + written;
        this.saveOffset(id, saved);
      },
    });
    // A write that failed (a full disk) keeps only what the saved offset covers.
    const result = await receiving.catch(async (error: unknown) => {
      await this.partials.truncate(id, saved).catch(() => undefined);
      throw error;
    });
    if (result.outcome === 'discarded') {
      await this.partials.truncate(id, offset);
      if (saved !== offset) this.saveOffset(id, offset);
      switch (result.reason) {
        case 'checksum':
          throw checksumMismatch();
        case 'chunk-too-large':
          throw chunkTooLarge(chunkLimit);
        case 'exceeds-length':
          throw sizeExceeded();
        case 'dropped':
          return upload;
      }
    }
    const newOffset = offset + result.kept;
    const expiresAt = this.saveOffset(id, newOffset);
    if (result.runningMd5) this.md5s.set(id, { offset: newOffset, hash: result.runningMd5 });
    else this.md5s.delete(id);
    return { ...upload, offset: newOffset, expiresAt };
  }

  /**
   * Enhanced completion (sync-api.md): the row exists before this resolves; the upload is kept as
   * `done` so HEAD can report the file for TUS_RESULT_RETENTION_MS. Any refusal (a stale
   * `if_current_id`: 409) drops the upload with nothing stored.
   */
  async completeNow(upload: TusUpload): Promise<CompletedFile> {
    try {
      const { row } = await this.recordFile(upload);
      this.ctx.store.tusUploads.setDone(upload.id, row.id, row.checksum, Date.now() + TUS_RESULT_RETENTION_MS);
      return { fileId: row.id, checksum: row.checksum };
    } catch (error) {
      this.ctx.store.tusUploads.remove(upload.id);
      throw error;
    } finally {
      this.md5s.delete(upload.id);
      await this.partials.remove(upload.id);
    }
  }

  /** Stock completion, first half: from now on HEAD says 404; the row comes later (completeLater). */
  markCompleting(upload: TusUpload): void {
    this.ctx.store.tusUploads.setCompleting(upload.id);
    this.pendingCompletions++;
  }

  /**
   * Stock completion, second half (mc-api.md §4.4): runs after the response went out, creates the
   * row (`checksum ""`) and removes the upload. A failure is only logged: production drops such
   * uploads silently, and the client finds out by polling.
   */
  completeLater(upload: TusUpload, counted = false): void {
    if (!counted) this.pendingCompletions++;
    const delay = this.options.stockCompletionDelayMs ?? 0;
    this.completions = this.completions
      .then(() => new Promise<void>((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve))))
      .then(() => this.recordFile(upload))
      .then(
        () => undefined,
        (error: unknown) => this.report(`completion of upload ${upload.id}`, error),
      )
      .finally(async () => {
        this.pendingCompletions--;
        this.md5s.delete(upload.id);
        if (this.ctx.store.db.open) this.ctx.store.tusUploads.remove(upload.id);
        await this.partials.remove(upload.id);
      });
  }

  /** Termination: the upload and its bytes are gone (the caller holds the lock). */
  async terminate(upload: TusUpload): Promise<void> {
    this.ctx.store.tusUploads.remove(upload.id);
    this.md5s.delete(upload.id);
    await this.partials.remove(upload.id);
  }

  /** Drops unfinished uploads past their expiry and finished ones past their retention. */
  async sweep(now = Date.now()): Promise<void> {
    for (const upload of this.ctx.store.tusUploads.expired(now)) {
      if (this.locks.has(upload.id) || upload.state === 'completing') continue;
      await this.terminate(upload);
    }
  }

  /** The file row for a fully received upload, by the same rules as every other upload (§4.4 steps 3–5). */
  private async recordFile(upload: TusUpload): Promise<RecordedUpload> {
    const { store, blobs, profile } = this.ctx;
    const size = upload.length!;
    const known = this.md5s.get(upload.id);
    const md5 = known?.offset === size ? known.hash.digest('hex') : await this.partials.md5(upload.id, size);
    this.md5s.delete(upload.id);
    // An empty tus upload is `text/plain` on production (mc-api.md §5.12), unlike an empty HTTP upload.
    const mimeType = size === 0 ? 'text/plain' : sniffMime(await this.partials.head(upload.id, SNIFF_BYTES), size);

    const project = store.projects.byId(upload.projectId);
    if (!project || !store.projects.roleOf(project.id, upload.ownerId)) throw noSuchProject();
    const { target } = upload;
    let directory;
    if (target.directoryId !== undefined) {
      const row = store.rows.byId(target.directoryId);
      if (!row || row.project_id !== project.id) throw new NoSuchFile();
      directory = row;
    } else {
      // Missing levels are created in the upload's transaction, owned by the uploader (§5.9).
      directory = () => ensureDirectoryPath(store, project, target.directoryPath!, upload.ownerId);
    }
    const blob: StagedBlob = { kind: 'file', tmpPath: this.partials.pathOf(upload.id), md5, size, mimeType };
    const destination = {
      projectId: project.id,
      directory,
      name: target.filename,
      ownerId: upload.ownerId,
      ...(profile === 'enhanced' && target.ifCurrentId !== undefined && { ifCurrentId: target.ifCurrentId }),
      tus: { storeChecksum: profile === 'enhanced' },
    };
    return recordUpload(store, blobs, destination, blob);
  }

  /** Records an offset (and pushes the expiry back); a no-op once the database is closed by shutdown. */
  private saveOffset(id: string, offset: number): number {
    const expiresAt = Date.now() + TUS_UPLOAD_EXPIRY_MS;
    if (this.ctx.store.db.open) this.ctx.store.tusUploads.setOffset(id, offset, expiresAt);
    return expiresAt;
  }

  private report(what: string, error: unknown): void {
    if (error instanceof TusError || (error instanceof Error && 'status' in error)) {
      this.ctx.logError(`mc-server: tus ${what} dropped: ${error.message}`);
    } else {
      this.ctx.logError(`mc-server: tus ${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
}
