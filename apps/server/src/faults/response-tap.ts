import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { BodyFaults } from './fault-plan.js';

type Callback = (error?: Error | null) => void;

/**
 * Applies body faults to a response by wrapping its `write` and `end`: every route's body (buffers,
 * strings, piped streams) passes through them, after the headers, so Content-Length still promises
 * the whole body. `corruptAt` flips one byte; `resetAfter` lets that many bytes reach the socket and
 * then resets the connection, as a dying proxy or network would.
 */
export function tapResponse(res: ServerResponse, faults: BodyFaults): void {
  const write = res.write.bind(res) as (chunk: Buffer, callback?: Callback) => boolean;
  const end = res.end.bind(res) as (chunk?: Buffer, callback?: () => void) => ServerResponse;
  let sent = 0;
  let cut = false;

  const limit = (): number | undefined => {
    if (faults.resetAfter === undefined) return undefined;
    if (faults.resetAfter !== 'half') return faults.resetAfter;
    return Math.floor(Number(res.getHeader('content-length') ?? 0) / 2);
  };

  /** The chunk as it should go out, and whether the connection dies after it. */
  const pass = (data: Buffer): { out: Buffer; last: boolean } => {
    let out = data;
    const at = faults.corruptAt;
    if (at !== undefined && at >= sent && at < sent + out.length) {
      out = Buffer.from(out);
      out[at - sent]! ^= 0xff;
    }
    const max = limit();
    const last = max !== undefined && sent + out.length >= max;
    if (last) out = out.subarray(0, Math.max(0, max - sent));
    sent += out.length;
    return { out, last };
  };

  const resetAfterFlush = () => {
    cut = true;
    const socket = res.socket;
    if (!socket) return;
    // The socket's write callback runs once everything queued before it (headers, body) has been
    // handed to the kernel, so the client receives exactly the bytes let through, then a reset.
    socket.write(Buffer.alloc(0), () => resetSocket(socket));
  };

  res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const done = (typeof encoding === 'function' ? encoding : callback) as Callback | undefined;
    if (cut) {
      done?.();
      return true;
    }
    const { out, last } = pass(toBuffer(chunk, encoding));
    const result = write(out, last ? undefined : done);
    if (last) {
      resetAfterFlush();
      done?.();
    }
    return result;
  }) as ServerResponse['write'];

  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    const done = [chunk, encoding, callback].find((arg) => typeof arg === 'function') as (() => void) | undefined;
    const data = typeof chunk === 'function' || chunk === undefined || chunk === null ? undefined : toBuffer(chunk, encoding);
    if (cut) {
      done?.();
      return res;
    }
    if (data === undefined) {
      if (limit() !== undefined && !res.headersSent) {
        // An empty body still gets its reset, right after the headers.
        write(Buffer.alloc(0));
        resetAfterFlush();
        done?.();
        return res;
      }
      return end(undefined, done);
    }
    const { out, last } = pass(data);
    if (!last) return end(out, done);
    write(out);
    resetAfterFlush();
    done?.();
    return res;
  }) as ServerResponse['end'];
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** A TCP reset where the platform offers one (the client sees ECONNRESET), else a plain close. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
