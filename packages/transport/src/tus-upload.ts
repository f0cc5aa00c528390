import { baseName, McError, parentOf, toMcError, type UploadItem, type UploadResult, type UploadSession, type UploadSessions } from '@mcsync/core';
import { type McRow, rowChecksum } from '@mcsync/protocol';
import type { DirectoryIndex } from './directory-index';
import { serverPath } from './endpoints/files';
import type { ExchangeResponse, HttpClient } from './http-client';
import { STORAGE_FULL, abortedError, conflictError } from './http-errors';
import type { ProgressReporter } from './progress';
import { assertUnchanged } from './read-local-file';
import { toRemoteEntry } from './remote-entry';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy, waitFor } from './retry';
import { RunningMd5 } from './running-md5';
import { chunkBody, chunkChecksum, tusChunkSize } from './tus-chunks';
import { confirmByPath, currentFileRow, matchRow } from './tus-confirm';
import {
  encodeMetadata,
  header,
  intHeader,
  TUS_CHECKSUM_MISMATCH,
  TUS_VERSION,
  tusEndpoint,
  tusErrorCode,
  tusStatusError,
  uploadUrl,
} from './tus-protocol';

/** An unfinished upload older than this is terminated rather than resumed (the server may have dropped it). */
export const TUS_SESSION_MAX_AGE_MS = 7 * 24 * 3600_000;
/** Failed attempts in a row (network, 423, 5xx, 409) before a file is given up; any progress resets the count. */
const MAX_STALLS = 6;
/** `460` answers for one chunk before the file fails VERIFY (the bytes on disk keep differing from what arrives). */
const MAX_CHECKSUM_RETRIES = 3;
/** Uploads started over after the server lost one (404 before completion). */
const MAX_RESTARTS = 2;
/** 413 halves the chunk (a bounded number of times); a server refusing this little is refusing the upload. */
const SMALLEST_CHUNK = 4 << 10;
/** Clock skew allowed when a session of an earlier run is matched to a row by its creation time. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface TusContext {
  client: HttpClient;
  projectId: number;
  dirs: DirectoryIndex;
  /**
   * The server lists `tus-checksum` (sync-api.md): each PATCH carries `Upload-Checksum`, and the
   * completing PATCH answers the row's id and MD5. Without it (production) the result is confirmed
   * by polling `POST /files/by_path`.
   */
  checksum: boolean;
  /** The server lists `preconditions`: `if_current_id` goes in the metadata. */
  preconditions: boolean;
  /** The server's `tus_max_chunk_bytes`. */
  maxChunkBytes?: number | undefined;
  /** Bytes per PATCH instead of `tusChunkSize` (tests). */
  chunkBytes?: number | undefined;
  sessions?: UploadSessions | undefined;
  /** How long the stock confirmation polls (default 60 s). */
  confirmTimeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  now?: () => number;
}

type HeadAnswer = { gone: false; offset: number; length: number | undefined; res: ExchangeResponse } | { gone: true };

/**
 * Uploads one large file over tus (mc-api.md §4, sync-api.md `tus-checksum`): resumes the
 * session an earlier run left when the file is unchanged, else creates an upload; sends bounded
 * PATCHes streamed from disk (the whole-file MD5 computed on the way); recovers from 409 (HEAD,
 * go on from the server's offset), 423/5xx/network (back off, HEAD), 460 (send the chunk again),
 * 404 (start over) and 413 (smaller chunks); then verifies the result: the row the completing PATCH
 * names (`tus-checksum`), or the row that appears at the path (stock). A file that changed while
 * read fails CHANGED and its upload is terminated; an interrupted one keeps its session.
 */
export async function tusUpload(ctx: TusContext, item: UploadItem, signal: AbortSignal, progress: ProgressReporter): Promise<UploadResult> {
  return new TusFileUpload(ctx, item, signal, progress).run();
}

