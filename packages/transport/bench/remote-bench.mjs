// 2,000 small files up, a snapshot, and down, against a running server (any profile); prints times,
// request counts and this process's CPU. Usage: node bench/remote-bench.mjs URL TOKEN [files] [bytes] [dirs]
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient, createProject, createRemoteProject, detectCapabilities } from '../dist/index.js';

const [url, token, files = '2000', bytes = '4096', dirs = '100'] = process.argv.slice(2);
const n = Number(files);
const size = Number(bytes);
const work = await mkdtemp(join(tmpdir(), 'mcsync-bench-'));
const client = new HttpClient({ baseUrl: url, token });
const caps = await detectCapabilities(client);
const items = [];
for (let i = 0; i < n; i++) {
  const path = `d${String(i % Number(dirs)).padStart(4, '0')}/f${i}.dat`;
  const localPath = join(work, 'src', path);
  await mkdir(join(localPath, '..'), { recursive: true });
  await writeFile(localPath, randomBytes(size));
  const st = await stat(localPath, { bigint: true });
  items.push({ path, localPath, size, md5: null, mtimeNs: st.mtimeNs, ino: Number(st.ino) });
}

async function timed(label, remote, fn) {
  const before = remote.requestCount();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const out = await fn();
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    `${caps.profile} ${label}: ${s.toFixed(2)} s, ${remote.requestCount() - before} requests, client CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`,
    out ?? '',
  );
}
async function drain(iterable) {
  let ok = 0;
  let failed = 0;
  for await (const r of iterable) r.ok ? ok++ : failed++;
  return { ok, failed };
}

const { project } = await createProject(client, { name: `bench-${Date.now()}` });
const remote = createRemoteProject({ client, projectId: project.id, capabilities: caps });
await timed(`upload ${n} × ${size} B`, remote, () => drain(remote.upload(items)));
const fresh = createRemoteProject({ client, projectId: project.id, capabilities: caps });
let entries;
await timed('snapshot', fresh, async () => {
  entries = (await fresh.snapshot()).entries;
  return { entries: entries.length };
});
const fileEntries = entries.filter((e) => e.kind === 'file');
await timed(`download ${fileEntries.length}`, fresh, () =>
  drain(fresh.download(fileEntries.map((e) => ({ path: e.path, remote: e, localPath: join(work, 'dst', e.path) })))),
);
const copy = createRemoteProject({ client, projectId: project.id, capabilities: caps });
const known = items.map((i) => ({ ...i, path: `copy/${i.path}`, md5: fileEntries.find((e) => e.path === i.path)?.md5 ?? null }));
await timed(`upload the same ${n} files to other paths, MD5 known`, copy, () => drain(copy.upload(known)));

await client.close();
await rm(work, { recursive: true, force: true });
