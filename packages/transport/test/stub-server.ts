import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type StubHandler = (req: RecordedRequest, res: ServerResponse, index: number) => unknown;

/** A tiny HTTP server on 127.0.0.1:0 that records every request and answers through `handler`. */
export async function startStub(handler: StubHandler) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      void Promise.resolve(handler(recorded, res, requests.length - 1)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/api`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A retry policy that keeps tests fast. */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5, retryAfterFallbackMs: 10, maxRetryAfterMs: 2_000 };

export interface ReceivedPart {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

/** The parts of a recorded `multipart/form-data` request (enough for the bodies this package sends). */
export function multipartParts(req: RecordedRequest): ReceivedPart[] {
  const boundary = /boundary=([^;]+)/.exec(String(req.headers['content-type']))?.[1];
  if (!boundary) throw new Error('not multipart');
  const parts: ReceivedPart[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let at = req.body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (req.body.subarray(start, start + 2).toString() === '--') break;
    const next = req.body.indexOf(delimiter, start);
    if (next < 0) break; // cut short
    const raw = req.body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('latin1');
    parts.push({
      name: /name="([^"]*)"/.exec(head)?.[1] ?? '',
      filename: /filename="([^"]*)"/.exec(head)?.[1],
      data: raw.subarray(split + 4),
    });
    at = next;
  }
  return parts;
}
