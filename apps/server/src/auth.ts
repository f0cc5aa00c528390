import type { FastifyRequest } from 'fastify';
import type { Store } from './db/store.js';
import type { UserRecord } from './db/users.js';
import { Unauthenticated } from './errors.js';
import type { RequestInput } from './request-input.js';
import { tokensEqual } from './tokens.js';

/**
 * The API token of a request, from the places production's token guard looks, first match wins:
 * query `api_token`, body field `api_token`, `Authorization: Bearer`, HTTP Basic password.
 */
export function requestToken(req: FastifyRequest, input: RequestInput): string | null {
  const query = (req.query as Record<string, unknown>).api_token;
  if (typeof query === 'string' && query !== '') return query;
  const field = input.get('api_token');
  if (typeof field === 'string' && field !== '') return field;
  return headerToken(req.headers.authorization);
}

/** The token carried by the Authorization header alone (usable before a multipart body is read). */
export function headerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1]!;
  const basic = /^\s*basic\s+(\S+)\s*$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    return password === '' ? null : password;
  }
  return null;
}

/** The caller, or 401. */
export function authenticate(store: Store, req: FastifyRequest, input: RequestInput): UserRecord {
  const token = requestToken(req, input);
  const user = token === null ? null : userForToken(store, token);
  if (!user) throw new Unauthenticated();
  return user;
}

/**
 * The user a token belongs to, or null. Found by the token's SHA-256, then confirmed in constant
 * time: no step compares the secret byte by byte.
 */
export function userForToken(store: Store, token: string): UserRecord | null {
  const user = store.users.byToken(token);
  return user && tokensEqual(user.api_token, token) ? user : null;
}
