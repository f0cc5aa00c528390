/**
 * A tus refusal: status, a stable `ERR_*` code and a message, sent as `text/plain`
 * `"<code>: <message>\n"` (mc-api.md §4.2). The codes of §4.2 are production's; the others are this
 * server's (creation checks, checksum, chunk limits, preconditions).
 */
export class TusError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): string {
    return `${this.code}: ${this.message}\n`;
  }
}

export const unsupportedVersion = () => new TusError(412, 'ERR_UNSUPPORTED_VERSION', 'missing, invalid or unsupported Tus-Resumable header');
export const invalidContentType = () => new TusError(400, 'ERR_INVALID_CONTENT_TYPE', 'missing or invalid Content-Type header');
export const invalidUploadLength = (why = 'missing or invalid Upload-Length header') => new TusError(400, 'ERR_INVALID_UPLOAD_LENGTH', why);
export const invalidOffset = () => new TusError(400, 'ERR_INVALID_OFFSET', 'missing or invalid Upload-Offset header');
export const mismatchedOffset = () => new TusError(409, 'ERR_MISMATCHED_OFFSET', 'mismatched offset');
export const uploadNotFound = () => new TusError(404, 'ERR_UPLOAD_NOT_FOUND', 'upload not found');
export const uploadLocked = () => new TusError(423, 'ERR_UPLOAD_LOCKED', 'file currently locked');
export const unauthenticated = () => new TusError(401, 'ERR_UNAUTHENTICATED', 'invalid api token');
export const noSuchProject = () => new TusError(404, 'ERR_PROJECT_NOT_FOUND', 'no such project');
export const invalidMetadata = (why: string) => new TusError(400, 'ERR_INVALID_METADATA', why);
export const concatenationUnsupported = () =>
  new TusError(400, 'ERR_CONCATENATION_UNSUPPORTED', 'concatenation is not supported: send one upload per file');
export const maxSizeExceeded = (max: number) => new TusError(413, 'ERR_MAX_SIZE_EXCEEDED', `an upload takes at most ${max} bytes`);
export const sizeExceeded = () => new TusError(413, 'ERR_UPLOAD_SIZE_EXCEEDED', "the chunk goes past the upload's length");
export const chunkTooLarge = (max: number) => new TusError(413, 'ERR_CHUNK_TOO_LARGE', `a PATCH carries at most ${max} bytes: send smaller chunks`);
export const checksumMismatch = () => new TusError(460, 'ERR_CHECKSUM_MISMATCH', 'checksum mismatch; the chunk was discarded');
export const invalidChecksum = (why: string) => new TusError(400, 'ERR_INVALID_CHECKSUM', why);
export const methodNotAllowed = () => new TusError(405, 'ERR_METHOD_NOT_ALLOWED', 'method not allowed');
export const preconditionFailed = (message: string) => new TusError(409, 'ERR_PRECONDITION_FAILED', message);
export const internalError = () => new TusError(500, 'ERR_INTERNAL_SERVER_ERROR', 'something went wrong on the server');
