import { randomBytes } from 'node:crypto';
import { McError } from '@mcsync/core';
import type { StreamBody } from './http-client';

/** One file part of a `multipart/form-data` body. */
export interface MultipartFilePart {
  fieldName: string;
  /** Sent verbatim in `filename="…"`: must pass `isMultipartSafeName`. */
  filename: string;
  /** Exact byte count `content()` yields (needed up front for Content-Length). */
  size: number;
  contentType?: string;
  /** The part's bytes, read lazily while the body is sent. */
  content: () => AsyncIterable<Uint8Array>;
}

/** A form field (no filename): JSON manifests, preconditions. */
export interface MultipartFieldPart {
  fieldName: string;
  value: string | Buffer;
  /** Sent as the part's Content-Type when given (e.g. `application/json`). */
  contentType?: string;
}

export type MultipartPart = MultipartFilePart | MultipartFieldPart;

/**
 * Names that survive a quoted `filename="…"` parameter unchanged on every parser we know:
 * printable ASCII without `"` (ends the quote), `\` (busboy and PHP cut the name at it, taking the
 * basename), `%` (some parsers percent-decode). busboy decodes raw bytes above 0x7F as UTF-8 but
 * not every parser does, and CR/LF or control characters break the header; anything else is
 * uploaded through the named route (`…/upload/{name}`), where the name travels percent-encoded.
 */
export function isMultipartSafeName(name: string): boolean {
  return /^[\x20-\x7e]+$/.test(name) && !/["\\%]/.test(name);
}

export function newBoundary(): string {
  return `----mcsync-${randomBytes(16).toString('hex')}`;
}

/**
 * A streamed `multipart/form-data` body. Written by hand rather than with FormData so that file
 * bytes are read (and hashed by the caller) while they are sent, never buffered whole, and so the
 * Content-Length is known before the first byte.
 */
export function multipartBody(parts: readonly MultipartPart[], boundary: string = newBoundary()): StreamBody {
  const heads = parts.map((p) => Buffer.from(`--${boundary}\r\n${partHeaders(p)}\r\n`, 'latin1'));
  const crlf = Buffer.from('\r\n', 'latin1');
  const tail = Buffer.from(`--${boundary}--\r\n`, 'latin1');
  const values = parts.map((p) => ('value' in p ? (typeof p.value === 'string' ? Buffer.from(p.value, 'utf8') : p.value) : null));
  let contentLength = tail.length;
  parts.forEach((p, i) => {
    contentLength += heads[i]!.length + (values[i]?.length ?? (p as MultipartFilePart).size) + crlf.length;
  });

  async function* content(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < parts.length; i++) {
      yield heads[i]!;
      const value = values[i];
      if (value) {
        if (value.length > 0) yield value;
        yield crlf;
        continue;
      }
      const part = parts[i] as MultipartFilePart;
      let sent = 0;
      for await (const chunk of part.content()) {
        sent += chunk.byteLength;
        if (sent > part.size) break;
        yield chunk;
      }
      if (sent !== part.size) {
        throw new McError('INTERNAL', `part ${part.filename} produced ${sent} bytes, ${part.size} announced`);
      }
      yield crlf;
    }
    yield tail;
  }

  return { contentType: `multipart/form-data; boundary=${boundary}`, contentLength, content: content() };
}

function partHeaders(p: MultipartPart): string {
  if (/["\r\n]/.test(p.fieldName)) throw new McError('INTERNAL', `field name not safe in a multipart header: ${JSON.stringify(p.fieldName)}`);
  if ('value' in p) {
    return `Content-Disposition: form-data; name="${p.fieldName}"\r\n${p.contentType ? `Content-Type: ${p.contentType}\r\n` : ''}`;
  }
  if (!isMultipartSafeName(p.filename)) {
    throw new McError('INTERNAL', `name not safe in a multipart header: ${JSON.stringify(p.filename)}`);
  }
  return `Content-Disposition: form-data; name="${p.fieldName}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType ?? 'application/octet-stream'}\r\n`;
}
