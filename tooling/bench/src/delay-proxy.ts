import { type Server, type Socket, createConnection, createServer } from 'node:net';

export interface DelayProxy {
  url(path?: string): string;
  port: number;
  close(): Promise<void>;
}

/** Buffered client bytes above which the proxy stops reading from the client until it catches up. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * A TCP proxy on 127.0.0.1 that holds every byte from the client for `delayMs` before passing it
 * on, and passes the answers straight back: each request is answered `delayMs` late, as over a
 * campus-to-server link, while a long upload still streams at full speed (the delay pipelines).
 * Written by hand: it is 60 lines, and a proxy library would add its own per-request cost.
 */
export async function startDelayProxy(target: { host: string; port: number }, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    // Small writes go out at once on both legs (no Nagle batching): the proxy should add its delay
    // and nothing else.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let queued = 0;
    let timer: NodeJS.Timeout | null = null;
    let clientEnded = false;
    const flush = (): void => {
      timer = null;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.due <= now) {
        const { chunk } = queue.shift()!;
        queued -= chunk.length;
        upstream.write(chunk);
      }
      if (queued < MAX_QUEUED_BYTES / 2 && client.isPaused()) client.resume();
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
      else if (clientEnded) upstream.end();
    };
    client.on('data', (chunk) => {
      queue.push({ due: Date.now() + delayMs, chunk });
      queued += chunk.length;
      if (queued > MAX_QUEUED_BYTES) client.pause();
      if (!timer) timer = setTimeout(flush, delayMs);
    });
    client.on('end', () => {
      clientEnded = true;
      if (!timer) upstream.end();
    });
    upstream.pipe(client);
    const close = (): void => {
      if (timer) clearTimeout(timer);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: (path = '') => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
