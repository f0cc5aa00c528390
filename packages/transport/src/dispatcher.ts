import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';

export interface DispatcherOptions {
  /** Keep-alive connections per origin (default 32). */
  connections?: number;
  /** Skip TLS certificate verification (a per-remote opt-out; the caller must warn). */
  insecure?: boolean;
  /** Where proxy settings are read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** True when the environment names an HTTP(S) proxy. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARS.some((name) => (env[name] ?? '') !== '');
}

/**
 * One keep-alive dispatcher for a client's whole life: undici's `Agent` keeps a pool per origin.
 * With HTTPS_PROXY / HTTP_PROXY set, `EnvHttpProxyAgent` routes through the proxy and honours NO_PROXY.
 */
export function createDispatcher(opts: DispatcherOptions = {}): Dispatcher {
  const env = opts.env ?? process.env;
  const tls = opts.insecure ? { rejectUnauthorized: false } : undefined;
  const common = {
    connections: opts.connections ?? 32,
    // Below the usual server idle timeouts (Node 5 s), so a pooled socket is not reused just as the
    // server closes it; undici also honours the server's `Keep-Alive: timeout=` hint.
    keepAliveTimeout: 4_000,
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
    ...(tls ? { connect: tls } : {}),
  };
  if (proxyConfigured(env)) {
    // '' (not undefined) so undici does not fall back to process.env when a custom env is given.
    const pick = (upper: string, lower: string) => env[lower] || env[upper] || '';
    return new EnvHttpProxyAgent({
      ...common,
      httpProxy: pick('HTTP_PROXY', 'http_proxy'),
      httpsProxy: pick('HTTPS_PROXY', 'https_proxy'),
      noProxy: pick('NO_PROXY', 'no_proxy'),
      ...(tls ? { requestTls: tls } : {}),
    });
  }
  return new Agent(common);
}
