import { closeSync, openSync, writeSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The request path without its query string, which may hold `api_token`: the only form ever logged. */
export function pathOf(req: FastifyRequest): string {
  const query = req.url.indexOf('?');
  return query < 0 ? req.url : req.url.slice(0, query);
}

export interface AccessLogOptions {
  /** Append `METHOD PATH STATUS` per request to this file (tests count requests with it). */
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
  app.addHook('onResponse', async (req, reply) => {
    const line = `${req.method} ${pathOf(req)} ${reply.statusCode}`;
    if (fd !== null) writeSync(fd, `${line}\n`);
    if (options.stderr) process.stderr.write(`${line} ${reply.elapsedTime.toFixed(1)}ms\n`);
  });
  if (fd !== null) app.addHook('onClose', async () => closeSync(fd));
}
