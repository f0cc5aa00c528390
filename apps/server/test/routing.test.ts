import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './helpers/harness.js';

let h: Harness;
let projectId: number;
beforeAll(async () => {
  h = await Harness.start();
  projectId = (await h.project('Routing')).id;
});
afterAll(() => h.close());

describe('request bodies', () => {
  it('refuses a JSON body over 16 MiB with a JSON 413', async () => {
    const reply = await h.call('POST', '/projects', { raw: { body: `{"name":"${'x'.repeat(17 * 1024 * 1024)}"}`, contentType: 'application/json' } });
    expect(reply.status).toBe(413);
    expect(reply.json).toEqual({ message: expect.any(String) });
  });

  it('treats a malformed or empty JSON body as no fields (422 names what is missing)', async () => {
    for (const body of ['{not json', '']) {
      const reply = await h.call('POST', '/projects', { raw: { body, contentType: 'application/json' } });
      expect(reply.status).toBe(422);
      expect(reply.json.errors).toEqual({ name: ['The name field is required.'] });
    }
  });
});

/** The sync-api.md paths: production's 404 on stock, served on enhanced. */
const SYNC_API_PATHS: Array<[method: string, path: string]> = [
  ['GET', '/projects/{p}/tree'],
  ['GET', '/projects/{p}/changes'],
  ['POST', '/projects/{p}/files/bulk-upload'],
  ['POST', '/projects/{p}/files/bulk-download'],
  ['POST', '/projects/{p}/files/by-checksum'],
];

describe('paths the stock profile does not serve', () => {
  it.each<[method: string, path: string]>([
    ...SYNC_API_PATHS,
    ['GET', '/no/such/route'],
    ['GET', '/projects/abc'],
  ])('%s %s → 404 with the router message, as production', async (method, template) => {
    const path = template.replace('{p}', String(projectId));
    const reply = await h.call(method, path, method === 'POST' ? { json: {} } : {});
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ message: `The route api${path} could not be found.` });
  });

  it('answers 404 before checking the token, as an unmatched route has no middleware', async () => {
    const reply = await h.call('GET', `/projects/${projectId}/tree`, { token: null });
    expect(reply.status).toBe(404);
  });

  it('serves tus at {origin}/files/ without the enhanced extensions (tus.test.ts has the rest)', async () => {
    const reply = await request(`${h.server.origin}/files/`, { method: 'OPTIONS', headers: { 'tus-resumable': '1.0.0' } });
    await reply.body.dump();
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['tus-resumable']).toBe('1.0.0');
    expect(reply.headers['tus-extension']).not.toContain('checksum');
  });
});

describe('the enhanced profile', () => {
  let enhanced: Harness;
  beforeAll(async () => {
    enhanced = await Harness.start({ profile: 'enhanced', syncLimits: { bulk_upload_max_files: 7 } });
  });
  afterAll(() => enhanced.close());

  it('advertises sync_api in server/info: version, features, limits (configurable)', async () => {
    const reply = await enhanced.call('GET', '/server/info', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.json.data.sync_api).toEqual({
      version: 1,
      features: ['tree', 'changes', 'bulk-upload', 'bulk-download', 'by-checksum', 'tus-checksum', 'preconditions'],
      limits: { bulk_upload_max_files: 7, bulk_upload_max_bytes: 67108864, bulk_download_max_files: 10000, tus_max_chunk_bytes: 536870912 },
    });
    expect(reply.json.data).toMatchObject({ name: expect.any(String), uuid: expect.any(String) });
  });

  it.each(SYNC_API_PATHS)('serves %s %s (401 without a token)', async (method, template) => {
    const project = await enhanced.project('Routes');
    const reply = await enhanced.call(method, template.replace('{p}', String(project.id)), { token: null, ...(method === 'POST' && { json: {} }) });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ message: 'Unauthenticated.' });
  });
});
