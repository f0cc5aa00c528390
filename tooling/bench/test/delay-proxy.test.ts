import { createHash, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DelayProxy, startDelayProxy } from '../src/delay-proxy';

describe('the --net wan delay proxy', () => {
  let server: Server;
  let proxy: DelayProxy;
  const DELAY = 60;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const h = createHash('md5');
      let n = 0;
      req.on('data', (c: Buffer) => {
        h.update(c);
        n += c.length;
      });
      req.on('end', () => res.end(JSON.stringify({ n, md5: h.digest('hex') })));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = await startDelayProxy({ host: '127.0.0.1', port: (server.address() as { port: number }).port }, DELAY);
  });

  afterAll(async () => {
    await proxy.close();
    await new Promise((r) => server.close(r));
  });

  it('answers every request of a keep-alive connection at least the delay late', async () => {
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const res = await fetch(proxy.url('/x'), { method: 'POST', body: 'hello' });
      expect(await res.json()).toEqual({ n: 5, md5: createHash('md5').update('hello').digest('hex') });
      expect(performance.now() - t).toBeGreaterThanOrEqual(DELAY - 2);
    }
  });

  it('adds the delay once to a request written in two pieces, headers then body', async () => {
    // Headers, then the body 5 ms later, as HTTP clients write them: the answer comes one delay
    // after the body, not one delay per piece.
    const once = () =>
      new Promise<number>((resolve, reject) => {
        const s = connect(proxy.port, '127.0.0.1');
        const t = performance.now();
        s.on('error', reject);
        s.once('data', () => {
          resolve(performance.now() - t);
          s.destroy();
        });
        s.write('POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n');
        setTimeout(() => s.write('hello'), 5);
      });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await once());
    expect(Math.min(...times)).toBeLessThan(DELAY + 5 + 25);
  });

  it('passes a 24 MiB body through intact and in order (more than it buffers before pausing the client)', async () => {
    const body = randomBytes(24 * 2 ** 20);
    const res = await fetch(proxy.url('/big'), { method: 'POST', body });
    expect(await res.json()).toEqual({ n: body.length, md5: createHash('md5').update(body).digest('hex') });
  });
});
