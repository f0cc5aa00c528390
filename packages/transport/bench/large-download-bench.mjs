// One multi-GiB download through the transport (stock strategy, resumable path) from a range server in
// another process (range-bench.mjs --serve, serving a sparse file): time, throughput and this process's
// peak RSS (sampled every 20 ms); then the same file stopped at half and resumed, with the bytes each
// part fetched. Usage: node bench/large-download-bench.mjs [GiB=2]   (build first: npx tsup)
import { fork } from 'node:child_process';
import { mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient, createRemoteProject } from '../dist/index.js';

const gib = Number(process.argv[2] ?? 2);
const size = gib * 2 ** 30;
const work = await mkdtemp(join(tmpdir(), 'mcsync-large-bench-'));
const source = join(work, 'source.bin');
await writeFile(source, '');
await truncate(source, size);
const child = fork(new URL('./range-bench.mjs', import.meta.url).pathname, ['--serve', source]);
const port = await new Promise((resolve) => child.once('message', resolve));
// The range server answers any path, so the download route of project 7, file 5 will do.
const client = new HttpClient({ baseUrl: `http://127.0.0.1:${port}/api`, token: 'bench' });
const remote = createRemoteProject({ client, projectId: 7 });
const entry = { path: 'big.bin', kind: 'file', id: 5, size, md5: null };

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function run(label, localPath, opts = {}) {
  peak = process.memoryUsage().rss;
  const before = peak;
  const t = performance.now();
  let result;
  for await (const r of remote.download([{ path: entry.path, remote: entry, localPath }], opts)) result = r;
  const s = (performance.now() - t) / 1000;
  const fetched = result.ok ? (result.sent ?? result.bytes) : null;
  console.log(
    `${label}: ${result.ok ? 'ok' : result.error.code} in ${s.toFixed(2)} s` +
      (fetched !== null ? `, fetched ${mib(fetched)} (${((fetched / 1e6) / s).toFixed(0)} MB/s)` : '') +
      `, RSS before ${mib(before)}, peak ${mib(peak)}`,
  );
  return result;
}

const whole = await run(`${gib} GiB in one go`, join(work, 'a', 'big.bin'));
if (whole.ok) await rm(whole.tempPath);

const controller = new AbortController();
const target = join(work, 'b', 'big.bin');
await run('stopped at half', target, {
  signal: controller.signal,
  onProgress: (e) => {
    if (e.type === 'bytes' && e.bytes >= size / 2) controller.abort();
  },
});
const resumed = await run('resumed', target);
if (resumed.ok) console.log(`resumed file: ${(await stat(resumed.tempPath)).size === size ? 'complete' : 'WRONG SIZE'}`);

clearInterval(sampler);
child.kill();
await client.close();
await rm(work, { recursive: true, force: true });
