import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { pathOf, registerAccessLog, type AccessLogOptions } from './access-log.js';
import { registerBodyParsers, JSON_BODY_LIMIT } from './body-parsers.js';
import type { RouteModule, ServerContext } from './context.js';
import { HttpError, Refusal, RouteNotFound, ServerError, storageFullOf } from './errors.js';
import { registerFaults } from './faults/fault-hooks.js';
import type { Profile } from './profiles.js';
import { sendError } from './render-error.js';
import { authRoutes } from './routes/auth.js';
import { bulkDownloadRoutes } from './routes/bulk-download.js';
import { bulkUploadRoutes } from './routes/bulk-upload.js';
import { byChecksumRoutes } from './routes/by-checksum.js';
import { changesRoutes } from './routes/changes.js';
import { directoryRoutes } from './routes/directories.js';
import { downloadRoutes } from './routes/download.js';
import { fileRoutes } from './routes/files.js';
import { listingRoutes } from './routes/listings.js';
import { projectRoutes } from './routes/projects.js';
import { serverInfoRoutes } from './routes/server-info.js';
import { treeRoutes } from './routes/tree.js';
import { tusRoutes } from './routes/tus.js';
import { uploadRoutes } from './routes/uploads.js';
import type { TusService } from './tus/tus-service.js';
import { drainRequest } from './drain-request.js';

const STOCK_ROUTES: readonly RouteModule[] = [
  authRoutes,
  serverInfoRoutes,
  projectRoutes,
  directoryRoutes,
  fileRoutes,
  listingRoutes,
  uploadRoutes,
  downloadRoutes,
];

/** sync-api.md: what `enhanced` serves beyond stock (its preconditions live in the stock routes). */
const SYNC_ROUTES: readonly RouteModule[] = [treeRoutes, changesRoutes, bulkUploadRoutes, bulkDownloadRoutes, byChecksumRoutes];

/** The route groups of a profile: `enhanced` is `stock` plus the sync-api.md groups. */
export function routesFor(profile: Profile): readonly RouteModule[] {
  switch (profile) {
    case 'stock':
      return STOCK_ROUTES;
    case 'enhanced':
      return [...STOCK_ROUTES, ...SYNC_ROUTES];
  }
}

/**
 * Multipart limits, set explicitly: @fastify/multipart's default `fileSize` (1 MiB) silently truncates
 * bigger files. `files` bounds the parts we read at all; production's 20-file cut (Q16) is applied by
 * the upload routes, which drain the extra parts.
 */
export const MULTIPART_LIMITS = {
  fileSize: 64 * 1024 ** 3,
  files: 1000,
  fields: 1000,
  parts: 2000,
  fieldSize: 1024 * 1024,
  headerPairs: 2000,
} as const;

export type AppOptions = AccessLogOptions & {
  /** Serves tus at `/files/` (both profiles); without it the server has no tus, like some production builds (Q28). */
  tus?: TusService;
};

/**
 * The fastify application of one server: body parsing, error rendering, the profile's routes under
 * `/api`, tus at `/files/`, and test-only fault injection in front of them all.
 */
export async function buildApp(ctx: ServerContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: JSON_BODY_LIMIT,
    // `…/upload/{name}` carries a whole percent-encoded file name (up to 150 characters stored).
    routerOptions: { maxParamLength: 4096 },
  });
  registerBodyParsers(app);
  await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: true });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof HttpError) return sendError(req, reply, error);
    const full = storageFullOf(error);
    if (full) {
      ctx.logError(`mc-server: ${req.method} ${pathOf(req)} failed: the data folder's disk is full (${(error as { code?: string }).code})`);
      // The client is probably still sending: read the rest away so that it gets the answer.
      return drainRequest(req.raw).then((drained) => {
        if (!drained) reply.header('connection', 'close');
        return sendError(req, reply, full);
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = status === 413 ? 'The request is larger than this server accepts.' : error.message;
      return sendError(req, reply, new Refusal(status, message));
    }
    // A client that hung up mid-request is not a server failure worth a stack trace.
    const clientGone = req.raw.destroyed || req.raw.socket?.destroyed;
    if (!clientGone) ctx.logError(`mc-server: ${req.method} ${pathOf(req)} failed: ${error.stack ?? String(error)}`);
    return sendError(req, reply, new ServerError(error.message));
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new RouteNotFound(pathOf(req).replace(/^\/+/, ''))));

  registerAccessLog(app, options);
  registerFaults(app, ctx.faults);

  await app.register(
    async (api) => {
      for (const routes of routesFor(ctx.profile)) routes(api, ctx);
    },
    { prefix: '/api' },
  );
  const tus = options.tus;
  if (tus) await app.register((scope) => tusRoutes(scope, ctx, tus));
  return app;
}
