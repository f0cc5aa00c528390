import { McError } from '@mcsync/core';
import { type Token, TokenSchema, dataEnvelope } from '@mcsync/protocol';
import { HttpClient, type HttpClientOptions } from '../http-client';
import { parseResponse } from '../parse-response';

const TokenEnvelope = dataEnvelope(TokenSchema);

export type LoginOptions = Omit<HttpClientOptions, 'baseUrl' | 'token'> & { signal?: AbortSignal };

/**
 * `POST /get_apitoken`: exchanges email and password for the account's API token. A refused login
 * (400 `No such user` / `Invalid password`) is an AUTH error.
 */
export async function login(baseUrl: string, email: string, password: string, opts: LoginOptions = {}): Promise<Token> {
  const { signal, ...clientOpts } = opts;
  const client = new HttpClient({ ...clientOpts, baseUrl });
  try {
    const res = await client.json({ method: 'POST', path: '/get_apitoken', json: { email, password }, signal });
    return parseResponse(TokenEnvelope, res.data, 'POST /get_apitoken').data;
  } catch (err) {
    if (err instanceof McError && (err.status === 400 || err.status === 401 || err.status === 422)) {
      throw new McError('AUTH', `login as ${email} refused: ${err.message}`, {
        status: err.status,
        hint: 'check the email address and password',
        cause: err,
      });
    }
    throw err;
  } finally {
    await client.close();
  }
}
