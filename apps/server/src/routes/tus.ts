import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userForToken } from '../auth.js';
import type { ServerContext } from '../context.js';
import type { TusUpload } from '../db/tus-uploads.js';
import type { UserRecord } from '../db/users.js';
import { HttpError, PreconditionFailed, storageFullOf } from '../errors.js';
import type { CompletedFile, TusService } from '../tus/tus-service.js';
import {
  concatenationUnsupported,
  internalError,
  invalidContentType,
  invalidOffset,
  invalidUploadLength,
  maxSizeExceeded,
  methodNotAllowed,
  mismatchedOffset,
  preconditionFailed,
  sizeExceeded,
  chunkTooLarge,
  TusError,
  unauthenticated,
  unsupportedVersion,
} from '../tus/tus-errors.js';
import {
  OFFSET_OCTET_STREAM,
  TUS_CHECKSUM_ALGORITHMS,
  TUS_MAX_SIZE,
  TUS_RESPONSE_HEADERS,
  TUS_VERSION,
  tusExtensions,
} from '../tus/tus-protocol.js';
import { parseUploadChecksum } from '../tus/upload-checksum.js';
import { parseUploadMetadata } from '../tus/upload-metadata.js';
import { drainRequest } from '../drain-request.js';

type UploadParams = { Params: { id: string } };

/**
 * tus 1.0.0 at `{origin}/files/` (mc-api.md §4; sync-api.md `tus-checksum` on enhanced), outside
 * `/api`. Every request but OPTIONS needs `Authorization: Bearer` (the only place production's
 * upload service reads a token) and touches only the caller's own uploads. Errors are `text/plain`
 * `"<ERR_CODE>: <message>\n"`. The state machine lives in tus/tus-service.ts; this file is HTTP.
 */
