import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { BodyFaults } from './fault-plan.js';

type Callback = (error?: Error | null) => void;

/**
 * Applies body faults to a response by wrapping its `write` and `end`: every route's body (buffers,
 * strings, piped streams) passes through them, after the headers, so Content-Length still promises
 * the whole body. `corruptAt` flips one byte; `resetAfter` lets that many bytes reach the socket and
 * then resets the connection, as a dying proxy or network would; `truncateAfter` closes it cleanly
 * there instead (a FIN: the client sees the body end early); `bytesPerSecond` paces the body.
 */
export function tapResponse(res: ServerResponse, faults: BodyFaults): void {
  const flushed = faults.bytesPerSecond === undefined ? undefined : paceResponse(res, faults.bytesPerSecond);
  const write = res.write.bind(res) as (chunk: Buffer, callback?: Callback) => boolean;
  const end = res.end.bind(res) as (chunk?: Buffer, callback?: () => void) => ServerResponse;
  const cutAt = faults.resetAfter ?? faults.truncateAfter;
  let sent = 0;
  let cut = false;

  const limit = (): number | undefined => {
    if (cutAt === undefined) return undefined;
    if (cutAt !== 'half') return cutAt;
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
    // The socket's write callback runs once everything queued before it (headers, body) has been
    // handed to the kernel, so the client receives exactly the bytes let through, then the reset
    // or the close.
    const closeAfterFlush = (socket: Socket) => {
      const close = () => (faults.resetAfter !== undefined ? resetSocket(socket) : socket.destroySoon());
      socket.write(Buffer.alloc(0), close);
    };
    // A response queued behind an unfinished one on a keep-alive connection has no socket yet: its
    // bytes wait in the response and go out when it gets one ('socket' is emitted just before that
    // flush, hence the next tick). Without this the response would never end nor its connection close.
    const withSocket = () => {
      if (res.socket) closeAfterFlush(res.socket);
      else res.once('socket', (socket: Socket) => process.nextTick(closeAfterFlush, socket));
    };
    // A paced body first lets its queue drain.
    if (flushed) flushed(withSocket);
    else withSocket();
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

/** Pieces of a paced body go out this often. */
const PACE_INTERVAL_MS = 100;

type Queued = { data: Buffer; done?: Callback | undefined } | { end: true; done?: (() => void) | undefined };

/**
 * Paces a response body to `bytesPerSecond` by queueing what the route writes and letting out a
 * tenth of a second's worth every 100 ms. `write` returns false while anything waits, and `drain`
 * is emitted when the queue empties, so piped streams slow down with it instead of piling up in
 * memory. Returns a way to run something once everything queued has been handed on.
 */
function paceResponse(res: ServerResponse, bytesPerSecond: number): (then: () => void) => void {
  const write = res.write.bind(res) as (chunk: Buffer, callback?: Callback) => boolean;
  const end = res.end.bind(res) as (chunk?: Buffer, callback?: () => void) => ServerResponse;
  const slice = Math.max(1, Math.ceil((bytesPerSecond * PACE_INTERVAL_MS) / 1000));
  const queue: Queued[] = [];
  let waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | null = null;

  const pump = (): void => {
    timer = null;
    let budget = slice;
    while (queue.length > 0) {
      const head = queue[0]!;
      if ('end' in head) {
        queue.shift();
        end(undefined, head.done);
        break;
      }
      if (budget === 0) break;
      const piece = head.data.subarray(0, budget);
      head.data = head.data.subarray(piece.length);
      budget -= piece.length;
      if (head.data.length > 0) {
        write(piece);
        continue;
      }
      queue.shift();
      write(piece, head.done);
    }
    if (queue.length > 0) {
      timer = setTimeout(pump, PACE_INTERVAL_MS);
      return;
    }
    const ready = waiters;
    waiters = [];
    for (const then of ready) then();
    res.emit('drain');
  };
  const schedule = (): void => {
    timer ??= setTimeout(pump, PACE_INTERVAL_MS);
  };
  res.once('close', () => {
    if (timer) clearTimeout(timer);
    queue.length = 0;
  });

  res.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const done = (typeof encoding === 'function' ? encoding : callback) as Callback | undefined;
    queue.push({ data: toBuffer(chunk, encoding), done });
    schedule();
    return false;
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    const done = [chunk, encoding, callback].find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (typeof chunk !== 'function' && chunk !== undefined && chunk !== null) queue.push({ data: toBuffer(chunk, encoding) });
    queue.push({ end: true, done });
    schedule();
    return res;
  }) as ServerResponse['end'];

  return (then) => {
    if (queue.length === 0) then();
    else waiters.push(then);
  };
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
