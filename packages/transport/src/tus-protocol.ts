import type { IncomingHttpHeaders } from 'node:http';
import { McError } from '@mcsync/core';
import { AUTH_HINT, STORAGE_FULL, storageFullError } from './http-errors';

/** The only tus version production speaks (mc-api.md §4.2). */
export const TUS_VERSION = '1.0.0';

/** tus `checksum` extension: the server refuses a chunk whose checksum does not match. */
export const TUS_CHECKSUM_MISMATCH = 460;

/** `{origin}/files/`: the trailing slash matters (Q24: without it a 301, and the POST is lost). */
export function tusEndpoint(origin: string): string {
  return `${origin}/files/`;
}

/** `Upload-Metadata`: comma-separated `key base64(utf-8 value)` pairs, standard base64 with padding (§4.3). */
export function encodeMetadata(pairs: Readonly<Record<string, string>>): string {
  return Object.entries(pairs)
    .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}

/** Reads `Upload-Metadata` back (tests, and checking what a resumed upload was created with). */
export function decodeMetadata(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A non-negative integer header (`Upload-Offset`, `Upload-Length`, `MC-File-Id`), or undefined. */
export function intHeader(headers: IncomingHttpHeaders, name: string): number | undefined {
  const v = header(headers, name)?.trim();
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The upload URL from a creation answer: `Location`, resolved against the endpoint if relative (§4.2). */
export function uploadUrl(headers: IncomingHttpHeaders, endpoint: string): string {
  const location = header(headers, 'location');
  if (!location) throw new McError('SERVER', 'the tus server created an upload without a Location');
  return new URL(location, endpoint).toString();
}

/** The `ERR_…` code of a tus error body (`"<ERR_CODE>: <message>\n"`), when there is one. */
export function tusErrorCode(text: string): string | undefined {
  return /^(ERR_[A-Z_]+)\b/.exec(text.trim())?.[1];
}

/** A tus answer the client cannot recover from, as an McError with a stable code. */
export function tusStatusError(status: number, text: string, what: string): McError {
  const detail = text.trim().replace(/\s+/g, ' ').slice(0, 160) || 'no details';
  if (status === 401) return new McError('AUTH', `the tus server refused the API token on ${what} (HTTP 401: ${detail})`, { status, hint: AUTH_HINT });
  if (status === 404 || status === 410) return new McError('NOT_FOUND', `${what}: the upload is gone (HTTP ${status}: ${detail})`, { status });
  if (status === STORAGE_FULL) return storageFullError(what);
  if (status >= 500) return new McError('SERVER', `tus server error on ${what} (HTTP ${status}: ${detail})`, { status });
  return new McError('REJECTED', `the tus server refused ${what} (HTTP ${status}: ${detail})`, { status });
}
