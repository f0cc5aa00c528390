import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './helpers/harness.js';
import { eventually, partialRequest, sleep } from './helpers/raw-http.js';
import { b64, md5Base64, TusClient } from './helpers/tus.js';

// The tus protocol as both profiles serve it (mc-api.md §4): discovery, creation, HEAD, PATCH,
// termination, refusals, authentication. Completion per profile: tus-completion.test.ts.
describe.each(['stock', 'enhanced'] as const)('tus on the %s profile', (profile) => {
  let h: Harness;
  let tus: TusClient;
  let project: { id: number; rootId: number };
  let bobs: { id: number; rootId: number };
  beforeAll(async () => {
    h = await Harness.start({ profile });
    tus = new TusClient(h);
    project = await h.project('Tus');
    bobs = await h.project('Bob tus', h.bob.token);
  });
  afterAll(() => h.close());

  const create = (length: number, extra: Partial<Parameters<TusClient['create']>[0]> = {}) =>
    tus.create({ projectId: project.id, directoryId: project.rootId, filename: 'f.bin', length, ...extra });

  it('OPTIONS /files/ advertises version and extensions (checksum, expiration and Tus-Max-Size only on enhanced)', async () => {
    const reply = await h.fetch('OPTIONS', tus.endpoint);
    expect(reply.status).toBe(200);
    expect(reply.headers['tus-resumable']).toBe('1.0.0');
    expect(reply.headers['tus-version']).toBe('1.0.0');
    const stock = 'creation,creation-with-upload,termination,concatenation,creation-defer-length';
    if (profile === 'stock') {
      expect(reply.headers['tus-extension']).toBe(stock);
      expect(reply.headers).not.toHaveProperty('tus-max-size');
      expect(reply.headers).not.toHaveProperty('tus-checksum-algorithm');
    } else {
      expect(reply.headers['tus-extension']).toBe(`${stock},checksum,expiration`);
      expect(reply.headers['tus-checksum-algorithm']).toBe('md5,sha1');
      expect(Number(reply.headers['tus-max-size'])).toBeGreaterThan(1024 ** 3);
    }
  });

  it('redirects /files to /files/ (Q24) and refuses GET with 405', async () => {
    const redirect = await h.fetch('POST', `${h.server.origin}/files`, { headers: tus.headers(undefined) });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe(`${h.server.origin}/files/`);
    const created = await create(10);
    const get = await h.fetch('GET', created.location, { headers: tus.headers(undefined) });
    expect(get.status).toBe(405);
    expect((await h.fetch('GET', tus.endpoint)).status).toBe(405);
  });

  it('creates an upload: 201, absolute Location with 32 hex digits; HEAD tells offset, length and metadata', async () => {
    const created = await create(10);
    expect(created.status).toBe(201);
    expect(created.location).toMatch(new RegExp(`^${h.server.origin}/files/[0-9a-f]{32}$`));
    expect(created.headers['tus-resumable']).toBe('1.0.0');
    if (profile === 'enhanced') expect(Date.parse(String(created.headers['upload-expires']))).toBeGreaterThan(Date.now());
    else expect(created.headers).not.toHaveProperty('upload-expires');

    const head = await tus.head(created.location);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('0');
    expect(head.headers['upload-length']).toBe('10');
    expect(head.headers['cache-control']).toBe('no-store');
    expect(head.headers['upload-metadata']).toBe(`project_id ${b64(String(project.id))},directory_id ${b64(String(project.rootId))},filename ${b64('f.bin')}`);
  });

  it('takes PATCHes at the right offset (204 with the new Upload-Offset) and refuses the others', async () => {
    const data = randomBytes(100);
    const { location } = await create(100);
    const first = await tus.patch(location, 0, data.subarray(0, 40));
    expect(first.status).toBe(204);
    expect(first.headers['upload-offset']).toBe('40');

    const stale = await tus.patch(location, 0, data.subarray(0, 40));
    expect(stale.status).toBe(409);
    expect(stale.headers['content-type']).toMatch(/^text\/plain/);
    expect(stale.text).toBe('ERR_MISMATCHED_OFFSET: mismatched offset\n');

    const noVersion = await h.fetch('PATCH', location, {
      headers: { authorization: `Bearer ${h.alice.token}`, 'content-type': 'application/offset+octet-stream', 'upload-offset': '40' },
      body: data.subarray(40),
    });
    expect(noVersion.status).toBe(412);
    expect(noVersion.text).toMatch(/^ERR_UNSUPPORTED_VERSION: /);
    expect(noVersion.headers['tus-version']).toBe('1.0.0');

    const wrongType = await tus.patch(location, 40, data.subarray(40), { headers: { 'content-type': 'application/octet-stream' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.text).toMatch(/^ERR_INVALID_CONTENT_TYPE: /);
    const badOffset = await tus.patch(location, 40, data.subarray(40), { headers: { 'upload-offset': 'x' } });
    expect(badOffset.status).toBe(400);
    expect(badOffset.text).toMatch(/^ERR_INVALID_OFFSET: /);
    const tooMuch = await tus.patch(location, 40, randomBytes(61));
    expect(tooMuch.status).toBe(413);
    expect(tooMuch.text).toMatch(/^ERR_UPLOAD_SIZE_EXCEEDED: /);

    expect((await tus.head(location)).headers['upload-offset']).toBe('40');
  });

  it('terminates with DELETE (204); the upload is then unknown (404)', async () => {
    const { location } = await create(10);
    const removed = await tus.remove(location);
    expect(removed.status).toBe(204);
    expect((await tus.head(location)).status).toBe(404);
    const patch = await tus.patch(location, 0, Buffer.from('0123456789'));
    expect(patch.status).toBe(404);
    expect(patch.text).toBe('ERR_UPLOAD_NOT_FOUND: upload not found\n');
  });

  it('checks the token on every request and lets only the uploader touch an upload', async () => {
    const anonymous = await create(10, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toMatch(/^ERR_UNAUTHENTICATED: /);
    expect((await create(10, { token: 'x'.repeat(60) })).status).toBe(401);

    const { location } = await create(10);
    expect((await tus.head(location, null)).status).toBe(401);
    expect((await tus.patch(location, 0, Buffer.from('0123456789'), { token: null })).status).toBe(401);
    expect((await tus.head(location, h.bob.token)).status).toBe(404);
    expect((await tus.patch(location, 0, Buffer.from('0123456789'), { token: h.bob.token })).status).toBe(404);
    expect((await tus.remove(location, h.bob.token)).status).toBe(404);
    expect((await tus.head(location)).headers['upload-offset']).toBe('0');

    // Only the Bearer header counts for tus, not production's other token places.
    const basic = await h.fetch('HEAD', location, { headers: { authorization: `Basic ${b64(`alice@example.org:${h.alice.token}`)}` } });
    expect(basic.status).toBe(401);
  });

  it("refuses to create an upload in someone else's project (404) or with bad metadata (400)", async () => {
    const foreign = await tus.create({ projectId: bobs.id, directoryId: bobs.rootId, filename: 'x', length: 1 });
    expect(foreign.status).toBe(404);
    expect(foreign.text).toBe('ERR_PROJECT_NOT_FOUND: no such project\n');
    const cases: Array<[Parameters<TusClient['create']>[0], RegExp]> = [
      [{ projectId: project.id, directoryId: project.rootId, length: 1 }, /filename not found/],
      [{ projectId: project.id, filename: 'a', length: 1 }, /neither directory_id or directory_path/],
      [{ projectId: project.id, directoryId: project.rootId, directoryPath: '/a', filename: 'a', length: 1 }, /only one of/],
      [{ projectId: project.id, directoryId: bobs.rootId, filename: 'a', length: 1 }, /directory_id not found/],
      [{ projectId: project.id, directoryId: project.rootId, filename: '../escape', length: 1 }, /plain file name/],
      [{ projectId: project.id, directoryId: project.rootId, filename: '..', length: 1 }, /plain file name/],
      [{ projectId: project.id, directoryPath: '/a/../../b', filename: 'a', length: 1 }, /without "\." or "\.\."/],
      [{ projectId: project.id, directoryPath: 'relative', filename: 'a', length: 1 }, /absolute project path/],
    ];
    for (const [request, message] of cases) {
      const reply = await tus.create(request);
      expect(reply.status, JSON.stringify(request)).toBe(400);
      expect(reply.text).toMatch(/^ERR_INVALID_METADATA: /);
      expect(reply.text).toMatch(message);
    }
    const noLength = await h.fetch('POST', tus.endpoint, {
      headers: tus.headers(undefined, { 'upload-metadata': `project_id ${b64(String(project.id))},directory_id ${b64(String(project.rootId))},filename ${b64('a')}` }),
    });
    expect(noLength.status).toBe(400);
    expect(noLength.text).toMatch(/^ERR_INVALID_UPLOAD_LENGTH: /);
    const badBase64 = await h.fetch('POST', tus.endpoint, {
      headers: tus.headers(undefined, { 'upload-length': '1', 'upload-metadata': 'project_id !!!' }),
    });
    expect(badBase64.status).toBe(400);
  });

  it('refuses concatenation (advertised like production, unusable there: §4.4)', async () => {
    const reply = await create(10, { headers: { 'upload-concat': 'partial' } });
    expect(reply.status).toBe(400);
    expect(reply.text).toMatch(/^ERR_CONCATENATION_UNSUPPORTED: /);
  });

  it('defers the length until a PATCH states it', async () => {
    const { location, status } = await create(0, { length: 'deferred' });
    expect(status).toBe(201);
    const head = await tus.head(location);
    expect(head.headers['upload-defer-length']).toBe('1');
    expect(head.headers).not.toHaveProperty('upload-length');
    expect((await tus.patch(location, 0, Buffer.from('abc'))).headers['upload-offset']).toBe('3');
    const changed = await tus.patch(location, 3, Buffer.from('de'), { headers: { 'upload-length': '2' } });
    expect(changed.status).toBe(400);
    const last = await tus.patch(location, 3, Buffer.from('de'), { headers: { 'upload-length': '5' } });
    expect(last.status).toBe(204);
    expect(last.headers['upload-offset']).toBe('5');
  });

  it('answers 423 to a second request while a PATCH is running', async () => {
    const { location } = await create(1000);
    const path = new URL(location).pathname;
    const held = await partialRequest(h.server.origin, 'PATCH', path, {
      ...tus.headers(undefined, { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': '1000' }),
    }, randomBytes(10));
    try {
      await eventually(async () => {
        const second = await tus.patch(location, 0, randomBytes(10));
        expect(second.status).toBe(423);
        expect(second.text).toMatch(/^ERR_UPLOAD_LOCKED: /);
      });
      expect((await tus.remove(location)).status).toBe(423);
    } finally {
      held.socket.destroy();
    }
    // The dropped PATCH kept its 10 bytes and released the lock.
    await eventually(async () => expect((await tus.head(location)).headers['upload-offset']).toBe('10'));
    expect((await tus.patch(location, 10, randomBytes(5))).status).toBe(204);
  });

  it('keeps the bytes of a PATCH whose connection dropped mid-body, and the upload resumes from there', async () => {
    const data = randomBytes(300_000);
    const { location } = await create(data.length);
    const path = new URL(location).pathname;
    const dropped = await partialRequest(h.server.origin, 'PATCH', path, {
      ...tus.headers(undefined, { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0', 'content-length': String(data.length) }),
    }, data.subarray(0, 123_456));
    await sleep(100);
    dropped.socket.destroy();
    await eventually(async () => expect((await tus.head(location)).headers['upload-offset']).toBe('123456'));
    const rest = await tus.patch(location, 123_456, data.subarray(123_456));
    expect(rest.status).toBe(204);
    expect(rest.headers['upload-offset']).toBe(String(data.length));
  });

  if (profile === 'enhanced') {
    it('discards a dropped PATCH that carried Upload-Checksum: the offset does not move', async () => {
      const data = randomBytes(50_000);
      const { location } = await create(data.length);
      const dropped = await partialRequest(h.server.origin, 'PATCH', new URL(location).pathname, {
        ...tus.headers(undefined, {
          'content-type': 'application/offset+octet-stream',
          'upload-offset': '0',
          'content-length': String(data.length),
          'upload-checksum': `md5 ${md5Base64(data)}`,
        }),
      }, data.subarray(0, 20_000));
      await sleep(100);
      dropped.socket.destroy();
      await sleep(100);
      await eventually(async () => {
        const again = await tus.patch(location, 0, data, { headers: { 'upload-checksum': `md5 ${md5Base64(data)}` } });
        expect(again.status).toBe(204);
      });
    });
  }
});
