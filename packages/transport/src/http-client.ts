import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { McError } from '@mcsync/core';
import type { Dispatcher } from 'undici';
import { createDispatcher } from './dispatcher';
import {
  type RequestContext,
  abortedError,
  connectionError,
  describeErrorBody,
  isAbortError,
  isJsonType,
  isTlsError,
  redirectError,
  STORAGE_FULL,
  statusError,
} from './http-errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, backoffDelay, retryAfterDelay, waitFor } from './retry';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** A request body that is streamed; `content` must be fresh for each call of the factory. */
export interface StreamBody {
  contentType: string;
  /** Exact byte count of `content` (sent as Content-Length; undici refuses a mismatch). */
  contentLength: number;
  content: AsyncIterable<Uint8Array> | Uint8Array;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the REST base, e.g. `/projects/7/directories`. Never put a token here. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body (sent with `Content-Type: application/json`). */
  json?: unknown;
  /** Streamed body, re-created for every attempt so a retry sends the bytes again. */
  body?: () => StreamBody;
  /**
   * May the request be sent twice? Defaults to true for GET/HEAD/PUT/DELETE and false for POST;
   * only idempotent requests are retried.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; null when the body was empty. */
  data: unknown;
}

export interface StreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body; the caller must consume or destroy it. */
  body: Readable;
}

/** A request outside the REST API (tus): absolute URL on the server's origin, any method, no retries. */
export interface ExchangeRequest {
  method: string;
  /** Absolute URL; must be on the client's origin (the token never goes to another host). */
  url: string;
  headers?: Record<string, string>;
  body?: StreamBody;
  signal?: AbortSignal | undefined;
}

/** Any status comes back as it is; the caller's protocol decides what each one means. */
export interface ExchangeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The (small) response body as text. */
  text: string;
}

export interface HttpClientOptions {
  /** REST base including `/api`, e.g. `https://materialscommons.org/api`. */
  baseUrl: string;
  /** API token, sent only as `Authorization: Bearer`. Omit for the public routes (login). */
  token?: string | undefined;
  /** Skip TLS certificate verification for this remote. */
  insecure?: boolean;
  /** Keep-alive connections to the server (default 32). */
  connections?: number;
  /** Receives one line per request: method, path, status, duration. Tokens are redacted. */
  debug?: (line: string) => void;
  retry?: Partial<RetryPolicy>;
  /** Environment for proxy settings (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Use this dispatcher instead of creating one (the client then does not close it). */
  dispatcher?: Dispatcher;
  /** A JSON answer larger than this is refused (default `MAX_JSON_BYTES`; tests lower it). */
  maxJsonBytes?: number;
}

/**
 * A JSON answer larger than this is refused with SERVER, not read to the end: a server that sends
 * an endless or gigabyte body must not fill memory. Production's largest answers are unpaginated
 * directory listings at a few KiB per row (with `owner` embedded), tens of MiB for a huge folder.
 */
export const MAX_JSON_BYTES = 256 << 20;
/** Of an error body only a short prefix is shown (describeErrorBody): the rest is not read. */
const MAX_ERROR_BODY_BYTES = 64 << 10;
/** tus answers carry headers and at most a short message. */
const MAX_EXCHANGE_BODY_BYTES = 1 << 20;

interface Shared {
  origin: string;
  basePath: string;
  token: string | undefined;
  dispatcher: Dispatcher;
  ownsDispatcher: boolean;
  debug: ((line: string) => void) | undefined;
  retry: RetryPolicy;
  redact: (text: string) => string;
  maxJsonBytes: number;
}

const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The REST client: one keep-alive dispatcher, bearer auth, JSON parsing, errors as McError and
 * retries with backoff for idempotent requests. `child()` makes a view that shares the connections
 * but counts its own requests (one per RemoteProject).
 */
export class HttpClient {
  readonly #shared: Shared;
  readonly #counters: { n: number }[];
  readonly #own = { n: 0 };