class TusFileUpload {
  readonly #ctx: TusContext;
  readonly #item: UploadItem;
  readonly #signal: AbortSignal;
  readonly #progress: ProgressReporter;
  readonly #md5 = new RunningMd5();
  readonly #endpoint: string;
  readonly #retry: RetryPolicy;
  #chunk: number;
  #url: string | null = null;
  #offset = 0;
  #createdAt = 0;
  /** Bytes acknowledged in this run (less than the size after a resume). */
  #sent = 0;
  #stalls = 0;
  /** The current row at the path before this upload completes (stock), null for none. */
  #before: McRow | null = null;
  /** The answer that showed the upload complete: the last PATCH, or a HEAD (`MC-File-Id` on `tus-checksum`). */
  #completion: ExchangeResponse | null = null;

  constructor(ctx: TusContext, item: UploadItem, signal: AbortSignal, progress: ProgressReporter) {
    this.#ctx = ctx;
    this.#item = item;
    this.#signal = signal;
    this.#progress = progress;
    this.#endpoint = tusEndpoint(ctx.client.origin);
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...ctx.retry };
    this.#chunk = ctx.chunkBytes ?? tusChunkSize(item.size, ctx.maxChunkBytes);
  }

  async run(): Promise<UploadResult> {
    const item = this.#item;
    try {
      if (!this.#ctx.checksum) {
        // Production returns no id: the confirmation needs the row that was current before.
        this.#before = await currentFileRow(this.#ctx.client, this.#ctx.projectId, item.path, this.#signal);
        if (item.ifCurrentId !== undefined && (this.#before?.id ?? 0) !== item.ifCurrentId) throw conflictError(item.path);
      }
      const resumed = await this.#resume();
      // A resumed upload's progress starts at the offset the server already holds.
      this.#progress.start(item.path, item.size, this.#offset);
      if (resumed) return resumed;
      if (this.#url === null) await this.#create();
      await this.#send();
      const result = await this.#finish();
      this.#ctx.sessions?.delete(item.path);
      return result;
    } catch (err) {
      const error = toMcError(err);
      await this.#afterFailure(error);
      return { ok: false, path: item.path, error };
    }
  }

  /** Keeps the session when the upload can go on next run; terminates it when its bytes are no good. */
  async #afterFailure(error: McError): Promise<void> {
    const resumable = error.code === 'ABORTED' || error.code === 'NETWORK' || error.code === 'SERVER' || error.code === 'LOCKED';
    if (resumable && this.#url !== null) return;
    if (error.code === 'UNCONFIRMED') {
      this.#ctx.sessions?.delete(this.#item.path); // the server holds every byte; there is nothing left to resume
      return;
    }
    if (this.#url !== null) await this.#terminate(this.#url);
    this.#ctx.sessions?.delete(this.#item.path);
  }

  // ---- resume / create ----

  /**
   * Picks up the session an earlier run left for this path: only for the same file (size, mtime,
   * inode) and a young enough upload, else the old upload is terminated. Sets the URL and offset,
   * or returns the result when the earlier run had in fact finished.
   */
  async #resume(): Promise<UploadResult | null> {
    const { sessions, client } = this.#ctx;
    const item = this.#item;
    const s = sessions?.load(item.path);
    if (!s) return null;
    const now = (this.#ctx.now ?? Date.now)();
    if (new URL(s.url).origin !== client.origin) {
      sessions!.delete(item.path); // another server's upload: not ours to touch
      return null;
    }
    if (now - s.createdAt > TUS_SESSION_MAX_AGE_MS || s.size !== item.size || s.mtimeNs !== item.mtimeNs || s.ino !== item.ino) {
      await this.#terminate(s.url);
      sessions!.delete(item.path);
      return null;
    }
    const head = await this.#head(s.url);
    if (head.gone) {
      sessions!.delete(item.path);
      // On production a completed upload answers 404 too (§4.4): the row at the path tells.
      return this.#ctx.checksum ? null : this.#finishedEarlier(s);
    }
    if ((head.length !== undefined && head.length !== item.size) || head.offset > item.size) {
      await this.#terminate(s.url);
      sessions!.delete(item.path);
      return null;
    }
    this.#url = s.url;
    this.#offset = head.offset;
    this.#createdAt = s.createdAt;
    if (head.offset === item.size) this.#completion = head.res;
    return null;
  }

  /** A stock session whose upload is gone: done if the current row is a new one of this size, else start over. */
  async #finishedEarlier(s: UploadSession): Promise<UploadResult | null> {
    const row = this.#before;
    if (!row || row.size !== this.#item.size) return null;
    if (rowChecksum(row) !== null) await this.#md5.catchUp(this.#item.localPath, this.#item.size, this.#signal);
    const md5 = this.#md5.position === this.#item.size ? this.#md5.hex() : '';
    const match = matchRow(row, { size: this.#item.size, md5, createdAfter: s.createdAt - CLOCK_SKEW_MS });
    if (!match) return null;
    await this.#md5.catchUp(this.#item.localPath, this.#item.size, this.#signal);
    await assertUnchanged(this.#item);
    this.#ctx.sessions?.delete(this.#item.path);
    return this.#result(toRemoteEntry(this.#item.path, match.row, 'file'), match.verified);
  }

  async #create(): Promise<void> {
    const item = this.#item;
    const { dirs, projectId } = this.#ctx;
    const dir = parentOf(item.path);
    const meta: Record<string, string> = {
      project_id: String(projectId),
      // The spelling the server stores when it is known (§5.7), always absolute, no trailing '/'.
      directory_path: serverPath(dirs.get(dir)?.path ?? dir),
      filename: baseName(item.path),
    };
    if (this.#ctx.preconditions && item.ifCurrentId !== undefined) meta.if_current_id = String(item.ifCurrentId);
    for (;;) {
      const res = await this.#attempt(() =>
        this.#ctx.client.exchange({
          method: 'POST',
          url: this.#endpoint,
          headers: { 'tus-resumable': TUS_VERSION, 'upload-length': String(item.size), 'upload-metadata': encodeMetadata(meta) },
          signal: this.#signal,
        }),
      );
      if (res === null) continue;
      if (res.status === 201 || res.status === 200) {
        this.#url = uploadUrl(res.headers, this.#endpoint);
        this.#offset = 0;
        this.#createdAt = (this.#ctx.now ?? Date.now)();
        this.#stalls = 0;
        this.#save();
        return;
      }
      if (res.status === 409 && meta.if_current_id !== undefined) throw conflictError(item.path);
      if (await this.#transient(res)) continue;
      throw tusStatusError(res.status, res.text, `creating the upload of ${item.path}`);
    }
  }

  // ---- PATCH loop ----

  /** Sends from the current offset to the end. */
  async #send(): Promise<void> {
    const item = this.#item;
    let checksumRetries = 0;
    let restarts = 0;
    while (this.#offset < item.size) {
      if (this.#signal.aborted) throw abortedError(this.#signal.reason);
      const start = this.#offset;
      const length = Math.min(this.#chunk, item.size - start);
      // A resumed upload skips the prefix the server has: hash it from disk so the MD5 covers the file.
      await this.#md5.catchUp(item.localPath, start, this.#signal);
      const checksum = this.#ctx.checksum ? await chunkChecksum(item, start, length, this.#md5, this.#signal) : undefined;
      const res = await this.#attempt(() => this.#patch(start, length, checksum));
      if (res === null) {
        await this.#reposition();
        continue;
      }
      const status = res.status;
      if (status >= 200 && status < 300) {
        const next = intHeader(res.headers, 'upload-offset');
        if (next === undefined || next <= start || next > start + length) {
          throw new McError('SERVER', `${item.path}: the tus server answered offset ${header(res.headers, 'upload-offset') ?? 'none'} after a chunk at ${start}+${length}`);
        }
        this.#offset = next;
        this.#sent += next - start;
        this.#stalls = 0;
        checksumRetries = 0;
        this.#save();
        this.#progress.bytes(item.path, next, item.size);
        if (next === item.size) this.#completion = res;
        continue;
      }
      if (status === TUS_CHECKSUM_MISMATCH) {
        // The server got other bytes than the chunk's checksum says (read twice from disk, or
        // damaged on the way): the offset did not move, the chunk goes again.
        if (++checksumRetries > MAX_CHECKSUM_RETRIES) {
          throw new McError('VERIFY', `${item.path}: the server received different bytes than were read, ${checksumRetries} times at offset ${start}`);
        }
        continue;
      }
      if (status === 409) {
        if (this.#ctx.preconditions && item.ifCurrentId !== undefined && tusErrorCode(res.text) !== 'ERR_MISMATCHED_OFFSET') throw conflictError(item.path);
        await this.#stall(res);
        await this.#reposition();
        continue;
      }
      if (status === 404 || status === 410) {
        // Lost before it completed (§4.4 on production: a completed upload also answers 404, but a
        // PATCH is answered only while the upload is unfinished).
        if (++restarts > MAX_RESTARTS) throw tusStatusError(status, res.text, `sending ${item.path}`);
        this.#ctx.sessions?.delete(item.path);
        await this.#create();
        continue;
      }
      if (status === 413) {
        // A proxy or the server's chunk limit: halve and send again.
        if (this.#chunk <= SMALLEST_CHUNK) throw tusStatusError(status, res.text, `sending ${item.path}`);
        this.#chunk = Math.max(SMALLEST_CHUNK, Math.floor(this.#chunk / 2));
        continue;
      }
      if (await this.#transient(res)) {
        await this.#reposition();
        continue;
      }
      throw tusStatusError(status, res.text, `sending ${item.path}`);
    }
  }

  #patch(start: number, length: number, checksum: string | undefined): Promise<ExchangeResponse> {
    const item = this.#item;
    const headers: Record<string, string> = { 'tus-resumable': TUS_VERSION, 'upload-offset': String(start) };
    if (checksum !== undefined) headers['upload-checksum'] = `md5 ${checksum}`;
    const onBytes = this.#progress.enabled ? (n: number) => this.#progress.bytes(item.path, start + n, item.size) : undefined;
    return this.#ctx.client.exchange({
      method: 'PATCH',
      url: this.#url!,
      headers,
      body: { contentType: 'application/offset+octet-stream', contentLength: length, content: chunkBody(item, start, length, this.#md5, onBytes) },
      signal: this.#signal,
    });
  }

  /**
   * After an unclear answer, the server's offset is the truth (§4.5). A stock upload that is gone
   * after its last chunk was sent may have completed (§4.4); otherwise a gone upload starts over.
   */
  async #reposition(): Promise<void> {
    const head = await this.#head(this.#url!);
    if (!head.gone) {
      if (head.offset > this.#offset) this.#sent += head.offset - this.#offset;
      this.#offset = Math.min(head.offset, this.#item.size);
      if (this.#offset === this.#item.size) this.#completion = head.res;
      this.#save();
      return;
    }
    if (!this.#ctx.checksum && this.#md5.position === this.#item.size) {
      // Every byte was read for a PATCH: the last one may have arrived and completed the upload.
      this.#offset = this.#item.size;
      return;
    }
    this.#ctx.sessions?.delete(this.#item.path);
    await this.#create();
  }

  /** HEAD the upload, riding out transient answers. */
  async #head(url: string): Promise<HeadAnswer> {
    for (;;) {
      const res = await this.#attempt(() => this.#ctx.client.exchange({ method: 'HEAD', url, headers: { 'tus-resumable': TUS_VERSION }, signal: this.#signal }));
      if (res === null) continue;
      if (res.status === 404 || res.status === 410) return { gone: true };
      if (res.status >= 200 && res.status < 300) {
        const offset = intHeader(res.headers, 'upload-offset');
        if (offset === undefined) throw new McError('SERVER', `the tus server answered HEAD without Upload-Offset for ${this.#item.path}`);
        return { gone: false, offset, length: intHeader(res.headers, 'upload-length'), res };
      }
      if (await this.#transient(res)) continue;
      throw tusStatusError(res.status, res.text, `asking the offset of ${this.#item.path}`);
    }
  }

  /** Sends a request; a connection failure counts as a stall (bounded) and gives null. */
  async #attempt(send: () => Promise<ExchangeResponse>): Promise<ExchangeResponse | null> {
    try {
      return await send();
    } catch (err) {
      const error = toMcError(err);
      if (error.code !== 'NETWORK') throw error;
      await this.#stall(null, error);
      return null;
    }
  }

  /** 423 (locked), 429 and 5xx but a full disk (507): wait and go on, within the stall budget. */
  async #transient(res: ExchangeResponse): Promise<boolean> {
    if (res.status === STORAGE_FULL) return false;
    if (res.status !== 423 && res.status !== 429 && res.status < 500) return false;
    await this.#stall(res);
    return true;
  }

  async #stall(res: ExchangeResponse | null, error?: McError): Promise<void> {
    if (++this.#stalls > MAX_STALLS) {
      throw error ?? tusStatusError(res?.status ?? 0, res?.text ?? '', `uploading ${this.#item.path} (${MAX_STALLS} attempts)`);
    }
    const delay = backoffDelay(this.#stalls, this.#retry);
    try {
      await waitFor(delay, this.#signal);
    } catch (err) {
      throw abortedError(err);
    }
  }

  // ---- completion ----

  async #finish(): Promise<UploadResult> {
    const item = this.#item;
    const completion = this.#completion;
    await this.#md5.catchUp(item.localPath, item.size, this.#signal);
    // Read from disk under the planned identity (the last chunk re-stat'ed before its last byte; a
    // resumed upload that was already complete is checked here).
    await assertUnchanged(item);
    const md5 = this.#md5.hex();
    if (item.md5 && item.md5 !== md5) {
      throw new McError('CHANGED', `${item.localPath} differs from the MD5 it was planned with; it changed since`, { hint: 'run again' });
    }
    if (this.#ctx.checksum) {
      const fileId = completion ? intHeader(completion.headers, 'mc-file-id') : undefined;
      const serverMd5 = completion ? header(completion.headers, 'mc-file-checksum')?.trim().toLowerCase() : undefined;
      if (fileId !== undefined && serverMd5) {
        if (serverMd5 !== md5) throw new McError('VERIFY', `${item.path}: the server's MD5 ${serverMd5} differs from the bytes sent (${md5})`);
        return this.#result({ path: item.path, kind: 'file', id: fileId, size: item.size, md5: serverMd5 }, 'md5');
      }
    }
    // Production (or a completion learnt only from HEAD): the row that appears at the path.
    const confirmed = await confirmByPath(
      this.#ctx.client,
      this.#ctx.projectId,
      item.path,
      { size: item.size, md5, beforeId: this.#before?.id ?? null },
      { timeoutMs: this.#ctx.confirmTimeoutMs, signal: this.#signal },
    );
    return this.#result(toRemoteEntry(item.path, confirmed.row, 'file'), confirmed.verified);
  }

  #result(remote: ReturnType<typeof toRemoteEntry>, verified: 'md5' | 'size'): UploadResult {
    const item = this.#item;
    return {
      ok: true,
      path: item.path,
      bytes: item.size,
      remote,
      md5: this.#md5.hex(),
      verified,
      mtimeNs: item.mtimeNs,
      ino: item.ino,
      ...(this.#sent < item.size ? { sent: this.#sent } : {}),
    };
  }

  // ---- sessions ----

  #save(): void {
    const item = this.#item;
    if (!this.#ctx.sessions || this.#url === null) return;
    this.#ctx.sessions.save({
      path: item.path,
      size: item.size,
      mtimeNs: item.mtimeNs,
      ino: item.ino,
      md5: item.md5,
      url: this.#url,
      offset: this.#offset,
      createdAt: this.#createdAt,
    });
  }

  /** tus termination (`DELETE`), best effort: an upload left behind costs the server only space. */
  async #terminate(url: string): Promise<void> {
    try {
      if (new URL(url).origin !== this.#ctx.client.origin) return;
      await this.#ctx.client.exchange({ method: 'DELETE', url, headers: { 'tus-resumable': TUS_VERSION } });
    } catch {
      // nothing more to do: the file is reported as failed either way
    }
  }
}

/**
 * Terminates and forgets sessions older than TUS_SESSION_MAX_AGE_MS, one request at a time (there
 * are rarely more than a few): files that are never uploaded again would keep them forever.
 */
export async function dropStaleSessions(client: HttpClient, sessions: UploadSessions, now: number): Promise<void> {
  for (const s of sessions.list()) {
    if (now - s.createdAt <= TUS_SESSION_MAX_AGE_MS) continue;
    try {
      if (new URL(s.url).origin === client.origin) await client.exchange({ method: 'DELETE', url: s.url, headers: { 'tus-resumable': TUS_VERSION } });
    } catch {
      // best effort
    }
    sessions.delete(s.path);
  }
}
