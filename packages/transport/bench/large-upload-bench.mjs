// Large uploads over tus to the reference server in another process: N files of M MiB at once
// (time, throughput, this process's peak RSS sampled every 20 ms), then one file stopped once half
// of it was acknowledged and resumed by a new remote, with the bytes each part sent.
// Usage: node bench/large-upload-bench.mjs [stock|enhanced] [files=4] [MiB=256]   (build first: npx tsup)
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient, createProject, createRemoteProject, detectCapabilities } from '../dist/index.js';

const profile = process.argv[2] ?? 'enhanced';
const files = Number(process.argv[3] ?? 4);
const mibEach = Number(process.argv[4] ?? 256);
const size = mibEach * 2 ** 20;
const work = await mkdtemp(join(tmpdir(), 'mcsync-upload-bench-'));
const child = fork(new URL('./reference-server-child.mjs', import.meta.url).pathname, [profile, join(work, 'server')]);
const { url, token } = await new Promise((resolve) => child.once('message', resolve));
const client = new HttpClient({ baseUrl: url, token });
const capabilities = await detectCapabilities(client);

/** Random content (not sparse: the server would dedup zeros), written in 1 MiB blocks. */
async function makeFile(name) {
  const localPath = join(work, name);
  const fh = await open(localPath, 'w');
  for (let i = 0; i < mibEach; i++) await fh.write(randomBytes(2 ** 20));
  await fh.close();
  const st = await stat(localPath, { bigint: true });
  return { path: name, localPath, size, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) };
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function run(label, remote, items, opts = {}) {
  peak = process.memoryUsage().rss;
  const before = peak;
  const cpu = process.cpuUsage();
  const t = performance.now();
  const results = [];
  for await (const r of remote.upload(items, opts)) results.push(r);
  const s = (performance.now() - t) / 1000;
  const sent = results.reduce((n, r) => n + (r.ok ? (r.sent ?? r.bytes) : 0), 0);
  const outcome = results.map((r) => (r.ok ? `ok/${r.verified}` : r.error.code)).join(' ');
  const used = process.cpuUsage(cpu);
  console.log(`${label}: ${outcome} in ${s.toFixed(2)} s, client CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, sent ${mib(sent)} (${(sent / 1e6 / s).toFixed(0)} MB/s), RSS before ${mib(before)}, peak ${mib(peak)}`);
  return results;
}

const items = [];
for (let i = 0; i < files; i++) items.push(await makeFile(`f${i}.bin`));
const { project } = await createProject(client, { name: 'bench' });
await run(`${profile}: ${files} × ${mibEach} MiB at once`, createRemoteProject({ client, projectId: project.id, capabilities }), items);

const sessions = new Map();
const port = { load: (p) => sessions.get(p) ?? null, save: (s) => sessions.set(s.path, s), delete: (p) => sessions.delete(p), list: () => [...sessions.values()] };
const stop = new AbortController();
const killAtHalf = { ...port, save: (s) => (port.save(s), s.offset >= size / 2 && stop.abort()) };
const one = [{ ...items[0], path: 'again.bin' }];
await run('stopped at half', createRemoteProject({ client, projectId: project.id, capabilities, uploadSessions: killAtHalf }), one, { signal: stop.signal });
const acked = sessions.get('again.bin')?.offset ?? 0;
console.log(`acknowledged before the stop: ${mib(acked)} (${((100 * acked) / size).toFixed(1)}%)`);
await run('resumed', createRemoteProject({ client, projectId: project.id, capabilities, uploadSessions: port }), one);

clearInterval(sampler);
await client.close();
child.disconnect();
await rm(work, { recursive: true, force: true });