  /** `{ parent }` makes the same view as `parent.child()`. */
  constructor(opts: HttpClientOptions | { parent: HttpClient }) {
    if ('parent' in opts) {
      this.#shared = opts.parent.#shared;
      this.#counters = [this.#own, ...opts.parent.#counters];
      return;
    }
    const url = new URL(opts.baseUrl);
    if (url.username || url.password || url.search) {
      throw new McError('CONFIG', 'the remote URL must not contain credentials or a query string', {
        hint: 'store the token with `mc remote --add`, never in the URL',
      });
    }
    const token = opts.token === undefined || opts.token === '' ? undefined : opts.token;
    this.#shared = {
      origin: url.origin,
      basePath: url.pathname.replace(/\/+$/, ''),
      token,
      dispatcher: opts.dispatcher ?? createDispatcher(opts),
      ownsDispatcher: opts.dispatcher === undefined,
      debug: opts.debug,
      retry: { ...DEFAULT_RETRY_POLICY, ...opts.retry },
      redact: makeRedactor(token),
      maxJsonBytes: opts.maxJsonBytes ?? MAX_JSON_BYTES,
    };
    this.#counters = [this.#own];
  }

  /** The REST base URL this client talks to (no token). */
  get baseUrl(): string {
    return this.#shared.origin + this.#shared.basePath;
  }

  /** `scheme://host:port` of the server. */
  get origin(): string {
    return this.#shared.origin;
  }

  /** A view sharing the connections and settings, with its own request counter. */
  child(): HttpClient {
    return new HttpClient({ parent: this });
  }

  /** HTTP requests sent through this client (and its children), retries included. */
  requestCount(): number {
    return this.#own.n;
  }

  /** Replaces secrets (the token) in text built from server output. */
  redact(text: string): string {
    return this.#shared.redact(text);
  }

  /**
   * Sends a request and parses its JSON answer; non-2xx statuses become McErrors. An idempotent
   * request whose answer breaks off or does not parse (a connection dropped mid-body, bytes damaged
   * on the way) is sent again, as one that failed before its answer came.
   */
  async json(req: HttpRequest): Promise<JsonResponse> {
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(req.method);
    for (let attempt = 0; ; attempt++) {
      const answer = await this.#jsonOnce(req);
      if (!('broken' in answer)) return answer;
      if (!idempotent || attempt >= this.#shared.retry.retries) throw answer.broken;
      await this.#pause(backoffDelay(attempt, this.#shared.retry), req.signal);
    }
  }

  /** One `json` exchange; an answer that broke off or does not parse comes back as `broken`. */
  async #jsonOnce(req: HttpRequest): Promise<JsonResponse | { broken: McError }> {
    const res = await this.#send(req);
    const contentType = headerText(res.headers['content-type']);
    const max = this.#shared.maxJsonBytes;
    const tooLarge = () =>
      new McError('SERVER', `the answer to ${req.method} ${req.path} is larger than ${max} bytes; it was not read to the end`, {
        status: res.statusCode,
        hint: 'the server sent far more than any Materials Commons answer holds; check the remote URL',
      });
    if (Number(headerText(res.headers['content-length'])) > max) {
      discardBody(res.body);
      throw tooLarge();
    }
    let read: BoundedText;
    try {
      read = await readBounded(res.body, max);
    } catch (err) {
      const error = this.bodyError(err, req);
      if (error.code === 'NETWORK') return { broken: error };
      throw error;
    }
    if (read.cut) throw tooLarge();
    const text = read.text;
    if (text === '') return { status: res.statusCode, headers: res.headers, data: null };
    if (!isJsonType(contentType)) {
      throw new McError('SERVER', `expected JSON from ${req.method} ${req.path}, got ${contentType || 'no content type'}`, {
        status: res.statusCode,
      });
    }
    try {
      return { status: res.statusCode, headers: res.headers, data: JSON.parse(text) };
    } catch (err) {
      return { broken: new McError('SERVER', `invalid JSON from ${req.method} ${req.path}`, { status: res.statusCode, cause: err }) };
    }
  }

  /** Sends a request and hands back the body stream of a 2xx answer (downloads). */
  async stream(req: HttpRequest): Promise<StreamResponse> {
    const res = await this.#send(req);
    return { status: res.statusCode, headers: res.headers, body: res.body };
  }

  /** Maps a failure while reading a response body to an McError (NETWORK, or ABORTED). */
  bodyError(err: unknown, req: { method: string; path: string }): McError {
    if (err instanceof McError) return err;
    if (isAbortError(err)) return abortedError(err);
    return connectionError(err, this.#context(req));
  }

  /**
   * One request to `req.url` with the bearer token, for protocols whose statuses carry meaning
   * (tus: 409, 423, 460…): every status is returned, none is retried, redirects are not followed.
   * Only connection failures (NETWORK), aborts (ABORTED) and errors thrown by the body stream itself
   * are thrown.
   */
  async exchange(req: ExchangeRequest): Promise<ExchangeResponse> {
    const s = this.#shared;
    const url = new URL(req.url);
    const ctx = { method: req.method, path: url.pathname, origin: s.origin, redact: s.redact };
    if (url.origin !== s.origin) {
      throw new McError('SERVER', `the server sent an upload URL on another host (${s.redact(url.origin)}); it was not followed`, {
        hint: 'the token is only sent to the remote it belongs to',
      });
    }
    const headers: Record<string, string> = { 'user-agent': 'mcsync', ...req.headers };
    if (s.token !== undefined) headers.authorization = `Bearer ${s.token}`;
    let body: Dispatcher.DispatchOptions['body'] = null;
    if (req.body) {
      headers['content-type'] = req.body.contentType;
      headers['content-length'] = String(req.body.contentLength);
      body = req.body.content as Dispatcher.DispatchOptions['body'];
    }
    for (const c of this.#counters) c.n++;
    const started = performance.now();
    const logReq = { method: req.method, path: url.pathname };
    try {
      const res = await s.dispatcher.request({ origin: s.origin, path: url.pathname + url.search, method: req.method as Dispatcher.HttpMethod, headers, body, signal: req.signal ?? null });
      this.#log(logReq, String(res.statusCode), started, 0, '');
      let text: string;
      try {
        text = (await readBounded(res.body, MAX_EXCHANGE_BODY_BYTES)).text;
      } catch (err) {
        throw this.bodyError(err, logReq);
      }
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      if (err instanceof McError) throw err;
      if (isAbortError(err) || req.signal?.aborted) {
        this.#log(logReq, 'aborted', started, 0, '');
        throw abortedError(err);
      }
      this.#log(logReq, (err as { code?: string }).code ?? 'error', started, 0, '');
      throw connectionError(err, ctx);
    }
  }

  /** Closes the connections (no-op on a child, or when the dispatcher was given). */
  async close(): Promise<void> {
    if (this.#counters.length === 1 && this.#shared.ownsDispatcher) await this.#shared.dispatcher.close();
  }

  async #send(req: HttpRequest): Promise<Dispatcher.ResponseData> {
    const s = this.#shared;
    const ctx = this.#context(req);
    const idempotent = req.idempotent ?? IDEMPOTENT_METHODS.has(req.method);
    const fullPath = s.basePath + req.path + queryString(req.query);
    const jsonBody = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json));

    for (let attempt = 0; ; attempt++) {
      if (req.signal?.aborted) throw abortedError(req.signal.reason);
      const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'mcsync', ...req.headers };
      if (s.token !== undefined) headers.authorization = `Bearer ${s.token}`;
      let body: Dispatcher.DispatchOptions['body'] = null;
      if (jsonBody) {
        headers['content-type'] = 'application/json';
        body = jsonBody;
      } else if (req.body) {
        const b = req.body();
        headers['content-type'] = b.contentType;
        headers['content-length'] = String(b.contentLength);
        body = b.content as Dispatcher.DispatchOptions['body'];
      }

      for (const c of this.#counters) c.n++;
      const started = performance.now();
      let res: Dispatcher.ResponseData;
      try {
        res = await s.dispatcher.request({
          origin: s.origin,
          path: fullPath,
          method: req.method,
          headers,
          body,
          signal: req.signal ?? null,
        });
      } catch (err) {
        if (err instanceof McError) {
          // thrown by our own body stream (a local file changed or vanished): not the network's fault
          this.#log(req, err.code, started, attempt);
          throw err;
        }
        if (isAbortError(err) || req.signal?.aborted) {
          this.#log(req, 'aborted', started, attempt);
          throw abortedError(err);
        }
        const mc = connectionError(err, ctx);
        this.#log(req, (err as { code?: string }).code ?? 'error', started, attempt);
        if (!idempotent || attempt >= s.retry.retries || isTlsError(err)) throw mc;
        await this.#pause(backoffDelay(attempt, s.retry), req.signal);
        continue;
      }

      const status = res.statusCode;
      this.#log(req, String(status), started, attempt);
      if (status >= 200 && status < 300) return res;

      if (status >= 300 && status < 400) {
        res.body.resume();
        throw redirectError(status, headerText(res.headers.location) || undefined, ctx);
      }
      // A full disk (507) is not passing: it fails at once with its own message.
      const retryable = idempotent && ((status >= 500 && status !== STORAGE_FULL) || status === 429) && attempt < s.retry.retries;
      let text: string;
      try {
        text = (await readBounded(res.body, MAX_ERROR_BODY_BYTES)).text;
      } catch (err) {
        throw this.bodyError(err, req);
      }
      if (retryable) {
        const delay = status === 429 ? retryAfterDelay(res.headers['retry-after'], s.retry) : backoffDelay(attempt, s.retry);
        await this.#pause(delay, req.signal);
        continue;
      }
      throw statusError(status, describeErrorBody(headerText(res.headers['content-type']), text), ctx);
    }
  }

  async #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await waitFor(ms, signal);
    } catch (err) {
      throw abortedError(err);
    }
  }

  #context(req: { method: string; path: string }): RequestContext {
    return { method: req.method, path: req.path, origin: this.#shared.origin, redact: this.#shared.redact };
  }

  #log(req: { method: string; path: string }, outcome: string, started: number, attempt: number, base = this.#shared.basePath): void {
    const debug = this.#shared.debug;
    if (!debug) return;
    const ms = Math.round(performance.now() - started);
    const retry = attempt > 0 ? ` (retry ${attempt})` : '';
    debug(this.#shared.redact(`${req.method} ${base}${req.path} ${outcome} ${ms}ms${retry}`));
  }
}

function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

interface BoundedText {
  /** The body as UTF-8, or its first `max` bytes when it was longer. */
  text: string;
  /** True when the body was longer than `max`: the rest was not read and the connection is closed. */
  cut: boolean;
}

/** Reads a response body up to `max` bytes (undici's `text()` has no bound). */
async function readBounded(body: Readable, max: number): Promise<BoundedText> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (bytes + chunk.length > max) {
      chunks.push(chunk.subarray(0, max - bytes));
      discardBody(body);
      return { text: Buffer.concat(chunks).toString('utf8'), cut: true };
    }
    chunks.push(chunk);
    bytes += chunk.length;
  }
  return { text: Buffer.concat(chunks, bytes).toString('utf8'), cut: false };
}

/**
 * Closes a response body that will not be read (further). undici's body emits 'error' when it is
 * destroyed before its end; without a listener that error would crash the process.
 */
export function discardBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

function headerText(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Removes the token, and anything shaped like a token field, from text. */
function makeRedactor(token: string | undefined): (text: string) => string {
  return (text) => {
    let out = text.replace(/(api_token["'=:\s]+)[A-Za-z0-9]+/gi, '$1[redacted]');
    if (token) out = out.split(token).join('[redacted]');
    return out;
  };
}
