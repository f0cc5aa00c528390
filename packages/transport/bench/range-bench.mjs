// Is one ranged GET slower than N parallel ranged GETs for one big file on loopback? Serves a random
// file from a separate process (node:http, Range support, like the reference server's download route)
// and downloads it with undici.request: one stream hashed while writing, versus N segments written
// with positional writes into one preallocated file and hashed by one sequential re-read afterwards.
// Usage: node bench/range-bench.mjs [MiB=1024] [runs=3] [segments=4]
import { fork } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';

const MiB = 1 << 20;

if (process.argv[2] === '--serve') {
  const file = process.argv[3];
  const size = (await stat(file)).size;
  const server = createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Number(m[2]) : size - 1;
    res.writeHead(m ? 206 : 200, {
      'content-length': end - start + 1,
      ...(m ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    createReadStream(file, { start, end, highWaterMark: MiB }).pipe(res);
  });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
} else {
  const [mib = 1024, runs = 3, segments = 4] = process.argv.slice(2).map(Number);
  const size = mib * MiB;
  const work = await mkdtemp(join(tmpdir(), 'mcsync-range-bench-'));
  const source = join(work, 'source.bin');
  const fh = await open(source, 'w');
  const block = Buffer.alloc(8 * MiB);
  for (let at = 0; at < size; at += block.length) await fh.write(randomFillSync(block), 0, Math.min(block.length, size - at));
  await fh.close();

  const child = fork(new URL(import.meta.url).pathname, ['--serve', source]);
  const port = await new Promise((resolve) => child.once('message', resolve));
  const origin = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: 16 });

  /** Feeds a response body to `sink` in 1 MiB blocks, as the transport's temp file does. */
  async function inBlocks(body, sink) {
    let pending = [];
    let pendingBytes = 0;
    const flush = async () => {
      const block = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await sink(block);
    };
    for await (const chunk of body) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= MiB) await flush();
    }
    if (pendingBytes) await flush();
  }

  async function single(target) {
    const out = await open(target, 'w');
    const hash = createHash('md5');
    const { body } = await request(origin, { dispatcher: agent, headers: { range: 'bytes=0-' } });
    await inBlocks(body, async (block) => {
      hash.update(block);
      await out.write(block);
    });
    await out.close();
    return hash.digest('hex');
  }

  async function parallel(target, n) {
    const out = await open(target, 'w');
    await out.truncate(size);
    const per = Math.ceil(size / n);
    const segment = async (i) => {
      const start = i * per;
      const end = Math.min(size, start + per) - 1;
      const { body } = await request(origin, { dispatcher: agent, headers: { range: `bytes=${start}-${end}` } });
      let at = start;
      await inBlocks(body, async (block) => {
        await out.write(block, 0, block.length, at);
        at += block.length;
      });
    };
    await Promise.all(Array.from({ length: n }, (_, i) => segment(i)));
    await out.close();
    const hash = createHash('md5');
    for await (const chunk of createReadStream(target, { highWaterMark: MiB })) hash.update(chunk);
    return hash.digest('hex');
  }

  const expected = await single(join(work, 'warm.bin'));
  await rm(join(work, 'warm.bin'));
  const results = { single: [], [`parallel×${segments}`]: [], 'parallel×2': [] };
  for (let r = 0; r < runs; r++) {
    for (const [label, fn] of [
      ['single', (t) => single(t)],
      [`parallel×${segments}`, (t) => parallel(t, segments)],
      ['parallel×2', (t) => parallel(t, 2)],
    ]) {
      const target = join(work, `${label}.bin`);
      const t = performance.now();
      const md5 = await fn(target);
      const s = (performance.now() - t) / 1000;
      if (md5 !== expected) throw new Error(`${label}: md5 ${md5} != ${expected}`);
      results[label].push(s);
      await rm(target);
    }
  }
  for (const [label, times] of Object.entries(results)) {
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`${label}: median ${median.toFixed(2)} s = ${(size / 1e6 / median).toFixed(0)} MB/s [${times.map((t) => t.toFixed(2)).join(', ')}]`);
  }
  child.kill();
  await agent.close();
  await rm(work, { recursive: true, force: true });
}
