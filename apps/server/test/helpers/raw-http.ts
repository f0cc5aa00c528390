import { connect, type Socket } from 'node:net';

/**
 * A request written by hand on a plain socket: headers and only part of the body, so a test can
 * hold a request open or drop the connection mid-body, as a crashing client does. `response`
 * collects whatever the server sends back until the socket closes.
 */
export async function partialRequest(
  origin: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  bodyPart: Buffer,
): Promise<{ socket: Socket; response: Promise<string> }> {
  const url = new URL(origin);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  const response = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
  const head = [`${method} ${path} HTTP/1.1`, `Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  socket.write(head);
  socket.write(bodyPart);
  return { socket, response };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it stops throwing (or 5 s pass). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}
