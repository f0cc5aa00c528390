import { createHash } from 'node:crypto';
import type { Harness, Reply } from './harness.js';

/** Where a tus upload goes and what it carries; ids and paths as Upload-Metadata would. */
export interface TusCreate {
  projectId: number | string;
  directoryId?: number;
  directoryPath?: string;
  filename?: string;
  ifCurrentId?: number;
  length?: number | 'deferred';
  /** Creation-with-upload. */
  body?: Buffer;
  token?: string | null;
  headers?: Record<string, string>;
}

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
export const md5Base64 = (data: Buffer) => createHash('md5').update(data).digest('base64');
export const sha1Base64 = (data: Buffer) => createHash('sha1').update(data).digest('base64');

/** A small tus client over the harness, speaking raw headers so tests can also speak them wrong. */
export class TusClient {
  constructor(private readonly h: Harness) {}

  get endpoint(): string {
    return `${this.h.server.origin}/files/`;
  }

  headers(token: string | null | undefined, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'tus-resumable': '1.0.0', ...extra };
    const bearer = token === undefined ? this.h.alice.token : token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    return headers;
  }

  async create(options: TusCreate): Promise<Reply & { location: string }> {
    const pairs: string[] = [`project_id ${b64(String(options.projectId))}`];
    if (options.directoryId !== undefined) pairs.push(`directory_id ${b64(String(options.directoryId))}`);
    if (options.directoryPath !== undefined) pairs.push(`directory_path ${b64(options.directoryPath)}`);
    if (options.filename !== undefined) pairs.push(`filename ${b64(options.filename)}`);
    if (options.ifCurrentId !== undefined) pairs.push(`if_current_id ${b64(String(options.ifCurrentId))}`);
    const length = options.length ?? options.body?.length ?? 0;
    const extra: Record<string, string> = { 'upload-metadata': pairs.join(','), ...options.headers };
    if (length === 'deferred') extra['upload-defer-length'] = '1';
    else extra['upload-length'] = String(length);
    if (options.body) extra['content-type'] = 'application/offset+octet-stream';
    const reply = await this.h.fetch('POST', this.endpoint, {
      headers: this.headers(options.token, extra),
      ...(options.body && { body: options.body }),
    });
    return Object.assign(reply, { location: String(reply.headers.location ?? '') });
  }

  async patch(url: string, offset: number, body: Buffer, options: { token?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
    return this.h.fetch('PATCH', url, {
      headers: this.headers(options.token, {
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        ...options.headers,
      }),
      body,
    });
  }

  async head(url: string, token?: string | null): Promise<Reply> {
    return this.h.fetch('HEAD', url, { headers: this.headers(token) });
  }

  async remove(url: string, token?: string | null): Promise<Reply> {
    return this.h.fetch('DELETE', url, { headers: this.headers(token) });
  }
}

/** Polls `POST /files/by_path` until a current file shows up there (stock tus completes later). */
export async function waitForFile(h: Harness, projectId: number, path: string, accept: (row: any) => boolean = () => true): Promise<any> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const reply = await h.call('POST', '/files/by_path', { json: { project_id: projectId, path } });
    if (reply.status === 200 && accept(reply.json.data)) return reply.json.data;
    if (Date.now() > deadline) throw new Error(`no file at ${path}: ${reply.status} ${reply.text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
