import { McError } from '@mcsync/core';
import { errorBodyMessage } from '@mcsync/protocol';

/** Hint attached to every 401: the token is the only thing the user can fix. */
export const AUTH_HINT =
  'check the API token: log in again with `mc remote --add EMAIL --url URL`, or set MC_API_KEY to a valid token';

const NETWORK_HINT = 'check the URL, your network and proxy settings (HTTPS_PROXY, NO_PROXY), and that the server is running';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What is known about the request when its answer turns into an error. */
export interface RequestContext {
  method: string;
  /** Path below the REST base (never carries a token). */
  path: string;
  /** `scheme://host:port` for connection errors. */
  origin: string;
  /** Replaces secrets in any text built from server output. */
  redact: (text: string) => string;
}

/**
 * The text to show for an error body (mc-api.md §1.6): `message`, else a string `data`, else the
 * short prefix of the raw body (the `<title>` of an HTML page when there is one); '' when empty.
 * The caller adds the status.
 */
export function describeErrorBody(contentType: string, raw: string): string {
  if (isJsonType(contentType)) {
    try {
      const message = errorBodyMessage(JSON.parse(raw));
      if (message !== null) return message;
    } catch {
      // not JSON after all: fall through to the raw prefix
    }
  }
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(raw)?.[1];
  const text = (title ?? raw.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** HTTP 507 Insufficient Storage: the server's disk (or quota) is full. */
export const STORAGE_FULL = 507;

/** The server could not store what it was sent: retrying soon will not help, freeing space will. */
export function storageFullError(where: string): McError {
  return new McError('SERVER', `the server is out of storage space (HTTP 507 on ${where})`, {
    status: STORAGE_FULL,
    hint: "ask the server's administrator to free space, then run the command again",
  });
}

/** An HTTP error status → McError with a stable code (AUTH, NOT_FOUND, REJECTED, SERVER). */
export function statusError(status: number, bodyText: string, ctx: RequestContext): McError {
  const what = ctx.redact(bodyText) || 'no details';
  const where = `${ctx.method} ${ctx.path}`;
  if (status === 401) {
    return new McError('AUTH', `the server refused the API token (HTTP 401: ${what}) on ${where}`, { status, hint: AUTH_HINT });
  }
  if (status === 404) return new McError('NOT_FOUND', `${what} (HTTP 404 on ${where})`, { status });
  if (status === 429) {
    return new McError('REJECTED', `too many requests (HTTP 429: ${what}) on ${where}`, {
      status,
      hint: 'the server limits request rates; try again later or lower --concurrency',
    });
  }
  if (status === 413) {
    return new McError('REJECTED', `request too large (HTTP 413: ${what}) on ${where}`, { status });
  }
  if (status === STORAGE_FULL) return storageFullError(where);
  if (status >= 400 && status < 500) return new McError('REJECTED', `${what} (HTTP ${status} on ${where})`, { status });
  return new McError('SERVER', `server error on ${where} (HTTP ${status}): ${what}`, { status });
}

/** Any 3xx on the REST API is an error (Q11): redirects mean the request was not taken as an API call. */
export function redirectError(status: number, location: string | undefined, ctx: RequestContext): McError {
  const target = location ? ctx.redact(location) : '';
  const toHttps = ctx.origin.startsWith('http://') && target.startsWith('https://');
  return new McError('SERVER', `unexpected redirect (HTTP ${status}${target ? ` to ${target}` : ''}) on ${ctx.method} ${ctx.path}`, {
    status,
    hint: toHttps
      ? 'the server wants HTTPS: use the https:// URL of the remote'
      : 'check that the remote URL is the REST base ending in /api; a redirect to a login page also means the token was not accepted',
  });
}

/** Certificate problems do not go away by retrying. */
export function isTlsError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return !!e && (TLS_CODES.has(e.code ?? '') || TLS_CODES.has(e.cause?.code ?? ''));
}

/** A failure before any status line arrived (refused, reset, DNS, TLS, timeout) → NETWORK. */
export function connectionError(err: unknown, ctx: RequestContext): McError {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code && !e.code.startsWith('UND_ERR') ? e.code : (e.cause?.code ?? e.code ?? 'error');
  const detail = ctx.redact(e.cause?.message ?? e.message ?? String(err));
  if (TLS_CODES.has(code)) {
    return new McError('NETWORK', `TLS certificate of ${ctx.origin} not accepted: ${code}`, {
      cause: err,
      hint: 'the server certificate could not be verified; for a test server with a self-signed certificate, mark the remote insecure',
    });
  }
  const refusedLike = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT';
  const message = refusedLike
    ? `cannot reach ${ctx.origin}: ${code}`
    : `connection to ${ctx.origin} failed during ${ctx.method} ${ctx.path}: ${code}${detail && !detail.includes(code) ? ` (${detail})` : ''}`;
  return new McError('NETWORK', message, { cause: err, hint: NETWORK_HINT });
}

/** True when the error came from the caller's abort signal rather than the network. */
export function isAbortError(err: unknown): boolean {
  const e = err as { name?: string; code?: string } | null;
  return !!e && (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED' || e.code === 'ABORT_ERR');
}

export function abortedError(cause?: unknown): McError {
  return new McError('ABORTED', 'interrupted', cause === undefined ? {} : { cause });
}

/** A 409 or bulk `conflict` of `preconditions`: the remote version is no longer the one planned against. */
export function conflictError(path: string, cause?: unknown): McError {
  return new McError('CONFLICT', `${path} changed on the server since it was last seen; it was kept`, {
    hint: 'run mc status to see both sides',
    ...(cause === undefined ? {} : { cause }),
  });
}

export function isJsonType(contentType: string): boolean {
  return /[/+]json\b/i.test(contentType);
}
