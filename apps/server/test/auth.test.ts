import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(() => h.close());

describe('POST /get_apitoken', () => {
  it('returns the token, email and id for a correct password', async () => {
    const reply = await h.call('POST', '/get_apitoken', {
      token: null,
      json: { email: 'alice@example.org', password: 'alice-password' },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: { api_token: h.alice.token, email: 'alice@example.org', id: h.alice.id } });
    expect(h.alice.token).toMatch(/^[A-Za-z0-9]{60}$/);
  });

  it('matches the email case-insensitively', async () => {
    const reply = await h.call('POST', '/get_apitoken', {
      token: null,
      json: { email: 'ALICE@example.org', password: 'alice-password' },
    });
    expect(reply.json.data.api_token).toBe(h.alice.token);
  });

  it('refuses an unknown email and a wrong password with 400', async () => {
    const unknown = await h.call('POST', '/get_apitoken', { token: null, json: { email: 'x@example.org', password: 'p' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ message: 'No such user' });
    const wrong = await h.call('POST', '/get_apitoken', { token: null, json: { email: 'alice@example.org', password: 'nope' } });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual({ message: 'Invalid password' });
  });

  it('answers 422 with Laravel wording when fields are missing', async () => {
    const reply = await h.call('POST', '/get_apitoken', { token: null, json: {} });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual({
      message: 'The email field is required. (and 1 more error)',
      errors: { email: ['The email field is required.'], password: ['The password field is required.'] },
    });
  });

  it('accepts form-encoded bodies too', async () => {
    const reply = await h.call('POST', '/get_apitoken', {
      token: null,
      raw: { body: 'email=bob%40example.org&password=bob-password', contentType: 'application/x-www-form-urlencoded' },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.data.api_token).toBe(h.bob.token);
  });
});

describe('GET /server/info', () => {
  it('is public and has production placeholders, no sync_api', async () => {
    const reply = await h.call('GET', '/server/info', { token: null });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toMatchObject({
      globus_endpoint_id: null,
      institution: expect.any(String),
      version: expect.any(String),
      contact: expect.any(String),
      name: expect.any(String),
      uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(reply.json.data).not.toHaveProperty('sync_api');
  });
});

describe('token locations', () => {
  it('401 Unauthenticated without a token or with a wrong one', async () => {
    for (const token of [null, 'x'.repeat(60)]) {
      const reply = await h.call('GET', '/projects', { token });
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ message: 'Unauthenticated.' });
    }
  });

  it('accepts the query, a body field, Bearer and the Basic password', async () => {
    const query = await h.call('GET', `/projects?api_token=${h.bob.token}`, { token: null });
    expect(query.status).toBe(200);
    const body = await h.call('POST', '/projects', { token: null, json: { api_token: h.bob.token, name: 'from-body' } });
    expect(body.status).toBe(201);
    expect(body.json.data.owner_id).toBe(h.bob.id);
    const basic = await h.call('GET', '/projects', {
      token: null,
      headers: { authorization: `Basic ${Buffer.from(`bob@example.org:${h.bob.token}`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
    expect(basic.json.data.map((p: any) => p.name)).toContain('from-body');
  });

  it('takes the first location that has a token: the query beats the header', async () => {
    const reply = await h.call('GET', `/projects?api_token=${h.bob.token}`, { token: h.alice.token });
    expect(reply.json.data.every((p: any) => p.owner_id === h.bob.id)).toBe(true);
    const wrongQuery = await h.call('GET', '/projects?api_token=wrong', { token: h.alice.token });
    expect(wrongQuery.status).toBe(401);
  });

  it('accepts a multipart api_token field that precedes the file', async () => {
    const project = await h.project('multipart-token', h.bob.token);
    const reply = await h.call('POST', `/projects/${project.id}/files/${project.rootId}/upload`, {
      token: null,
      form: [
        { name: 'api_token', value: h.bob.token },
        { name: 'files[]', filename: 'a.txt', content: 'a' },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.json.data[0].owner_id).toBe(h.bob.id);
  });
});

describe('without Accept: application/json (Q11)', () => {
  it('redirects an unauthenticated request to the login page', async () => {
    const reply = await h.call('GET', '/projects', { token: null, acceptJson: false });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe(`${h.server.origin}/login`);
  });

  it('redirects a validation failure back and renders other refusals as HTML', async () => {
    const invalid = await h.call('POST', '/projects', { json: {}, acceptJson: false });
    expect(invalid.status).toBe(302);
    const missing = await h.call('GET', '/projects/999999', { acceptJson: false });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
  });

  it('still answers successful requests with JSON', async () => {
    const reply = await h.call('GET', '/projects', { acceptJson: false });
    expect(reply.status).toBe(200);
    expect(Array.isArray(reply.json.data)).toBe(true);
  });
});
