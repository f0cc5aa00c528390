// Measures the stock strategy against the reference server on loopback (both in this process).
// Usage: node bench/stock-bench.mjs [files=2000] [dirs=100] [fileBytes=4096]
// Build first: (cd ../../apps/server && npx tsup) && npx tsup
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@mcsync/server';
import { HttpClient, createProject, createRemoteProject, login } from '../dist/index.js';

const [files = 2000, dirs = 100, fileBytes = 4096] = process.argv.slice(2).map(Number);
const work = await mkdtemp(join(tmpdir(), 'mcsync-bench-'));
const server = await startServer({ dataDir: join(work, 'server'), port: 0, profile: 'stock', logError: () => {} });
await server.createUser({ email: 'b@example.org', password: 'pw' });
const { api_token } = await login(server.url, 'b@example.org', 'pw');
const client = new HttpClient({ baseUrl: server.url, token: api_token });

async function makeItems(root, count, size) {
  const items = [];
  for (let i = 0; i < count; i++) {
    const path = `d${String(i % dirs).padStart(4, '0')}/f${i}.dat`;
    const localPath = join(root, path);
    await mkdir(join(localPath, '..'), { recursive: true });
    await writeFile(localPath, randomBytes(size));
    const st = await stat(localPath, { bigint: true });
    items.push({ path, localPath, size, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) });
  }
  return items;
}

async function drain(iterable) {
  let ok = 0;
  let failed = 0;
  for await (const r of iterable) r.ok ? ok++ : failed++;
  return { ok, failed };
}

async function timed(label, fn, count) {
  const t = performance.now();
  const out = await fn();
  const s = (performance.now() - t) / 1000;
  // `count` is files, or MiB for the single large file
  console.log(`${label}: ${s.toFixed(2)} s${count ? `, ${(count / s).toFixed(0)}/s` : ''}`, out ?? '');
  return out;
}

const items = await makeItems(join(work, 'src'), files, fileBytes);
const mk = (name, extra = {}) => createProject(client, { name }).then(({ project }) => createRemoteProject({ client, projectId: project.id, ...extra }));

let remote = await mk('batched');
await timed(`upload ${files} × ${fileBytes} B, batched`, () => drain(remote.upload(items)), files);
console.log('  requests', remote.requestCount());

let single = await mk('single', { batchLimits: { maxFiles: 1, maxBytes: 8 << 20 } });
await timed(`upload ${files} × ${fileBytes} B, one per request`, () => drain(single.upload(items)), files);
console.log('  requests', single.requestCount());

const fresh = createRemoteProject({ client, projectId: remote.projectId });
await timed(`snapshot (${dirs} dirs, ${files} files)`, async () => (await fresh.snapshot()).entries.length);
console.log('  requests', fresh.requestCount());

const fileEntries = (await fresh.snapshot()).entries.filter((e) => e.kind === 'file');
const dst = join(work, 'dst');
await timed(`download ${files} files`, () =>
  drain(fresh.download(fileEntries.map((e) => ({ path: e.path, remote: e, localPath: join(dst, e.path) })))), files);

const bigSize = 256 << 20;
const big = await makeItems(join(work, 'big'), 1, bigSize);
const bigRemote = await mk('big');
await timed('upload 256 MiB', () => drain(bigRemote.upload(big)), 256);
const [bigEntry] = (await bigRemote.snapshot()).entries.filter((e) => e.kind === 'file');
await timed('download 256 MiB', () => drain(bigRemote.download([{ path: bigEntry.path, remote: bigEntry, localPath: join(work, 'bigdst', 'x') }])), 256);

await client.close();
await server.close();
await rm(work, { recursive: true, force: true });
