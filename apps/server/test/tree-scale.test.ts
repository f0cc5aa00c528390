import { createInterface } from 'node:readline';
import { TreeCursorSchema, TreeEntrySchema } from '@mcsync/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../src/db/store.js';
import { Harness } from './helpers/harness.js';
import { readChanges } from './helpers/sync.js';

const DIRECTORIES = 200;
const FILES_PER_DIRECTORY = 1000;
const ENTRIES = DIRECTORIES * (FILES_PER_DIRECTORY + 1);

let h: Harness;
let project: { id: number; rootId: number };
beforeAll(async () => {
  h = await Harness.start({ profile: 'enhanced' });
  project = await h.project('Big tree');
  // Rows written straight into the database (a second connection, as `mc-server user` makes):
  // 200,200 uploads over HTTP would take minutes and test nothing more here.
  const store = Store.open(h.dataDir);
  try {
    const files = store.db.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
       INSERT INTO files (uuid, project_id, directory_id, name, name_key, mime_type, size, checksum, current, owner_id, created_at, updated_at)
       SELECT lower(hex(randomblob(16))), ?, ?, printf('file-%04d.dat', i), printf('file-%04d.dat', i), 'application/octet-stream',
              i, 'd41d8cd98f00b204e9800998ecf8427e', 1, ?, CAST(strftime('%s', 'now') AS INTEGER), CAST(strftime('%s', 'now') AS INTEGER)
       FROM n`,
    );
    store.transaction(() => {
      for (let d = 0; d < DIRECTORIES; d++) {
        const name = `dir-${String(d).padStart(3, '0')}`;
        const dir = store.rows.insertDirectory({ projectId: project.id, parentId: project.rootId, name, path: `/${name}`, ownerId: h.alice.id, description: null });
        files.run(FILES_PER_DIRECTORY, project.id, dir.id, h.alice.id);
      }
    });
  } finally {
    store.close();
  }
}, 300_000);
afterAll(() => h.close());

describe('GET /projects/{p}/tree at scale', () => {
  it(`streams ${ENTRIES.toLocaleString('en')} entries with flat server memory, one snapshot while uploads go on`, async () => {
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const started = performance.now();
    const response = await request(`${h.server.url}/projects/${project.id}/tree`, {
      headers: { accept: 'application/json', authorization: `Bearer ${h.alice.token}` },
    });
    expect(response.statusCode).toBe(200);
    let entries = 0;
    let previous = '';
    let cursor: string | undefined;
    let uploaded: Promise<unknown> | undefined;
    for await (const line of createInterface({ input: response.body, crlfDelay: Infinity })) {
      const json = JSON.parse(line);
      if ('cursor' in json) {
        cursor = TreeCursorSchema.parse(json).cursor;
        continue;
      }
      const entry = TreeEntrySchema.parse(json);
      expect(cursor).toBeUndefined();
      if (entry.path <= previous) throw new Error(`out of order: ${previous} then ${entry.path}`);
      previous = entry.path;
      entries++;
      if (entries === 1000) {
        // Written while the listing is half sent: it must not show up in it.
        uploaded = h.upload(project.id, project.rootId, [['zz-late.txt', 'late']]);
        await uploaded;
      }
      if (entries % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    const seconds = (performance.now() - started) / 1000;
    const growthMiB = (peak - baseline) / 2 ** 20;
    console.log(`tree: ${entries} entries in ${seconds.toFixed(2)} s; heap growth while streaming ${growthMiB.toFixed(1)} MiB (server and client share this process)`);
    expect(entries).toBe(ENTRIES);
    expect(cursor).toBe('0');
    expect(growthMiB).toBeLessThan(64);
    const { changes } = await readChanges(h, project.id, cursor!);
    expect(changes.map((c) => [c.op, c.path])).toEqual([['create', '/zz-late.txt']]);
  }, 300_000);

  it('lets go of its snapshot when the client hangs up mid-listing', async () => {
    const controller = new AbortController();
    const response = await request(`${h.server.url}/projects/${project.id}/tree`, {
      headers: { accept: 'application/json', authorization: `Bearer ${h.alice.token}` },
      signal: controller.signal,
    });
    for await (const _chunk of response.body) break;
    controller.abort();
    // A reader still inside its read transaction would keep a full checkpoint from finishing.
    const store = Store.open(h.dataDir);
    store.db.pragma('busy_timeout = 0');
    try {
      await h.upload(project.id, project.rootId, [['after-abort.txt', 'x']]);
      let busy = 1;
      for (let attempt = 0; attempt < 50 && busy !== 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        busy = (store.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>)[0]!.busy;
      }
      expect(busy).toBe(0);
    } finally {
      store.close();
    }
    expect((await h.call('GET', `/projects/${project.id}/tree?prefix=/dir-000`)).status).toBe(200);
  }, 60_000);
});
