import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from './http-client';

/** A self-signed certificate from the system openssl; the tests are skipped without one. */
function selfSigned(): { key: Buffer; cert: Buffer } | null {
  const dir = mkdtempSync(join(tmpdir(), 'mcsync-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pair = selfSigned();
let server: ReturnType<typeof createServer> | undefined;
let baseUrl = '';

beforeAll(async () => {
  if (!pair) return;
  server = createServer(pair, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"data":[]}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

describe.skipIf(!pair)('TLS', () => {
  it('verifies certificates by default: a self-signed one is a NETWORK error, not retried', async () => {
    const client = new HttpClient({ baseUrl, token: 't', retry: { retries: 3, baseDelayMs: 1 } });
    try {
      const err = await client.json({ method: 'GET', path: '/projects' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NETWORK' });
      expect((err as Error).message).toMatch(/certificate/);
      expect(client.requestCount()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('accepts it when the remote is marked insecure', async () => {
    const client = new HttpClient({ baseUrl, token: 't', insecure: true });
    try {
      expect((await client.json({ method: 'GET', path: '/projects' })).data).toEqual({ data: [] });
    } finally {
      await client.close();
    }
  });
});