export async function tusRoutes(tus: FastifyInstance, ctx: ServerContext, service: TusService): Promise<void> {
  const enhanced = ctx.profile === 'enhanced';
  const chunkLimit = enhanced ? ctx.syncLimits.tus_max_chunk_bytes : Infinity;

  // Bodies are read by the handlers, as a stream into the partial file, whatever their type.
  tus.removeAllContentTypeParsers();
  tus.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  tus.setErrorHandler((error: FastifyError, req, reply) => {
    // A full disk while a PATCH is still arriving: read the rest away so that the client gets the 507.
    if (storageFullOf(error)) return drainRequest(req.raw).then(() => sendTusError(ctx, req, reply, error));
    return sendTusError(ctx, req, reply, error);
  });
  tus.addHook('onRequest', async (_req, reply) => {
    reply.header('tus-resumable', TUS_VERSION);
  });
  tus.addHook('onClose', () => service.close());

  const discovery = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('tus-version', TUS_VERSION).header('tus-extension', tusExtensions(ctx.profile).join(','));
    if (enhanced) reply.header('tus-max-size', String(TUS_MAX_SIZE)).header('tus-checksum-algorithm', TUS_CHECKSUM_ALGORITHMS.join(','));
    reply.header('access-control-expose-headers', TUS_RESPONSE_HEADERS);
    return reply.code(200).send();
  };
  tus.options('/files/', discovery);
  tus.options('/files/:id', discovery);

  // Q24: without the slash, a redirect (a POST re-sent as GET after it then gets 405).
  tus.all('/files', async (req, reply) => reply.code(301).header('location', `${originOf(req)}/files/`).send());
  tus.get('/files/', { exposeHeadRoute: false }, async () => {
    throw methodNotAllowed();
  });
  tus.get<UploadParams>('/files/:id', { exposeHeadRoute: false }, async () => {
    throw methodNotAllowed();
  });

  tus.post('/files/', async (req, reply) => {
    requireTusResumable(req);
    const user = tusUser(ctx, req);
    if (req.headers['upload-concat'] !== undefined) throw concatenationUnsupported();
    const length = creationLength(req);
    if (enhanced && length !== null && length > TUS_MAX_SIZE) throw maxSizeExceeded(TUS_MAX_SIZE);
    const metadataHeader = header(req, 'upload-metadata') ?? '';
    let upload = await service.create(user, length, metadataHeader.trim(), parseUploadMetadata(metadataHeader));
    // Set before the first chunk is read, so that a refused chunk still tells the client where to resume.
    reply.header('location', `${originOf(req)}/files/${upload.id}`);

    const withBody = isOffsetStream(req);
    if (withBody) {
      const release = service.lock(upload.id);
      try {
        upload = await receive(req, upload);
      } finally {
        release();
      }
      reply.header('upload-offset', String(upload.offset));
    } else if (carriesBody(req)) {
      reply.header('connection', 'close');
    }
    const completed = await completeIfDone(upload, reply);
    if (!completed && enhanced) reply.header('upload-expires', new Date(upload.expiresAt).toUTCString());
    return reply.code(201).send();
  });

  tus.head<UploadParams>('/files/:id', async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const user = tusUser(ctx, req);
    const upload = service.uploadOf(user, req.params.id);
    if (upload.length === null) reply.header('upload-defer-length', '1');
    else reply.header('upload-length', String(upload.length));
    if (upload.metadata !== '') reply.header('upload-metadata', upload.metadata);
    if (upload.state === 'done') {
      fileHeaders(reply, { fileId: upload.fileId!, checksum: upload.fileChecksum! });
      reply.header('upload-offset', String(upload.length));
    } else {
      reply.header('upload-offset', String(upload.offset));
      if (enhanced) reply.header('upload-expires', new Date(upload.expiresAt).toUTCString());
    }
    return reply.code(200).send();
  });

  tus.patch<UploadParams>('/files/:id', async (req, reply) => {
    requireTusResumable(req);
    const user = tusUser(ctx, req);
    let upload = service.uploadOf(user, req.params.id);
    if (!isOffsetStream(req)) throw invalidContentType();
    const offset = nonNegative(header(req, 'upload-offset'));
    if (offset === null) throw invalidOffset();
    const release = service.lock(upload.id);
    try {
      upload = deferredLength(req, upload);
      if (upload.state === 'done') {
        // A finished upload (enhanced): an empty PATCH at its end repeats the result; anything else is late.
        if (offset !== upload.length) throw mismatchedOffset();
        if (carriesBody(req)) throw sizeExceeded();
        fileHeaders(reply, { fileId: upload.fileId!, checksum: upload.fileChecksum! });
        return reply.code(204).header('upload-offset', String(upload.length)).send();
      }
      if (offset !== upload.offset) throw mismatchedOffset();
      upload = await receive(req, upload);
    } finally {
      release();
    }
    reply.header('upload-offset', String(upload.offset));
    const completed = await completeIfDone(upload, reply);
    if (!completed && enhanced) reply.header('upload-expires', new Date(upload.expiresAt).toUTCString());
    return reply.code(204).send();
  });

  tus.delete<UploadParams>('/files/:id', async (req, reply) => {
    requireTusResumable(req);
    const user = tusUser(ctx, req);
    const upload = service.uploadOf(user, req.params.id);
    const release = service.lock(upload.id);
    try {
      await service.terminate(upload);
    } finally {
      release();
    }
    return reply.code(204).send();
  });

  /** Reads the request body as the next chunk; refuses what cannot fit before reading any of it. */
  async function receive(req: FastifyRequest, upload: TusUpload): Promise<TusUpload> {
    const declaredLength = nonNegative(header(req, 'content-length')) ?? undefined;
    if (declaredLength !== undefined) {
      if (upload.length !== null && upload.offset + declaredLength > upload.length) throw sizeExceeded();
      if (declaredLength > chunkLimit) throw chunkTooLarge(chunkLimit);
    }
    // Stock has no checksum extension: the header means nothing there, as on production.
    const checksum = enhanced ? parseUploadChecksum(header(req, 'upload-checksum')) : undefined;
    return service.receive(upload, { source: req.raw, checksum, declaredLength, faults: ctx.faults.bodyFaultsOf(req.raw) }, chunkLimit);
  }

  /**
   * Completion when the last byte is in: enhanced records the row now and names it in the response;
   * stock answers first and records it after the response has gone (mc-api.md §4.4).
   */
  async function completeIfDone(upload: TusUpload, reply: FastifyReply): Promise<boolean> {
    if (upload.length === null || upload.offset !== upload.length) return false;
    if (enhanced) {
      fileHeaders(reply, await service.completeNow(upload));
    } else {
      service.markCompleting(upload);
      // 'finish' = the response was handed to the OS; 'close' also covers a client that went away first.
      let scheduled = false;
      const later = () => {
        if (scheduled) return;
        scheduled = true;
        service.completeLater(upload, true);
      };
      reply.raw.once('finish', later).once('close', later);
    }
    return true;
  }

  /** `Upload-Length` on a PATCH fixes a deferred length (once; it cannot change or undercut the offset). */
  function deferredLength(req: FastifyRequest, upload: TusUpload): TusUpload {
    const text = header(req, 'upload-length');
    if (text === undefined) return upload;
    const length = nonNegative(text);
    if (length === null) throw invalidUploadLength();
    if (upload.length !== null) {
      if (length !== upload.length) throw invalidUploadLength('Upload-Length cannot change');
      return upload;
    }
    if (length < upload.offset) throw invalidUploadLength('Upload-Length is below the bytes already received');
    if (enhanced && length > TUS_MAX_SIZE) throw maxSizeExceeded(TUS_MAX_SIZE);
    return service.setLength(upload, length);
  }
}

