import { closeSync, openSync, writeSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The request path without its query string, which may hold `api_token`: the only form ever logged. */
export function pathOf(req: FastifyRequest): string {
  const query = req.url.indexOf('?');
  return query < 0 ? req.url : req.url.slice(0, query);
}

export interface AccessLogOptions {
  /** Append `METHOD PATH STATUS BYTES_IN` per request to this file (tests count requests and bytes received with it). */
  file?: string;
  /** Also write `METHOD PATH STATUS TIMEms` per request to stderr. */
  stderr?: boolean;
}

/**
 * Per-request log lines, written when the response has gone out. Never the query string or headers,
 * so never a token. The file is appended with one synchronous write per line so that a line is on
 * disk before the client can act on the response it describes.
 */
export function registerAccessLog(app: FastifyInstance, options: AccessLogOptions): void {
  if (!options.file && !options.stderr) return;
  const fd = options.file ? openSync(options.file, 'a') : null;
  // What the socket had read when its previous response went out: the difference at this response
  // is what this request brought in (headers and body), which tests use to measure what a resumed
  // upload sent again. Keep-alive sockets carry one request at a time (no pipelining by clients).
  const readBefore = new WeakMap<object, number>();
  app.addHook('onResponse', async (req, reply) => {
    const socket = req.raw.socket;
    const bytesIn = socket.bytesRead - (readBefore.get(socket) ?? 0);
    readBefore.set(socket, socket.bytesRead);
    const line = `${req.method} ${pathOf(req)} ${reply.statusCode} ${bytesIn}`;
    if (fd !== null) writeSync(fd, `${line}\n`);
    if (options.stderr) process.stderr.write(`${line} ${reply.elapsedTime.toFixed(1)}ms\n`);
  });
  if (fd !== null) app.addHook('onClose', async () => closeSync(fd));
}
