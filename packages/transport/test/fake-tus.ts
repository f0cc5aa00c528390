import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type RecordedRequest, sendJson, startStub } from './stub-server';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

export interface FakeUpload {
  id: string;
  length: number;
  data: Buffer;
  meta: Record<string, string>;
  completed: boolean;
}

export interface FakeRow {
  id: number;
  size: number;
  checksum: string;
  name: string;
}

/** A fault a test injects: answer this PATCH with `status` (and body) instead of the normal answer. */
export type PatchFault = (req: RecordedRequest, upload: FakeUpload, patchIndex: number) => { status: number; body?: string } | null | undefined;

export interface FakeTusOptions {
  /** Answer OPTIONS with `Tus-Resumable` (default true); false plays a production build without tus. */
  tus?: boolean;
  /** Checksums and synchronous completion (`tus-checksum`): MC-File-Id / MC-File-Checksum on completion. */
  checksum?: boolean;
  /** by_path polls that still show the old row after a stock completion (production's background workers). */
  confirmAfterPolls?: number;
  /** Never show the row of a stock completion. */
  neverConfirm?: boolean;
  patchFault?: PatchFault;
  /** Called after a PATCH was applied (e.g. to change the local file mid-upload). */
  afterPatch?: (upload: FakeUpload, patchIndex: number) => void | Promise<void>;
}

function decode(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of header.split(',')) {
    const [k, v] = pair.trim().split(' ');
    if (k) out[k] = Buffer.from(v ?? '', 'base64').toString('utf8');
  }
  return out;
}

/**
 * A tus server with production's habits (§4) and, with `checksum`, the enhanced ones
 * (sync-api.md), plus the REST routes an upload touches: `files/by_path` answering the current row
 * per path, and the multipart upload route for the fallback.
 */
