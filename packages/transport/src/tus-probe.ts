import type { HttpClient } from './http-client';
import { header, TUS_VERSION, tusEndpoint } from './tus-protocol';

/** What `OPTIONS {origin}/files/` said. */
export interface TusSupport {
  available: boolean;
  /** `Tus-Extension`, lower case. */
  extensions: ReadonlySet<string>;
  /** `Tus-Max-Size`, when advertised. */
  maxSize?: number;
}

const NONE: TusSupport = { available: false, extensions: new Set() };

/**
 * Some production builds do not serve tus at all (Q28), so tus is used only when
 * `OPTIONS {origin}/files/` answers 2xx with `Tus-Resumable` (mc-api.md §4.1). Any other answer,
 * a redirect included, means "use the multipart routes".
 */
export async function probeTus(client: HttpClient, signal?: AbortSignal): Promise<TusSupport> {
  const res = await client.exchange({ method: 'OPTIONS', url: tusEndpoint(client.origin), headers: { 'tus-resumable': TUS_VERSION }, signal });
  if (res.status < 200 || res.status >= 300 || !header(res.headers, 'tus-resumable')) return NONE;
  const extensions = new Set(
    (header(res.headers, 'tus-extension') ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== ''),
  );
  const maxSize = Number(header(res.headers, 'tus-max-size'));
  return { available: true, extensions, ...(Number.isSafeInteger(maxSize) && maxSize > 0 ? { maxSize } : {}) };
}

/**
 * One probe per remote object, shared by concurrent callers. A connection failure is not cached
 * (the next upload asks again) and reads as "no tus" for this one.
 */
export class TusProbe {
  readonly #client: HttpClient;
  #result: Promise<TusSupport> | undefined;

  constructor(client: HttpClient) {
    this.#client = client;
  }

  get(signal?: AbortSignal): Promise<TusSupport> {
    this.#result ??= probeTus(this.#client, signal).catch(() => {
      this.#result = undefined;
      return NONE;
    });
    return this.#result;
  }
}
