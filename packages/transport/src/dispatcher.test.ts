import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startStub } from '../test/stub-server';
import { proxyConfigured } from './dispatcher';
import { HttpClient } from './http-client';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A proxy that records what it is asked for and refuses it. */
async function startProxy() {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(502).end();
  });
  server.on('connect', (req, socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('proxies', () => {
  it('detects proxy variables in either case', () => {
    expect(proxyConfigured({})).toBe(false);
    expect(proxyConfigured({ https_proxy: 'http://p:3128' })).toBe(true);
    expect(proxyConfigured({ HTTP_PROXY: 'http://p:3128' })).toBe(true);
  });

  it('sends requests through HTTP_PROXY', async () => {
    const proxy = await startProxy();
    const client = new HttpClient({ baseUrl: 'http://mc.example.invalid/api', token: 't', env: { HTTP_PROXY: proxy.url }, retry: { retries: 0 } });
    cleanup.push(() => client.close());
    await expect(client.json({ method: 'GET', path: '/projects' })).rejects.toBeTruthy();
    expect(proxy.seen.join()).toContain('mc.example.invalid');
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const proxy = await startProxy();
    const stub = await startStub((_req, res) => sendJson(res, 200, { data: [] }));
    cleanup.push(() => stub.close());
    const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't', env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    cleanup.push(() => client.close());
    await client.json({ method: 'GET', path: '/projects' });
    expect(proxy.seen).toEqual([]);
    expect(stub.requests).toHaveLength(1);
  });
});