export async function startFakeTus(opts: FakeTusOptions = {}) {
  const uploads = new Map<string, FakeUpload>();
  const rows = new Map<string, FakeRow>(); // by server path
  const pendingRows = new Map<string, { row: FakeRow; polls: number }>();
  let nextUpload = 1;
  let nextRow = 100;
  let patches = 0;
  const tusHeaders = { 'tus-resumable': '1.0.0' };

  const complete = (u: FakeUpload) => {
    u.completed = true;
    const path = `${u.meta.directory_path === '/' ? '' : u.meta.directory_path}/${u.meta.filename}`;
    const row = { id: nextRow++, size: u.length, checksum: opts.checksum ? md5(u.data) : '', name: u.meta.filename ?? '' };
    if (opts.checksum) rows.set(path, row);
    else if (!opts.neverConfirm) pendingRows.set(path, { row, polls: opts.confirmAfterPolls ?? 0 });
    return row;
  };

  const stub = await startStub(async (req, res: ServerResponse) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST' && url.pathname === '/api/files/by_path') {
      const path = JSON.parse(req.body.toString()).path as string;
      if (path === '/') return sendJson(res, 200, { data: { id: 1, uuid: 'r', name: '/', path: '/', mime_type: 'directory' } });
      const pending = pendingRows.get(path);
      if (pending && pending.polls-- <= 0) {
        rows.set(path, pending.row);
        pendingRows.delete(path);
      }
      const row = rows.get(path);
      if (!row) return sendJson(res, 404, { message: 'No such file' });
      return sendJson(res, 200, { data: { ...row, uuid: `u${row.id}`, mime_type: 'application/octet-stream', current: true } });
    }
    if (req.method === 'POST' && url.pathname === '/api/directories/by-path') {
      return sendJson(res, 200, { data: { id: 2, uuid: 'd', name: 'a', path: '/a', mime_type: 'directory' } });
    }
    if (req.method === 'POST' && /^\/api\/projects\/7\/files\/\d+\/upload/.test(url.pathname)) {
      // The multipart fallback: answer a row for the single part (checked by size and MD5).
      const body = req.body;
      const start = body.indexOf('\r\n\r\n') + 4;
      const end = body.lastIndexOf(Buffer.from('\r\n--'));
      const data = body.subarray(start, end);
      const name = /filename="([^"]*)"/.exec(body.subarray(0, start).toString('latin1'))?.[1] ?? 'file';
      return sendJson(res, 200, { data: [{ id: nextRow++, uuid: 'm', name, mime_type: 'application/octet-stream', size: data.length, checksum: md5(data) }] });
    }
    if (url.pathname === '/files/' && req.method === 'OPTIONS') {
      if (opts.tus === false) return sendJson(res, 404, { message: 'Not Found' });
      res.writeHead(204, { ...tusHeaders, 'tus-version': '1.0.0', 'tus-extension': opts.checksum ? 'creation,termination,checksum,expiration' : 'creation,creation-with-upload,termination,concatenation,creation-defer-length' });
      return res.end();
    }
    if (url.pathname === '/files/' && req.method === 'POST') {
      const id = (nextUpload++).toString(16).padStart(32, '0');
      uploads.set(id, { id, length: Number(req.headers['upload-length']), data: Buffer.alloc(0), meta: decode(String(req.headers['upload-metadata'] ?? '')), completed: false });
      res.writeHead(201, { ...tusHeaders, location: `${stub.origin}/files/${id}` });
      return res.end();
    }
    const m = /^\/files\/([0-9a-f]{32})$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { message: 'No such route' });
    const u = uploads.get(m[1]!);
    const gone = !u || (u.completed && !opts.checksum);
    if (req.method === 'DELETE') {
      if (u) uploads.delete(u.id);
      res.writeHead(204, tusHeaders);
      return res.end();
    }
    if (req.method === 'HEAD') {
      if (gone) {
        res.writeHead(404, tusHeaders);
        return res.end();
      }
      const extra: Record<string, string> = u.completed ? { 'mc-file-id': String(rows.get(`/${u.meta.filename}`)?.id ?? 0) } : {};
      res.writeHead(200, { ...tusHeaders, 'upload-offset': String(u.data.length), 'upload-length': String(u.length), 'cache-control': 'no-store', ...extra });
      return res.end();
    }
    if (req.method === 'PATCH') {
      const index = patches++;
      if (gone) {
        res.writeHead(404, { ...tusHeaders, 'content-type': 'text/plain' });
        return res.end('ERR_UPLOAD_NOT_FOUND: upload not found\n');
      }
      const fault = opts.patchFault?.(req, u, index);
      if (fault) {
        res.writeHead(fault.status, { ...tusHeaders, 'content-type': 'text/plain' });
        return res.end(fault.body ?? '');
      }
      if (Number(req.headers['upload-offset']) !== u.data.length) {
        res.writeHead(409, { ...tusHeaders, 'content-type': 'text/plain' });
        return res.end('ERR_MISMATCHED_OFFSET: offset mismatch\n');
      }
      const sum = req.headers['upload-checksum'];
      if (opts.checksum && sum) {
        const [algo, b64] = String(sum).split(' ');
        if (algo !== 'md5' || createHash('md5').update(req.body).digest('base64') !== b64) {
          res.writeHead(460, { ...tusHeaders, 'content-type': 'text/plain' });
          return res.end('ERR_CHECKSUM_MISMATCH: checksum mismatch\n');
        }
      }
      u.data = Buffer.concat([u.data, req.body]);
      const headers: Record<string, string> = { ...tusHeaders, 'upload-offset': String(u.data.length) };
      if (u.data.length === u.length) {
        const row = complete(u);
        if (opts.checksum) Object.assign(headers, { 'mc-file-id': String(row.id), 'mc-file-checksum': row.checksum });
      }
      await opts.afterPatch?.(u, index);
      res.writeHead(204, headers);
      return res.end();
    }
    sendJson(res, 405, { message: 'Method not allowed' });
  });

  return {
    ...stub,
    uploads,
    rows,
    /** Requests to the tus endpoint (not REST). */
    tusRequests: () => stub.requests.filter((r) => r.url.startsWith('/files/')),
    patchRequests: () => stub.requests.filter((r) => r.method === 'PATCH'),
    /** Puts an upload in place as if an earlier run had sent `prefix`. */
    seedUpload(length: number, prefix: Buffer, meta: Record<string, string>): string {
      const id = (nextUpload++).toString(16).padStart(32, '0');
      uploads.set(id, { id, length, data: Buffer.from(prefix), meta, completed: false });
      return `${stub.origin}/files/${id}`;
    },
    setRow(path: string, row: FakeRow) {
      rows.set(path, row);
    },
  };
}
