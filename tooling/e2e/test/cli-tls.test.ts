import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McRecorder } from '../src/cli-fixture';

/**
 * TLS through the `mc` binary (mc-api.md §1.3, cli-contract.md): certificates are verified by
 * default, a private CA given in NODE_EXTRA_CA_CERTS is trusted, and the per-remote opt-out in
 * ~/.materialscommons/mcsync.json works and warns. The server is an HTTPS stub with a certificate
 * made by the system openssl for 127.0.0.1.
 */

const TOKEN = 'TlsE2eTokenTlsE2eTokenTlsE2eTokenTlsE2eTokenTlsE2eTokenTlsE2eT';
const EMAIL = 'ann@example.org';

function selfSigned(dir: string): { key: Buffer; cert: Buffer; certFile: string } | null {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), certFile: join(dir, 'cert.pem') };
  } catch {
    return null;
  }
}

const work = mkdtempSync(join(tmpdir(), 'mcsync-e2e-tls-'));
const pair = selfSigned(work);

// Without openssl there is no certificate to test with: the cases are skipped, not failed.
describe.skipIf(!pair)('mc and TLS', () => {
  const mc = new McRecorder();
  let server: Server;
  let url = '';
  const requests: string[] = [];
  const home = join(work, 'home');

  beforeAll(async () => {
    mkdirSync(home);
    server = createServer({ key: pair!.key, cert: pair!.cert }, (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/api/projects' ? '{"data":[]}' : '{"data":{}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    rmSync(work, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string | undefined> = {}) => ({ MC_API_URL: url, MC_API_KEY: TOKEN, MC_API_EMAIL: EMAIL, NODE_EXTRA_CA_CERTS: undefined, ...extra });

  it('refuses a certificate it cannot verify: exit 2, a message naming TLS and a hint, no request answered', async () => {
    const proj = await mc.run(['proj'], { home, cwd: work, env: env() });
    expect(proj.code).toBe(2);
    expect(proj.stderr).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ not accepted: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    expect(proj.stderr).toMatch(/insecure/);
    expect(requests).toEqual([]);
  });

  it('trusts a CA given in NODE_EXTRA_CA_CERTS', async () => {
    const proj = await mc.run(['proj'], { home, cwd: work, env: env({ NODE_EXTRA_CA_CERTS: pair!.certFile }) });
    expect(proj.code, proj.stderr).toBe(0);
    expect(proj.stderr).not.toMatch(/not verified/);
    expect(requests).toContain('GET /api/projects');
  });

  it('skips verification for a remote marked insecure in mcsync.json, and warns on stderr each run', async () => {
    const insecureHome = join(work, 'insecure-home');
    mkdirSync(join(insecureHome, '.materialscommons'), { recursive: true, mode: 0o700 });
    writeFileSync(join(insecureHome, '.materialscommons', 'mcsync.json'), JSON.stringify({ version: 1, remotes: { [url]: { insecure: true } }, cache: {} }), { mode: 0o600 });
    const proj = await mc.run(['proj', '--json'], { home: insecureHome, cwd: work, env: env() });
    expect(proj.code, proj.stderr).toBe(0);
    expect(JSON.parse(proj.stdout)).toMatchObject({ command: 'proj', projects: [] });
    expect(proj.stderr).toMatch(/warning: TLS certificates of https:\/\/127\.0\.0\.1:\d+\/api are not verified/);

    // The opt-out is per remote: another REST base on the same server stays verified.
    const other = await mc.run(['proj'], { home: insecureHome, cwd: work, env: env({ MC_API_URL: url.replace('/api', '/other/api') }) });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/TLS certificate/);
  });

  it('no output of mc in this file contains the token', () => {
    expect(mc.count).toBe(4);
    expect(mc.leaks([TOKEN])).toEqual([]);
  });
});
