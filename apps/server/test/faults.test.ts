import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultSpecError, startServer } from '../src/index.js';
import { Harness, md5 } from './helpers/harness.js';
import { eventually, partialRequest, sleep } from './helpers/raw-http.js';
import { md5Base64, TusClient, waitForFile } from './helpers/tus.js';

// `startServer({ faults, seed })` / `mc-server start --faults SPEC --seed N` (README.md): injected
// faults as a client meets them. Grammar and determinism: src/faults/*.test.ts.
let h: Harness;
afterEach(() => h.close());

async function withFile(options: Parameters<typeof Harness.start>[0], bytes: Buffer) {
  h = await Harness.start(options);
  const project = await h.project('Faults');
  const file = (await h.upload(project.id, project.rootId, [['data.bin', bytes]])).json.data[0];
  const download = (headers: Record<string, string> = {}) => h.call('GET', `/projects/${project.id}/files/${file.id}/download`, { headers });
  return { project, file, download };
}

describe('tus-patch faults', () => {
  it('corrupt: a chunk with Upload-Checksum is refused with 460 (enhanced) and the retry goes through', async () => {
    h = await Harness.start({ profile: 'enhanced', faults: 'tus-patch:corrupt=7#1' });
    const tus = new TusClient(h);
    const project = await h.project('Corrupt');
    const data = randomBytes(20_000);
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'c.bin', length: data.length });
    const checksum = { 'upload-checksum': `md5 ${md5Base64(data)}` };
    const hit = await tus.patch(location, 0, data, { headers: checksum });
    expect(hit.status).toBe(460);
    expect((await tus.head(location)).headers['upload-offset']).toBe('0');
    const retry = await tus.patch(location, 0, data, { headers: checksum });
    expect(retry.status).toBe(204);
    expect(retry.headers['mc-file-checksum']).toBe(md5(data));
  });

  it('corrupt: without a checksum the flipped byte is stored (stock cannot notice)', async () => {
    h = await Harness.start({ profile: 'stock', faults: 'tus-patch:corrupt=3' });
    const tus = new TusClient(h);
    const project = await h.project('Corrupt stock');
    const data = Buffer.from('0123456789');
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'c.txt', length: data.length });
    expect((await tus.patch(location, 0, data)).status).toBe(204);
    const row = await waitForFile(h, project.id, '/c.txt');
    const stored = (await h.call('GET', `/projects/${project.id}/files/${row.id}/download`)).body;
    expect(stored.length).toBe(10);
    expect(stored[3]).toBe(data[3]! ^ 0xff);
    expect(stored.subarray(4).equals(data.subarray(4))).toBe(true);
  });

  it('reset: the connection dies after ARG bytes of the PATCH body, which are kept', async () => {
    h = await Harness.start({ profile: 'enhanced', faults: 'tus-patch:reset=1000#1' });
    const tus = new TusClient(h);
    const project = await h.project('Reset');
    const data = randomBytes(300_000);
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'r.bin', length: data.length });
    await expect(tus.patch(location, 0, data)).rejects.toThrow();
    await eventually(async () => expect((await tus.head(location)).headers['upload-offset']).toBe('1000'));
    const rest = await tus.patch(location, 1000, data.subarray(1000));
    expect(rest.headers['mc-file-checksum']).toBe(md5(data));
  });

  it('5xx on tus is a text/plain tus error and stops the request before it does anything', async () => {
    h = await Harness.start({ profile: 'enhanced', faults: 'tus-create:status=503#1' });
    const tus = new TusClient(h);
    const project = await h.project('Status');
    const refused = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 's.bin', length: 1 });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.text).toBe('ERR_INJECTED_FAULT: Service Unavailable\n');
    expect((await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 's.bin', length: 1 })).status).toBe(201);
  });
});