function fileHeaders(reply: FastifyReply, file: CompletedFile): void {
  reply.header('mc-file-id', String(file.fileId)).header('mc-file-checksum', file.checksum);
}

/** GET and HEAD are exempt (mc-api.md §4.2), and OPTIONS, which is discovery. */
function requireTusResumable(req: FastifyRequest): void {
  if (header(req, 'tus-resumable') !== TUS_VERSION) throw unsupportedVersion();
}

/** Only `Authorization: Bearer <token>` counts for tus (§4.4: scheme case-insensitive, two fields). */
function tusUser(ctx: ServerContext, req: FastifyRequest): UserRecord {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header(req, 'authorization') ?? '');
  const user = match ? userForToken(ctx.store, match[1]!) : null;
  if (!user) throw unauthenticated();
  return user;
}

/** `Upload-Length: n` or `Upload-Defer-Length: 1`, exactly one of them; null = deferred. */
function creationLength(req: FastifyRequest): number | null {
  const lengthText = header(req, 'upload-length');
  const deferText = header(req, 'upload-defer-length');
  if (lengthText !== undefined && deferText !== undefined) throw invalidUploadLength('send Upload-Length or Upload-Defer-Length, not both');
  if (deferText !== undefined) {
    if (deferText !== '1') throw invalidUploadLength('Upload-Defer-Length must be 1');
    return null;
  }
  const length = nonNegative(lengthText);
  if (length === null) throw invalidUploadLength();
  return length;
}

function isOffsetStream(req: FastifyRequest): boolean {
  return (header(req, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase() === OFFSET_OCTET_STREAM;
}

function carriesBody(req: FastifyRequest): boolean {
  return Number(header(req, 'content-length') ?? 0) > 0 || header(req, 'transfer-encoding') !== undefined;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function nonNegative(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,16}$/.test(text.trim())) return null;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : null;
}

/** Absolute URLs as production sends them (`Location: https://<host>/files/<id>`), from the Host the client used. */
function originOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/**
 * Any failure as a tus error body. Shared refusals raised inside the upload code keep their status
 * (a stale `if_current_id` is a 409 with its own code); unexpected failures are logged and become 500.
 */
function sendTusError(ctx: ServerContext, req: FastifyRequest, reply: FastifyReply, error: FastifyError): FastifyReply {
  let tusError: TusError;
  if (error instanceof TusError) tusError = error;
  else if (error instanceof PreconditionFailed) tusError = preconditionFailed(error.message);
  else if (error instanceof HttpError && error.status < 500) tusError = new TusError(error.status, `ERR_${error.code.toUpperCase().replace(/-/g, '_')}`, error.message);
  else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) tusError = new TusError(error.statusCode, 'ERR_BAD_REQUEST', error.message);
  else if (storageFullOf(error)) {
    ctx.logError(`mc-server: tus ${req.method} ${req.url.split('?', 1)[0]} failed: the data folder's disk is full`);
    tusError = new TusError(507, 'ERR_STORAGE_FULL', 'The server is out of storage space.');
  } else {
    const clientGone = req.raw.destroyed || req.raw.socket?.destroyed;
    if (!clientGone) ctx.logError(`mc-server: tus ${req.method} ${req.url.split('?', 1)[0]} failed: ${error.stack ?? String(error)}`);
    tusError = internalError();
  }
  if (tusError.status === 412) reply.header('tus-version', TUS_VERSION);
  // A body we did not read must not be taken for the next request on this connection.
  if (carriesBody(req) && !req.raw.complete) reply.header('connection', 'close');
  return reply
    .code(tusError.status)
    .header('tus-resumable', TUS_VERSION)
    .type('text/plain; charset=utf-8')
    .send(tusError.body());
}
