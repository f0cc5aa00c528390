import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startServer, type Profile, type RunningServer, type StartServerOptions } from '../../src/index.js';
import { multipartBody, type FormPart } from './multipart.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Buffer;
  /** The parsed JSON body (throws when it is not JSON). */
  json: any;
}

export interface CallOptions {
  token?: string | null;
  json?: unknown;
  form?: readonly FormPart[];
  raw?: { body: Buffer | string; contentType: string };
  headers?: Record<string, string>;
  /** Default true: send `Accept: application/json` as every client must. */
  acceptJson?: boolean;
}

export interface TestUser {
  id: number;
  email: string;
  token: string;
}

export type HarnessOptions = Pick<
  StartServerOptions,
  'changesRetention' | 'syncLimits' | 'logError' | 'faults' | 'seed' | 'stockTusCompletionDelayMs'
> & {
  /** Default `stock`: the suites written for production's API run against it. */
  profile?: Profile;
  /** Default: a fresh folder under the OS temp dir. Either way `close` removes it. */
  dataDir?: string;
};

/** A real server on port 0 in a temp data dir, with two users, and a small HTTP helper. */
export class Harness {
  private constructor(
    public server: RunningServer,
    readonly dataDir: string,
    readonly alice: TestUser,
    readonly bob: TestUser,
    private agent: Agent,
    private readonly options: HarnessOptions,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'mc-server-test-')));
    const server = await startServer({ ...options, dataDir, port: 0, profile: options.profile ?? 'stock' });
    const alice = await server.createUser({ email: 'alice@example.org', password: 'alice-password', name: 'Alice' });
    const bob = await server.createUser({ email: 'bob@example.org', password: 'bob-password', name: 'Bob' });
    return new Harness(server, dataDir, alice, bob, new Agent({ connections: 8 }), options);
  }

  /** Stops the server and starts a new one (another port, a fresh connection pool) on the same data. */
  async restart(): Promise<void> {
    await this.agent.close();
    await this.server.close();
    this.server = await startServer({ ...this.options, dataDir: this.dataDir, port: 0, profile: this.options.profile ?? 'stock' });
    this.agent = new Agent({ connections: 8 });
  }

  /** Stops the server; the data directory is removed unless `keepData`. */
  async close(options: { keepData?: boolean } = {}): Promise<void> {
    await this.agent.close();
    await this.server.close();
    if (!options.keepData) await rm(this.dataDir, { recursive: true, force: true });
  }

  /** Calls `path` (relative to `/api`) as alice unless another token (or null for none) is given. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (options.acceptJson !== false) headers.accept = 'application/json';
    const token = options.token === undefined ? this.alice.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: Buffer | string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    } else if (options.form) {
      const form = multipartBody(options.form);
      body = form.body;
      headers['content-type'] = form.contentType;
    } else if (options.raw) {
      body = options.raw.body;
      headers['content-type'] = options.raw.contentType;
    }
    Object.assign(headers, options.headers);
    return this.fetch(method, `${this.server.url}${path}`, { headers, ...(body !== undefined && { body }) });
  }

  /** A raw request to any URL of this server (tus lives outside `/api`), through the harness's agent. */
  async fetch(method: string, url: string, options: { headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
    const response = await request(url, {
      method: method as 'GET',
      headers: options.headers ?? {},
      body: options.body,
      dispatcher: this.agent,
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const text = bytes.toString('utf8');
    return {
      status: response.statusCode,
      headers: response.headers,
      text,
      body: bytes,
      get json() {
        return JSON.parse(text);
      },
    };
  }

  /** A new project of alice's (or `token`'s); returns its id and root directory id. */
  async project(name: string, token = this.alice.token): Promise<{ id: number; rootId: number }> {
    const reply = await this.call('POST', '/projects', { token, json: { name } });
    if (reply.status !== 201 && reply.status !== 200) throw new Error(`project create failed: ${reply.status} ${reply.text}`);
    return { id: reply.json.data.id, rootId: reply.json.data.rootDir.id };
  }

  /** Uploads files into a directory through `…/files/{directory_id}/upload`. */
  async upload(projectId: number, directoryId: number, files: ReadonlyArray<readonly [string, Buffer | string]>, token?: string) {
    return this.call('POST', `/projects/${projectId}/files/${directoryId}/upload`, {
      form: files.map(([filename, content]) => ({ name: 'files[]', filename, content })),
      ...(token !== undefined && { token }),
    });
  }

  /** Creates directories through `POST /directories/by-path`; returns the deepest row. */
  async mkdirs(projectId: number, path: string): Promise<any> {
    const reply = await this.call('POST', '/directories/by-path', { json: { project_id: projectId, path } });
    if (reply.status !== 200) throw new Error(`by-path failed: ${reply.status} ${reply.text}`);
    return reply.json.data;
  }
}

export const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/;
