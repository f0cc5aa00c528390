import { McError } from '@mcsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_RETRY, sendJson, startStub } from '../test/stub-server';
import { HttpClient, type HttpClientOptions } from './http-client';
import { DEFAULT_RETRY_POLICY } from './retry';

const TOKEN = 'Tok3nTok3nTok3nTok3nTok3nTok3nTok3nTok3nTok3nTok3nTok3nTok3n';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(handler: Parameters<typeof startStub>[0], extra: Partial<HttpClientOptions> = {}) {
  const stub = await startStub(handler);
  const lines: string[] = [];
  const client = new HttpClient({ baseUrl: stub.baseUrl, token: TOKEN, retry: FAST_RETRY, debug: (l) => lines.push(l), ...extra });
  cleanup.push(() => stub.close(), () => client.close());
  return { stub, client, lines };
}

async function failure(p: Promise<unknown>): Promise<McError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(McError);
    return err as McError;
  }
  throw new Error('expected a failure');
}

describe('HttpClient', () => {
  it('retries a GET after 503 twice and succeeds, counting 3 requests', async () => {
    const { client } = await setup((_req, res, i) => (i < 2 ? sendJson(res, 503, { message: 'busy' }) : sendJson(res, 200, { data: 1 })));
    const res = await client.json({ method: 'GET', path: '/x' });
    expect(res.data).toEqual({ data: 1 });
    expect(client.requestCount()).toBe(3);
  });

  it('waits as long as Retry-After says on 429, then retries', async () => {
    const { client } = await setup((_req, res, i) =>
      i === 0 ? sendJson(res, 429, { message: 'Too Many Attempts.' }, { 'retry-after': '1' }) : sendJson(res, 200, { data: 'ok' }),
    );
    const started = Date.now();
    await client.json({ method: 'GET', path: '/x' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(client.requestCount()).toBe(2);
  });

  it('caps a long Retry-After at maxRetryAfterMs', async () => {
    const { client } = await setup(
      (_req, res, i) => (i === 0 ? sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '3600' }) : sendJson(res, 200, {})),
      { retry: { ...FAST_RETRY, maxRetryAfterMs: 20 } },
    );
    const started = Date.now();
    await client.json({ method: 'GET', path: '/x' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not retry a POST that is not marked idempotent', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 503, { message: 'busy' }));
    const err = await failure(client.json({ method: 'POST', path: '/projects', json: { name: 'p' } }));
    expect(err.code).toBe('SERVER');
    expect(err.status).toBe(503);
    expect(client.requestCount()).toBe(1);
  });

  it('retries a POST marked idempotent, re-creating its stream body for each attempt', async () => {
    const { client, stub } = await setup((_req, res, i) => (i === 0 ? sendJson(res, 502, {}) : sendJson(res, 200, { data: [] })));
    let made = 0;
    const body = () => {
      made++;
      return {
        contentType: 'application/octet-stream',
        contentLength: 6,
        content: (async function* () {
          yield Buffer.from('abc');
          yield Buffer.from('def');
        })(),
      };
    };
    await client.json({ method: 'POST', path: '/up', body, idempotent: true });
    expect(made).toBe(2);
    expect(stub.requests.map((r) => r.body.toString())).toEqual(['abcdef', 'abcdef']);
  });

  it('sends a GET again when its JSON answer does not parse or breaks off mid-body, then takes the whole answer', async () => {
    const { client } = await setup((_req, res, i) => {
      if (i === 0) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('\u0084"data":[1,2,3]}'); // the first byte damaged on the way
      }
      if (i === 1) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '40' });
        res.write('{"data":[1,');
        return res.socket!.destroy(); // the connection drops mid-body
      }
      sendJson(res, 200, { data: [1, 2, 3] });
    });
    expect((await client.json({ method: 'GET', path: '/x' })).data).toEqual({ data: [1, 2, 3] });
    expect(client.requestCount()).toBe(3);
  });

  it('does not send a POST that is not marked idempotent again when its answer does not parse; gives up on a GET after the retries', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":');
    });
    const post = await failure(client.json({ method: 'POST', path: '/projects', json: { name: 'p' } }));
    expect(post.message).toMatch(/invalid JSON from POST \/projects/);
    expect(client.requestCount()).toBe(1);
    const get = await failure(client.json({ method: 'GET', path: '/x' }));
    expect(get.code).toBe('SERVER');
    expect(client.requestCount()).toBe(1 + 1 + DEFAULT_RETRY_POLICY.retries);
  });

  it('gives up after the configured retries', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 500, { message: 'Server Error' }), { retry: { ...FAST_RETRY, retries: 2 } });
    const err = await failure(client.json({ method: 'GET', path: '/x' }));
    expect(err.code).toBe('SERVER');
    expect(err.message).toContain('Server Error');
    expect(client.requestCount()).toBe(3);
  });

  it('does not retry a full server disk (507): one request, a message that says so and what to do', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 507, { message: 'The server is out of storage space.' }), { retry: { ...FAST_RETRY, retries: 4 } });
    const err = await failure(client.json({ method: 'GET', path: '/x' }));
    expect(err.code).toBe('SERVER');
    expect(err.status).toBe(507);
    expect(err.message).toContain('out of storage space');
    expect(err.hint).toMatch(/free space/);
    expect(client.requestCount()).toBe(1);
  });

  it('maps 401 to AUTH with a hint, and never shows the token', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 401, { message: `Unauthenticated. token ${TOKEN}` }));
    const err = await failure(client.json({ method: 'GET', path: '/projects' }));
    expect(err.code).toBe('AUTH');
    expect(err.status).toBe(401);
    expect(err.hint).toMatch(/mc remote --add/);
    expect(err.hint).toMatch(/MC_API_KEY/);
    expect(`${err.message} ${err.hint} ${err.stack}`).not.toContain(TOKEN);
    expect(client.requestCount()).toBe(1);
  });

  it('sends the token only in the Authorization header, with Accept: application/json, and keeps it out of debug lines', async () => {
    const { client, stub, lines } = await setup((_req, res) => sendJson(res, 200, { data: [] }));
    await client.json({ method: 'GET', path: '/projects', query: { sort: 'name' } });
    const req = stub.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers.accept).toBe('application/json');
    expect(req.url).toBe('/api/projects?sort=name');
    expect(req.url).not.toContain(TOKEN);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/api\/projects 200 \d+ms$/);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('sends no Authorization header without a token (public routes)', async () => {
    const { stub } = await setup((_req, res) => sendJson(res, 200, { data: {} }));
    const anon = new HttpClient({ baseUrl: stub.baseUrl });
    cleanup.push(() => anon.close());
    await anon.json({ method: 'GET', path: '/server/info' });
    expect(stub.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('treats any redirect as an error and does not follow it', async () => {
    const { client, stub } = await setup((_req, res) => {
      res.writeHead(302, { location: 'https://example.org/login' });
      res.end();
    });
    const err = await failure(client.json({ method: 'POST', path: '/projects', json: {} }));
    expect(err.code).toBe('SERVER');
    expect(err.status).toBe(302);
    expect(err.message).toContain('redirect');
    expect(stub.requests).toHaveLength(1);
  });

  it('turns an HTML error page into a short readable message', async () => {
    const html = '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center></body></html>';
    const { client } = await setup((_req, res) => {
      res.writeHead(504, { 'content-type': 'text/html' });
      res.end(html);
    }, { retry: { ...FAST_RETRY, retries: 0 } });
    const err = await failure(client.json({ method: 'GET', path: '/projects/1/directories' }));
    expect(err.code).toBe('SERVER');
    expect(err.message).toContain('504 Gateway Time-out');
    expect(err.message).not.toContain('<');
  });

  it('reads `message`, else a string `data`, from JSON error bodies', async () => {
    const { client } = await setup((req, res) =>
      req.url.endsWith('/a') ? sendJson(res, 404, { data: 'Resource not found' }) : sendJson(res, 422, { message: 'The name field is required.', errors: {} }),
    );
    const notFound = await failure(client.json({ method: 'GET', path: '/a' }));
    expect(notFound.code).toBe('NOT_FOUND');
    expect(notFound.message).toContain('Resource not found');
    const invalid = await failure(client.json({ method: 'POST', path: '/b', json: {} }));
    expect(invalid.code).toBe('REJECTED');
    expect(invalid.status).toBe(422);
    expect(invalid.message).toContain('The name field is required.');
  });

  it('refuses a 200 that is not JSON', async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    const err = await failure(client.json({ method: 'GET', path: '/projects' }));
    expect(err.code).toBe('SERVER');
  });

  it('accepts an empty 200 (deletes)', async () => {
    const { client } = await setup((_req, res) => res.end());
    expect((await client.json({ method: 'DELETE', path: '/projects/1' })).data).toBeNull();
  });

  it('reports a refused connection as NETWORK, naming the origin, after retrying', async () => {
    const stub = await startStub(() => {});
    const origin = stub.origin;
    await stub.close();
    const client = new HttpClient({ baseUrl: `${origin}/api`, token: TOKEN, retry: { ...FAST_RETRY, retries: 2 } });
    cleanup.push(() => client.close());
    const err = await failure(client.json({ method: 'GET', path: '/projects' }));
    expect(err.code).toBe('NETWORK');
    expect(err.message).toBe(`cannot reach ${origin}: ECONNREFUSED`);
    expect(err.hint).toBeTruthy();
    expect(client.requestCount()).toBe(3);
  });

  it('stops at once when the signal aborts, with ABORTED', async () => {
    const { client } = await setup((_req, res) => setTimeout(() => sendJson(res, 200, {}), 2_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await failure(client.json({ method: 'GET', path: '/slow', signal: controller.signal }));
    expect(err.code).toBe('ABORTED');
  });

  it('passes an McError thrown by a body stream through, without retrying', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, {}));
    const body = () => ({
      contentType: 'application/octet-stream',
      contentLength: 10,
      content: (async function* () {
        yield Buffer.from('abc');
        throw new McError('CHANGED', 'file changed');
      })(),
    });
    const err = await failure(client.json({ method: 'POST', path: '/up', body, idempotent: true }));
    expect(err.code).toBe('CHANGED');
    expect(client.requestCount()).toBe(1);
  });

  it('counts requests of a child separately and in the parent too', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, {}));
    const child = client.child();
    await child.json({ method: 'GET', path: '/a' });
    await client.json({ method: 'GET', path: '/b' });
    expect(child.requestCount()).toBe(1);
    expect(client.requestCount()).toBe(2);
  });

  it('refuses a base URL with credentials in it', () => {
    expect(() => new HttpClient({ baseUrl: 'http://u:p@localhost/api' })).toThrow(McError);
  });
});
