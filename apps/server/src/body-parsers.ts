import type { FastifyInstance } from 'fastify';

/** JSON bodies up to this size; uploads are multipart and streamed, so this only bounds metadata requests. */
export const JSON_BODY_LIMIT = 16 * 1024 * 1024;

// JSON.parse creates `__proto__` as an own key; dropping it keeps later Object.assign calls harmless.
const dropProtoKeys = (key: string, value: unknown) => (key === '__proto__' ? undefined : value);

/**
 * Body parsing as production's framework reads input: JSON and form bodies both become fields; an
 * empty or malformed JSON body and any other content type count as "no fields" (the validator then
 * names what is missing) instead of failing the request. Multipart is @fastify/multipart's.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json/, { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text, dropProtoKeys));
    } catch {
      done(null, {});
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, (_req, body, done) => {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(String(body))) {
      if (key !== '__proto__') fields[key] = value;
    }
    done(null, fields);
  });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: JSON_BODY_LIMIT }, (_req, _body, done) => done(null, {}));
}