describe('download and REST faults', () => {
  const bytes = randomBytes(100_000);

  it('corrupt: one byte of the response body flipped, length unchanged', async () => {
    const { download } = await withFile({ faults: 'download:corrupt=10#1' }, bytes);
    const bad = await download();
    expect(bad.status).toBe(200);
    expect(bad.body.length).toBe(bytes.length);
    expect(bad.body[10]).toBe(bytes[10]! ^ 0xff);
    expect(md5(bad.body)).not.toBe(md5(bytes));
    expect(md5((await download()).body)).toBe(md5(bytes));
  });

  it('reset: the response stops after ARG bytes (or half-way) and the connection is reset; Range resumes', async () => {
    const { download } = await withFile({ faults: 'download:reset=4096#1' }, bytes);
    await expect(download()).rejects.toThrow();
    const resumed = await download({ range: 'bytes=4096-' });
    expect(resumed.status).toBe(206);
    expect(resumed.body.equals(bytes.subarray(4096))).toBe(true);
  });

  it('reset without ARG cuts half-way through the declared length; the client gets exactly those bytes', async () => {
    const { project, file, download } = await withFile({ faults: 'download:reset#1' }, bytes);
    const raw = await partialRequest(h.server.origin, 'GET', `/api/projects/${project.id}/files/${file.id}/download`, {
      accept: 'application/json',
      authorization: `Bearer ${h.alice.token}`,
    }, Buffer.alloc(0));
    const response = await raw.response;
    const [head = '', body = ''] = response.split('\r\n\r\n', 2);
    expect(head).toMatch(new RegExp(`^HTTP/1.1 200[^]*content-length: ${bytes.length}`, 'i'));
    expect(body.length).toBe(bytes.length / 2);
    expect(Buffer.from(body, 'latin1').equals(bytes.subarray(0, bytes.length / 2))).toBe(true);
    expect(md5((await download()).body)).toBe(md5(bytes));
  });

  it('status: production-shaped JSON with Retry-After on 429/503; 5xx draws from 500/502/503/504', async () => {
    h = await Harness.start({ faults: 'listing:status=429#1,download:5xx' });
    const project = await h.project('Status');
    const limited = await h.call('GET', `/projects/${project.id}/directories`);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json).toEqual({ message: 'Too Many Attempts.' });
    expect((await h.call('GET', `/projects/${project.id}/directories`)).status).toBe(200);
    const failed = await h.call('GET', `/projects/${project.id}/files/1/download`);
    expect([500, 502, 503, 504]).toContain(failed.status);
  });

  it('latency: requests of the family wait, others do not', async () => {
    h = await Harness.start({ faults: 'listing:latency=300' });
    const project = await h.project('Slow');
    let started = Date.now();
    await h.call('GET', `/projects/${project.id}/directories`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    started = Date.now();
    await h.call('GET', '/server/info');
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('refuses a SPEC that does not parse, before starting', async () => {
    const dataDir = join(tmpdir(), `mc-server-never-${process.pid}`);
    await expect(startServer({ dataDir, port: 0, faults: 'download:explode' })).rejects.toThrow(FaultSpecError);
    expect(existsSync(dataDir)).toBe(false);
    h = await Harness.start();
  });
});

describe('truncate, slow and enospc', () => {
  const bytes = randomBytes(100_000);
  const listNames = async (projectId: number, rootId: number) =>
    ((await h.call('GET', `/projects/${projectId}/directories/${rootId}/list`)).json.data as Array<{ name: string }>).map((r) => r.name);
  const storedBlobs = (): string[] => {
    const root = join(h.dataDir, 'blobs');
    return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)));
  };

  it('truncate: the response ends cleanly after ARG bytes though Content-Length promised all; the next request is whole', async () => {
    const { project, file, download } = await withFile({ faults: 'download:truncate=4096#1' }, bytes);
    const raw = await partialRequest(h.server.origin, 'GET', `/api/projects/${project.id}/files/${file.id}/download`, {
      accept: 'application/json',
      authorization: `Bearer ${h.alice.token}`,
    }, Buffer.alloc(0));
    let reset = false;
    raw.socket.on('error', () => (reset = true));
    const [head = '', body = ''] = (await raw.response).split('\r\n\r\n', 2);
    expect(head).toMatch(new RegExp(`^HTTP/1.1 200[^]*content-length: ${bytes.length}`, 'i'));
    expect(body.length).toBe(4096);
    expect(Buffer.from(body, 'latin1').equals(bytes.subarray(0, 4096))).toBe(true);
    expect(reset).toBe(false);
    expect(md5((await download()).body)).toBe(md5(bytes));
  });

  it.each([
    ['truncate', 'download:truncate=4096'],
    ['truncate with slow', 'download:truncate=4096,download:slow=1000000'],
    ['reset', 'download:reset=4096'],
  ])('%s on a response queued behind another on a keep-alive connection still cuts it and closes the connection', async (_name, faults) => {
    // The second of two pipelined requests (sent as the first one's "body": a GET has none, so the
    // server reads it as the next request) is answered before the first, held up by latency, is
    // done: its response has no socket yet when the cut comes, and must still end the connection.
    const { project, file } = await withFile({ faults: `${faults},listing:latency=300` }, bytes);
    const headers = { accept: 'application/json', authorization: `Bearer ${h.alice.token}` };
    const host = new URL(h.server.origin).host;
    const second = [`GET /api/projects/${project.id}/files/${file.id}/download HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    const raw = await partialRequest(h.server.origin, 'GET', `/api/projects/${project.id}/directories`, headers, Buffer.from(second));
    const response = await Promise.race([raw.response, sleep(5000).then(() => 'the connection stayed open')]);
    const answers = response.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((a) => a.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
    const [head = '', body = ''] = answers[1]!.split('\r\n\r\n', 2);
    expect(head).toMatch(new RegExp(`content-length: ${bytes.length}`, 'i'));
    expect(body.length).toBe(4096);
  });

  it('truncate without ARG ends a JSON listing half-way: the client gets text that does not parse', async () => {
    h = await Harness.start({ faults: 'listing:truncate#1' });
    const project = await h.project('Truncated');
    await expect(h.call('GET', `/projects/${project.id}/directories`)).rejects.toThrow();
    expect((await h.call('GET', `/projects/${project.id}/directories`)).status).toBe(200);
  });

  it('slow: the body arrives whole, paced to ARG bytes per second', async () => {
    const { download } = await withFile({ faults: 'download:slow=200000#1' }, bytes);
    const started = Date.now();
    const paced = await download();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(paced.body.equals(bytes)).toBe(true);
  });

  it('enospc on a multipart upload: 507 with a clear message, no row, no blob, no temp file; the retry stores it', async () => {
    h = await Harness.start({ faults: 'upload:enospc#1' });
    const project = await h.project('Full disk');
    const big = randomBytes(300_000);
    const before = storedBlobs();
    const full = await h.upload(project.id, project.rootId, [['big.bin', big], ['small.txt', 'small']]);
    expect(full.status).toBe(507);
    expect(full.json).toEqual({ message: 'The server is out of storage space.' });
    expect(await listNames(project.id, project.rootId)).toEqual([]);
    expect(storedBlobs()).toEqual(before);
    expect(readdirSync(join(h.dataDir, 'tmp'))).toEqual([]);
    const retry = await h.upload(project.id, project.rootId, [['big.bin', big]]);
    expect(retry.status).toBe(200);
    expect(retry.json.data[0].checksum).toBe(md5(big));
  });

  it('enospc on a tus PATCH: 507, the offset and the partial file stay where they were; the retry completes', async () => {
    h = await Harness.start({ profile: 'enhanced', faults: 'tus-patch:enospc#1' });
    const tus = new TusClient(h);
    const project = await h.project('Full disk tus');
    const data = randomBytes(3_000_000);
    const { location } = await tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'full.bin', length: data.length });
    const full = await tus.patch(location, 0, data);
    expect(full.status).toBe(507);
    expect((await tus.head(location)).headers['upload-offset']).toBe('0');
    const partials = join(h.dataDir, 'tus');
    if (existsSync(partials)) for (const name of readdirSync(partials)) expect(statSync(join(partials, name)).size).toBe(0);
    const retry = await tus.patch(location, 0, data);
    expect(retry.status).toBe(204);
    expect(retry.headers['mc-file-checksum']).toBe(md5(data));
  });

  it('enospc on bulk-upload: 507 and nothing of the request kept', async () => {
    h = await Harness.start({ profile: 'enhanced', faults: 'bulk:enospc#1' });
    const project = await h.project('Full disk bulk');
    const files = [{ path: '/a.txt', content: 'alpha' }, { path: '/b.txt', content: randomBytes(200_000) }];
    const form = [
      { name: 'manifest', value: JSON.stringify(files.map((f) => ({ path: f.path, size: Buffer.byteLength(f.content), md5: md5(f.content) }))) },
      ...files.map((f, i) => ({ name: 'file', filename: `part-${i}`, content: f.content })),
    ];
    const full = await h.call('POST', `/projects/${project.id}/files/bulk-upload`, { form });
    expect([full.status, full.text]).toEqual([507, JSON.stringify({ message: 'The server is out of storage space.' })]);
    expect(await listNames(project.id, project.rootId)).toEqual([]);
    expect(readdirSync(join(h.dataDir, 'tmp'))).toEqual([]);
    expect((await h.call('POST', `/projects/${project.id}/files/bulk-upload`, { form })).status).toBe(200);
  });
});
