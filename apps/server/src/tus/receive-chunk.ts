import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { BodyFaults } from '../faults/fault-plan.js';
import { resetSocket } from '../faults/response-tap.js';
import type { UploadChecksum } from './upload-checksum.js';
import { storageFull } from '../blobs.js';

export interface ChunkRequest {
  source: IncomingMessage;
  /** The partial file; the chunk is written from `offset` on. */
  path: string;
  offset: number;
  /** Bytes the upload can still take (its length minus the offset; Infinity while deferred). */
  room: number;
  /** The most one request may carry (enhanced `tus_max_chunk_bytes`; Infinity on stock). */
  chunkLimit: number;
  /** Content-Length of the request, when declared. */
  declaredLength: number | undefined;
  checksum: UploadChecksum | undefined;
  /** MD5 of the upload's first `offset` bytes, when known; continued over the chunk, never mutated. */
  runningMd5: Hash | undefined;
  /** Injected faults for this body (test-only). */
  faults: BodyFaults;
  /** Bytes written so far (from `offset`); called after each write of a chunk without checksum. */
  onProgress?: (written: number) => void;
}

/**
 * What became of a chunk. `kept` bytes now count (the offset moves by them); `runningMd5` covers the
 * upload through them when it was known before. A discarded chunk leaves no trace: the caller cuts
 * the partial file back to the old offset.
 */
export type ChunkResult =
  | { outcome: 'stored'; kept: number; runningMd5: Hash | undefined }
  | { outcome: 'dropped'; kept: number; runningMd5: Hash | undefined }
  | { outcome: 'discarded'; reason: 'checksum' | 'dropped' | 'chunk-too-large' | 'exceeds-length' };

// Writes are gathered to 1 MiB: one write per socket read (~64 KiB) costs a thread-pool hop each.
const WRITE_BATCH = 1 << 20;

/**
 * Streams one request body into the partial file, never holding it in memory. Without
 * `Upload-Checksum`, bytes that arrived before the connection dropped are kept (tus resume semantics);
 * with it, a chunk that is incomplete or does not match is discarded whole, so the offset only ever
 * covers verified bytes. Bytes beyond `room` or `chunkLimit` discard the chunk and stop reading (the
 * caller answers 413 and closes the connection).
 */
export async function receiveChunk(request: ChunkRequest): Promise<ChunkResult> {
  const { source, faults } = request;
  const max = Math.min(request.room, request.chunkLimit);
  const resetAt = faults.resetAfter === 'half' ? Math.floor((request.declaredLength ?? 0) / 2) : faults.resetAfter;
  const digest = request.checksum ? createHash(request.checksum.algorithm) : undefined;
  const md5 = request.runningMd5?.copy();

  const handle = await open(request.path, 'r+');
  let received = 0;
  let written = 0;
  let queued = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // One write in flight while the next megabyte arrives: reading and writing overlap.
  let inflight: Promise<void> | undefined;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const batch = pending;
    const position = request.offset + queued;
    queued += pendingBytes;
    pending = [];
    pendingBytes = 0;
    for (const buffer of batch) md5?.update(buffer);
    await inflight;
    if (faults.enospc) throw storageFull();
    inflight = handle.writev(batch, position).then(({ bytesWritten }) => {
      written += bytesWritten;
      if (!digest) request.onProgress?.(written);
    });
  };
  const settle = async () => {
    await inflight;
    inflight = undefined;
  };

  let ending: 'complete' | 'dropped' | 'chunk-too-large' | 'exceeds-length' = 'complete';
  try {
    if (resetAt === 0) {
      cut(source);
      ending = 'dropped';
    } else {
      // A manual iterator, not for-await: leaving the loop must not destroy the request, or the 413 could not be sent.
      const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch {
          ending = 'dropped';
          break;
        }
        if (next.done) break;
        let chunk = corrupt(next.value, faults.corruptAt, received);
        const cutHere = resetAt !== undefined && received + chunk.length >= resetAt;
        if (cutHere) chunk = chunk.subarray(0, resetAt - received);
        received += chunk.length;
        if (received > max) {
          ending = received > request.room ? 'exceeds-length' : 'chunk-too-large';
          break;
        }
        digest?.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH) await flush();
        if (cutHere) {
          cut(source);
          ending = 'dropped';
          break;
        }
      }
      // The stream may also just end early when the client goes away.
      if (ending === 'complete' && (!source.complete || (request.declaredLength !== undefined && received < request.declaredLength))) {
        ending = 'dropped';
      }
    }
    if (ending === 'complete' || (ending === 'dropped' && !digest)) await flush();
  } finally {
    // A failed write surfaces here; the handle is closed either way.
    await settle().finally(() => handle.close());
  }

  if (ending === 'chunk-too-large' || ending === 'exceeds-length') return { outcome: 'discarded', reason: ending };
  if (ending === 'dropped') {
    return digest ? { outcome: 'discarded', reason: 'dropped' } : { outcome: 'dropped', kept: written, runningMd5: md5 };
  }
  if (digest && !digest.digest().equals(request.checksum!.digest)) return { outcome: 'discarded', reason: 'checksum' };
  return { outcome: 'stored', kept: written, runningMd5: md5 };
}

/** The chunk with body byte `at` flipped, when it falls inside (a copy: socket buffers are not ours). */
function corrupt(chunk: Buffer, at: number | undefined, before: number): Buffer {
  if (at === undefined || at < before || at >= before + chunk.length) return chunk;
  const copy = Buffer.from(chunk);
  copy[at - before]! ^= 0xff;
  return copy;
}

function cut(source: IncomingMessage): void {
  if (source.socket) resetSocket(source.socket);
}
