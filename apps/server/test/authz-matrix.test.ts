import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToken } from '../src/accounts.js';
import { JSON_BODY_LIMIT } from '../src/body-parsers.js';
import { DATABASE_FILE } from '../src/db/open.js';
import { Store } from '../src/db/store.js';
import { PROFILES, type Profile } from '../src/profiles.js';
import { Harness, md5, type CallOptions, type Reply } from './helpers/harness.js';
import { registeredRoutes } from './helpers/routes.js';
import { b64, TusClient } from './helpers/tus.js';

/*
 * Nobody gets in where they do not belong, on both profiles. Alice owns a project (a folder, a file
 * with two versions, an unfinished tus upload); Bob owns one of his own. For every route the server
 * registers (the table must name each one: a new route without an entry fails the first test), Bob's
 * attempts on Alice's things answer 404 with a body that tells nothing, a missing or wrong token
 * answers 401, and Alice's project is byte for byte what it was. Then path traversal in every name
 * and path input, request size limits, and how passwords and tokens are kept.
 */

const SECRET = {
  project: 'Alice Secret Project',
  folder: 'alice-folder',
  file: 'alice-secret.txt',
  pending: 'alice-pending.bin',
};
// Distinctive content and sizes, so a leak of either is visible in any body.
const OLD_CONTENT = Buffer.concat([Buffer.from('ALICE-SECRET-CONTENT-old-'), randomBytes(7919 - 25)]);
const CURRENT_CONTENT = Buffer.concat([Buffer.from('ALICE-SECRET-CONTENT-new-'), randomBytes(7927 - 25)]);
const LEAKS = [SECRET.project, SECRET.folder, SECRET.file, SECRET.pending, 'ALICE-SECRET', md5(OLD_CONTENT), md5(CURRENT_CONTENT)];

/** The only 404 bodies anybody gets for somebody else's things (mc-api.md §1.6, §4.2): they name nothing. */
const GENERIC_404 = new Set([
  '{"message":"No such project"}',
  '{"message":"No such file"}',
  '{"data":"Resource not found"}',
  'ERR_PROJECT_NOT_FOUND: no such project\n',
  'ERR_UPLOAD_NOT_FOUND: upload not found\n',
]);

interface World {
  a: { project: number; root: number; folder: number; file: number; oldFile: number; upload: string };
  b: { project: number; root: number; folder: number; file: number };
}

/** One request. REST paths are under `/api`; tus requests name the upload URL or the endpoint. */
interface Probe {
  method: string;
  path?: string;
  tusUrl?: string;
  json?: unknown;
  form?: CallOptions['form'];
  headers?: Record<string, string>;
  body?: Buffer;
  /** Bob's answer; default: a 404 that tells nothing. */
  expect?: (reply: Reply) => void | Promise<void>;
  /** The answer repeats what Bob sent (a project he named like Alice's): only Alice's token must not show. */
  echoes?: true;
}

interface Row {
  /** `METHOD /path` as registeredRoutes() spells them. */
  routes: string[];
  profiles?: readonly Profile[];
  /** Bob's attempts on Alice's things. The first one (Alice's object in Alice's project) is also sent without a valid token. */
  probes?: (w: World) => Probe[];
}

const form = (name = 'bob-was-here.txt') => [{ name: 'files[]', filename: name, content: 'bob' }];
const tusMetadata = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([key, value]) => `${key} ${b64(String(value))}`)
    .join(',');

/** Public routes: they need no token and show nobody's data. */
const PUBLIC: Row[] = [
  { routes: ['POST /api/get_apitoken', 'GET /api/server/info'] },
  { routes: ['OPTIONS /files/', 'OPTIONS /files/:id', 'GET /files/', 'GET /files/:id'] },
  // Q24: `/files` without the slash redirects, whatever the method.
  { routes: ['GET', 'HEAD', 'TRACE', 'DELETE', 'OPTIONS', 'PATCH', 'PUT', 'POST', 'QUERY'].map((m) => `${m} /files`) },
];

const GUARDED: Row[] = [
  {
    routes: ['GET /api/projects'],
    probes: () => [
      {
        method: 'GET',
        path: '/projects',
        expect: (reply) => {
          expect(reply.status).toBe(200);
          expect(reply.json.data.map((p: any) => p.name)).toEqual(['Bob project']);
        },
      },
    ],
  },
  {
    routes: ['POST /api/projects'],
    // Not project-scoped: Alice's project name gives Bob a project of his own, never hers.
    probes: (w) => [
      {
        method: 'POST',
        path: '/projects',
        json: { name: SECRET.project },
        echoes: true,
        expect: (reply) => {
          expect(reply.status).toBe(201);
          expect(reply.json.data.id).not.toBe(w.a.project);
          expect(reply.json.data.owner_id).not.toBe(undefined);
        },
      },
    ],
  },
  {
    routes: ['GET /api/projects/:id', 'DELETE /api/projects/:id'],
    probes: (w) => [
      { method: 'GET', path: `/projects/${w.a.project}` },
      { method: 'DELETE', path: `/projects/${w.a.project}` },
    ],
  },
  { routes: ['GET /api/projects/:id/directories'], probes: (w) => [{ method: 'GET', path: `/projects/${w.a.project}/directories` }] },
  {
    routes: ['GET /api/projects/:id/directories/:id', 'DELETE /api/projects/:id/directories/:id', 'GET /api/projects/:id/directories/:id/list'],
    probes: (w) =>
      [w.a.project, w.b.project].flatMap((project) => [
        { method: 'GET', path: `/projects/${project}/directories/${w.a.folder}` },
        { method: 'GET', path: `/projects/${project}/directories/${w.a.folder}/list` },
        { method: 'DELETE', path: `/projects/${project}/directories/${w.a.folder}` },
      ]),
  },
  {
    routes: ['GET /api/projects/:id/directories_by_path'],
    probes: (w) => [{ method: 'GET', path: `/projects/${w.a.project}/directories_by_path?path=${encodeURIComponent(`/${SECRET.folder}`)}` }],
  },
  {
    routes: ['GET /api/projects/:id/files/:id', 'DELETE /api/projects/:id/files/:id', 'GET /api/projects/:id/files/:id/versions', 'PUT /api/projects/:id/files/:id/make_active'],
    probes: (w) =>
      [w.a.project, w.b.project].flatMap((project) => [
        { method: 'GET', path: `/projects/${project}/files/${w.a.file}` },
        { method: 'GET', path: `/projects/${project}/files/${w.a.oldFile}/versions` },
        { method: 'PUT', path: `/projects/${project}/files/${w.a.oldFile}/make_active`, json: {} },
        { method: 'DELETE', path: `/projects/${project}/files/${w.a.file}?force=1` },
      ]),
  },
  {
    routes: ['GET /api/projects/:id/files/:id/download'],
    probes: (w) =>
      [w.a.project, w.b.project].flatMap((project) =>
        [w.a.file, w.a.oldFile].map((file) => ({ method: 'GET', path: `/projects/${project}/files/${file}/download` })),
      ),
  },
  {
    routes: ['POST /api/projects/:id/files/:id/upload', 'POST /api/projects/:id/files/:id/upload/:name'],
    probes: (w) =>
      [w.a.project, w.b.project].flatMap((project) => [
        { method: 'POST', path: `/projects/${project}/files/${w.a.folder}/upload`, form: form() },
        { method: 'POST', path: `/projects/${project}/files/${w.a.folder}/upload/${SECRET.file}`, form: form() },
      ]),
  },
  {
    routes: ['POST /api/projects/:id/files/upload-to-path'],
    probes: (w) => [
      {
        method: 'POST',
        path: `/projects/${w.a.project}/files/upload-to-path`,
        form: [{ name: 'path', value: `/${SECRET.folder}/${SECRET.file}` }, { name: 'file', filename: 'x', content: 'bob' }],
      },
    ],
  },
  {
    routes: ['POST /api/files'],
    probes: (w) =>
      [w.a.project, w.b.project].map((project) => ({
        method: 'POST',
        path: '/files',
        form: [
          { name: 'project_id', value: String(project) },
          { name: 'directory_id', value: String(w.a.folder) },
          { name: 'file', filename: SECRET.file, content: 'bob' },
        ],
      })),
  },
  {
    routes: ['GET /api/projects/:id/file-changes-since'],
    probes: (w) => [{ method: 'GET', path: `/projects/${w.a.project}/file-changes-since?since=${encodeURIComponent('1970-01-01 00:00:00')}` }],
  },
  { routes: ['POST /api/projects/:id/files/matching'], probes: (w) => [{ method: 'POST', path: `/projects/${w.a.project}/files/matching`, json: { match: ['%'] } }] },
  {
    routes: ['POST /api/files/by_path'],
    probes: (w) => [{ method: 'POST', path: '/files/by_path', json: { project_id: w.a.project, path: `/${SECRET.folder}/${SECRET.file}` } }],
  },
  {
    routes: ['POST /api/directories'],
    probes: (w) =>
      [w.a.project, w.b.project].map((project) => ({ method: 'POST', path: '/directories', json: { project_id: project, directory_id: w.a.folder, name: 'bobdir' } })),
  },
  { routes: ['POST /api/directories/by-path'], probes: (w) => [{ method: 'POST', path: '/directories/by-path', json: { project_id: w.a.project, path: `/${SECRET.folder}/bob` } }] },
  {
    routes: ['POST /api/directories/:id/rename'],
    probes: (w) => [
      { method: 'POST', path: `/directories/${w.a.folder}/rename`, json: { project_id: w.a.project, name: 'renamed' } },
      { method: 'POST', path: `/directories/${w.a.folder}/rename`, json: { project_id: w.b.project, name: 'renamed' } },
      { method: 'POST', path: `/directories/${w.a.folder}/rename`, json: { name: 'renamed' } }, // Q8 is not reproduced
    ],
  },
  {
    routes: ['POST /api/directories/:id/move'],
    probes: (w) => [
      { method: 'POST', path: `/directories/${w.a.folder}/move`, json: { project_id: w.a.project, to_directory_id: w.b.root } },
      { method: 'POST', path: `/directories/${w.a.folder}/move`, json: { project_id: w.b.project, to_directory_id: w.b.root } },
      { method: 'POST', path: `/directories/${w.a.folder}/move`, json: { to_directory_id: w.b.root } },
      // Bob's own folder into Alice's: production's documented bare 403 for a destination one cannot
      // access (mc-api.md §3.3); ids are sequential, and its empty body names nothing.
      { method: 'POST', path: `/directories/${w.b.folder}/move`, json: { project_id: w.b.project, to_directory_id: w.a.folder }, expect: bareForbidden },
    ],
  },
  {
    routes: ['POST /api/files/:id/move'],
    probes: (w) => [
      { method: 'POST', path: `/files/${w.a.file}/move`, json: { project_id: w.a.project, directory_id: w.b.root } },
      { method: 'POST', path: `/files/${w.a.file}/move`, json: { project_id: w.b.project, directory_id: w.b.root } },
      { method: 'POST', path: `/files/${w.a.oldFile}/move`, json: { project_id: w.b.project, directory_id: w.b.root } },
      // As for directories: the documented bare 403 (mc-api.md §3.4).
      { method: 'POST', path: `/files/${w.b.file}/move`, json: { project_id: w.b.project, directory_id: w.a.folder }, expect: bareForbidden },
    ],
  },
  {
    routes: ['POST /api/files/:id/rename'],
    probes: (w) => [
      { method: 'POST', path: `/files/${w.a.file}/rename`, json: { project_id: w.a.project, name: 'renamed.txt' } },
      { method: 'POST', path: `/files/${w.a.file}/rename`, json: { project_id: w.b.project, name: 'renamed.txt' } },
    ],
  },
  {
    routes: ['POST /files/'],
    probes: (w): Probe[] => [
      {
        method: 'POST',
        tusUrl: '/files/',
        headers: { 'upload-length': '3', 'content-type': 'application/offset+octet-stream', 'upload-metadata': tusMetadata({ project_id: w.a.project, directory_id: w.a.folder, filename: SECRET.file }) },
        body: Buffer.from('bob'),
      },
      {
        method: 'POST',
        tusUrl: '/files/',
        headers: { 'upload-length': '3', 'upload-metadata': tusMetadata({ project_id: w.a.project, directory_path: `/${SECRET.folder}`, filename: 'b' }) },
      },
      // Bob's project with Alice's folder: the intended answer of production's upload service (mc-api.md §4.4).
      {
        method: 'POST',
        tusUrl: '/files/',
        headers: { 'upload-length': '3', 'upload-metadata': tusMetadata({ project_id: w.b.project, directory_id: w.a.folder, filename: 'b' }) },
        expect: (reply) => expect([reply.status, reply.text]).toEqual([400, 'ERR_INVALID_METADATA: directory_id not found\n']),
      },
    ],
  },
  {
    routes: ['HEAD /files/:id', 'PATCH /files/:id', 'DELETE /files/:id'],
    probes: (w) => [
      { method: 'PATCH', tusUrl: w.a.upload, headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '10' }, body: Buffer.from('bob') },
      { method: 'HEAD', tusUrl: w.a.upload },
      { method: 'DELETE', tusUrl: w.a.upload },
    ],
  },
  { routes: ['GET /api/projects/:id/tree'], profiles: ['enhanced'], probes: (w) => [{ method: 'GET', path: `/projects/${w.a.project}/tree` }] },
  { routes: ['GET /api/projects/:id/changes'], profiles: ['enhanced'], probes: (w) => [{ method: 'GET', path: `/projects/${w.a.project}/changes?cursor=0` }] },
  {
    routes: ['POST /api/projects/:id/files/bulk-upload'],
    profiles: ['enhanced'],
    probes: (w) => [
      {
        method: 'POST',
        path: `/projects/${w.a.project}/files/bulk-upload`,
        form: [
          { name: 'manifest', value: JSON.stringify([{ path: `/${SECRET.folder}/${SECRET.file}`, size: 3, md5: md5('bob') }]) },
          { name: 'file', filename: 'p', content: 'bob' },
        ],
      },
    ],
  },
  {
    routes: ['POST /api/projects/:id/files/bulk-download'],
    profiles: ['enhanced'],
    probes: (w) => [
      { method: 'POST', path: `/projects/${w.a.project}/files/bulk-download`, json: { ids: [w.a.file, w.a.oldFile] } },
      // In Bob's own project, Alice's ids are skipped exactly like ids nobody has.
      {
        method: 'POST',
        path: `/projects/${w.b.project}/files/bulk-download`,
        json: { ids: [w.a.file, w.b.file, w.a.oldFile, w.a.folder] },
        expect: async (reply) => {
          expect(reply.status).toBe(200);
          const entries = await untar(reply.body);
          expect(entries.map((e) => e.name)).toEqual([String(w.b.file), 'errors.json']);
          expect(entries[0]!.body.toString()).toBe('bob content');
          expect(JSON.parse(entries[1]!.body.toString())).toEqual(
            [w.a.file, w.a.oldFile, w.a.folder].map((id) => ({ id, error: 'No such file' })),
          );
        },
      },
    ],
  },
  {
    routes: ['POST /api/projects/:id/files/by-checksum'],
    profiles: ['enhanced'],
    probes: (w) => [
      { method: 'POST', path: `/projects/${w.a.project}/files/by-checksum`, json: { files: [{ path: '/stolen.txt', size: CURRENT_CONTENT.length, md5: md5(CURRENT_CONTENT) }] } },
      // Alice's content named in Bob's own project: Bob must send the bytes, he does not get hers.
      {
        method: 'POST',
        path: `/projects/${w.b.project}/files/by-checksum`,
        json: { files: [{ path: '/stolen.txt', size: CURRENT_CONTENT.length, md5: md5(CURRENT_CONTENT) }] },
        expect: (reply) => {
          expect(reply.status).toBe(200);
          expect(reply.json.data).toEqual([{ path: '/stolen.txt', status: 'need_bytes' }]);
        },
      },
    ],
  },
];

function bareForbidden(reply: Reply): void {
  expect([reply.status, reply.text]).toEqual([403, '{"message":""}']);
}

function notFound(reply: Reply, method: string): void {
  expect(reply.status).toBe(404);
  if (method === 'HEAD') expect(reply.text).toBe('');
  else expect([...GENERIC_404]).toContain(reply.text);
}

function unauthenticated(reply: Reply, method: string): void {
  expect(reply.status).toBe(401);
  if (method !== 'HEAD') expect(['{"message":"Unauthenticated."}', 'ERR_UNAUTHENTICATED: invalid api token\n']).toContain(reply.text);
}

async function untar(body: Buffer): Promise<Array<{ name: string; body: Buffer }>> {
  const entries: Array<{ name: string; body: Buffer }> = [];
  const reader = extract();
  Readable.from([body]).pipe(reader);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ name: entry.header.name, body: Buffer.concat(chunks) });
  }
  return entries;
}

const rowsOf = (profile: Profile) => [...PUBLIC, ...GUARDED].filter((row) => !row.profiles || row.profiles.includes(profile));

describe.each(PROFILES)('who may do what on the %s profile', (profile) => {
  let base: string;
  let h: Harness;
  let tus: TusClient;
  let w: World;

  beforeAll(async () => {
    // The data folder inside a folder of its own: whatever lands beside it is visible.
    base = mkdtempSync(join(tmpdir(), 'mc-authz-'));
    h = await Harness.start({ profile, dataDir: join(base, 'data'), syncLimits: { bulk_download_max_files: 10, tus_max_chunk_bytes: 4096 } });
    tus = new TusClient(h);
    w = await buildWorld();
  });
  afterAll(async () => {
    await h.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function buildWorld(): Promise<World> {
    const a = await h.project(SECRET.project);
    const folder = await h.mkdirs(a.id, `/${SECRET.folder}`);
    const old = (await h.upload(a.id, folder.id, [[SECRET.file, OLD_CONTENT]])).json.data[0];
    const current = (await h.upload(a.id, folder.id, [[SECRET.file, CURRENT_CONTENT]])).json.data[0];
    const pending = await tus.create({ projectId: a.id, directoryId: folder.id, filename: SECRET.pending, length: 100, body: Buffer.alloc(10, 0x61) });
    expect(pending.status).toBe(201);
    const b = await h.project('Bob project', h.bob.token);
    const bobFolder = await h.call('POST', '/directories/by-path', { token: h.bob.token, json: { project_id: b.id, path: '/bob-folder' } });
    const bobFile = await h.upload(b.id, bobFolder.json.data.id, [['bob.txt', 'bob content']], h.bob.token);
    return {
      a: { project: a.id, root: a.rootId, folder: folder.id, file: current.id, oldFile: old.id, upload: pending.location },
      b: { project: b.id, root: b.rootId, folder: bobFolder.json.data.id, file: bobFile.json.data[0].id },
    };
  }

  /** Everything Alice can see of her project, bytes included; equal before and after = untouched. */
  async function aliceView(): Promise<unknown> {
    const text = async (method: string, path: string, json?: unknown) => {
      const reply = await h.call(method, path, json === undefined ? {} : { json });
      return `${reply.status} ${reply.text}`;
    };
    const p = w.a.project;
    const directories = await h.call('GET', `/projects/${p}/directories`);
    const lists = await Promise.all(directories.json.data.map((d: any) => text('GET', `/projects/${p}/directories/${d.id}/list`)));
    const downloads = await Promise.all([w.a.file, w.a.oldFile].map(async (id) => md5((await h.call('GET', `/projects/${p}/files/${id}/download`)).body)));
    const upload = await tus.head(w.a.upload);
    return {
      project: await text('GET', `/projects/${p}`),
      directories: directories.text,
      lists,
      versions: await text('GET', `/projects/${p}/files/${w.a.oldFile}/versions`),
      downloads,
      upload: [upload.status, upload.headers['upload-offset'], upload.headers['upload-length']],
      feed:
        profile === 'enhanced'
          ? await text('GET', `/projects/${p}/changes?cursor=0`)
          : await text('GET', `/projects/${p}/file-changes-since?since=${encodeURIComponent('1970-01-01 00:00:00')}`),
    };
  }

  function send(probe: Probe, token: string | null): Promise<Reply> {
    if (probe.tusUrl !== undefined) {
      const url = probe.tusUrl.startsWith('/') ? `${h.server.origin}${probe.tusUrl}` : probe.tusUrl;
      return h.fetch(probe.method, url, { headers: tus.headers(token, probe.headers), ...(probe.body && { body: probe.body }) });
    }
    return h.call(probe.method, probe.path!, {
      token,
      ...(probe.json !== undefined && { json: probe.json }),
      ...(probe.form && { form: probe.form }),
      ...(probe.headers && { headers: probe.headers }),
    });
  }

  /** The probe, and the same URL with HEAD when it is a GET (fastify answers HEAD from the GET route). */
  const withHead = (probe: Probe): Probe[] => (probe.method === 'GET' && !probe.expect ? [probe, { ...probe, method: 'HEAD' }] : [probe]);

  it('has a row for every route the server registers, and no row for a route it lacks', () => {
    const covered = rowsOf(profile).flatMap((row) => row.routes);
    expect(new Set(covered).size).toBe(covered.length);
    // fastify answers HEAD on every REST GET route; the probes send a HEAD beside each GET.
    const heads = covered.filter((route) => route.startsWith('GET /api/')).map((route) => route.replace(/^GET/, 'HEAD'));
    expect([...covered, ...heads].sort()).toEqual(registeredRoutes(h.server.app));
  });

  it('starts from a world where Alice sees her things', async () => {
    const view = (await aliceView()) as any;
    expect(view.downloads).toEqual([md5(CURRENT_CONTENT), md5(OLD_CONTENT)]);
    expect(view.upload).toEqual([200, '10', '100']);
    expect(view.lists.join('\n')).toContain(SECRET.file);
  });

  describe.each(rowsOf(profile).filter((row) => row.probes).map((row) => [row.routes.join(', '), row] as const))('%s', (_name, row) => {
    it("Bob's requests on Alice's things are 404 that tell nothing, and change nothing", async () => {
      const before = await aliceView();
      for (const probe of row.probes!(w).flatMap(withHead)) {
        const reply = await send(probe, h.bob.token);
        const where = `${probe.method} ${probe.path ?? probe.tusUrl}`;
        if (probe.expect) await probe.expect(reply);
        else notFound(reply, probe.method);
        for (const secret of probe.echoes ? [h.alice.token] : [...LEAKS, h.alice.token]) expect(reply.text, where).not.toContain(secret);
      }
      expect(await aliceView()).toEqual(before);
    });

    it('without a token or with a wrong one: 401, and nothing changes', async () => {
      const before = await aliceView();
      const first = row.probes!(w)[0]!;
      const wrong = [null, 'x'.repeat(60), `${h.alice.token.slice(0, -1)}${h.alice.token.endsWith('a') ? 'b' : 'a'}`, h.alice.token.slice(0, 30)];
      for (const probe of withHead(first)) {
        for (const token of wrong) unauthenticated(await send(probe, token), probe.method);
      }
      expect(await aliceView()).toEqual(before);
    });
  });

  it('still has every byte of Alice after all of that', async () => {
    const view = (await aliceView()) as any;
    expect(view.downloads).toEqual([md5(CURRENT_CONTENT), md5(OLD_CONTENT)]);
    expect(view.upload).toEqual([200, '10', '100']);
  });

  describe('path traversal', () => {
    const marker = `pwned-${profile}-${randomBytes(4).toString('hex')}`;
    let target: { id: number; rootId: number };
    let folder: number;
    let file: number;
    let baseBefore: string[];
    let dataBefore: string[];

    beforeAll(async () => {
      target = await h.project('Traversal');
      folder = (await h.mkdirs(target.id, '/a')).id;
      file = (await h.upload(target.id, folder, [['f.txt', 'traversal target']])).json.data[0].id;
      baseBefore = readdirSync(base).sort();
      dataBefore = readdirSync(h.dataDir).sort();
    });

    /** Every path and name in the project, directories and files. */
    async function names(): Promise<string[]> {
      const directories = (await h.call('GET', `/projects/${target.id}/directories`)).json.data;
      const out: string[] = directories.map((d: any) => `dir ${d.path}`);
      for (const d of directories) {
        for (const row of (await h.call('GET', `/projects/${target.id}/directories/${d.id}/list`)).json.data) {
          out.push(`${row.mime_type === 'directory' ? 'child' : 'file'} ${d.path} ${JSON.stringify(row.name)}`);
        }
      }
      return out.sort();
    }

    const raw = (method: string, path: string, parts: ReturnType<typeof form>) => rawMultipart(h, method, path, parts);

    type Attack = { what: string; send: () => Promise<Reply>; profiles?: readonly Profile[] };

    const NAMES = () => ['..', '.', `../${marker}`, `../../${marker}`, `/tmp/${marker}`, `${marker}\0.txt`, `..\\..\\${marker}`, `a/${marker}`];
    const PATHS = () => [`/../${marker}`, `/a/../../${marker}`, `../../${marker}`, `/a/${marker}/..`, `/a/${marker}\0.txt`, `/..\\..\\${marker}`];

    const refused: Attack[] = [
      ...PATHS().map((path) => ({
        what: `upload-to-path ${JSON.stringify(path)}`,
        send: () =>
          h.call('POST', `/projects/${target.id}/files/upload-to-path`, { form: [{ name: 'path', value: path }, { name: 'file', filename: 'x', content: 'attack' }] }),
      })),
      ...NAMES().map((name) => ({
        what: `named upload ${JSON.stringify(name)}`,
        send: () => raw('POST', `/api/projects/${target.id}/files/${folder}/upload/${encodeURIComponent(name).replace(/\./g, '%2E')}`, form()),
      })),
      ...['..', `${marker}\0.txt`].map((name) => ({
        what: `files[] part named ${JSON.stringify(name)}`,
        send: () => h.upload(target.id, folder, [[name, 'attack']]),
      })),
      ...['..', `${marker}\0.txt`].map((name) => ({
        what: `POST /files part named ${JSON.stringify(name)}`,
        send: () =>
          h.call('POST', '/files', {
            form: [
              { name: 'project_id', value: String(target.id) },
              { name: 'directory_id', value: String(folder) },
              { name: 'file', filename: name, content: 'attack' },
            ],
          }),
      })),
      ...NAMES().map((name) => ({
        what: `tus filename ${JSON.stringify(name)}`,
        send: () => tus.create({ projectId: target.id, directoryId: folder, filename: name, body: Buffer.from('attack') }),
      })),
      ...PATHS().map((path) => ({
        what: `tus directory_path ${JSON.stringify(path)}`,
        send: () => tus.create({ projectId: target.id, directoryPath: path, filename: marker, body: Buffer.from('attack') }),
      })),
      ...[...PATHS(), `/a//${marker}`, marker].map((path) => ({
        what: `bulk-upload manifest path ${JSON.stringify(path)}`,
        profiles: ['enhanced'] as const,
        send: () =>
          h.call('POST', `/projects/${target.id}/files/bulk-upload`, {
            form: [
              { name: 'manifest', value: JSON.stringify([{ path, size: 6, md5: md5('attack') }]) },
              { name: 'file', filename: 'p', content: 'attack' },
            ],
          }),
      })),
      ...[...PATHS(), marker].map((path) => ({
        what: `by-checksum path ${JSON.stringify(path)}`,
        profiles: ['enhanced'] as const,
        send: () =>
          h.call('POST', `/projects/${target.id}/files/by-checksum`, { json: { files: [{ path, size: 16, md5: md5('traversal target') }] } }),
      })),
      ...NAMES().map((name) => ({
        what: `POST /directories name ${JSON.stringify(name)}`,
        send: () => h.call('POST', '/directories', { json: { project_id: target.id, directory_id: folder, name } }),
      })),
      ...PATHS().map((path) => ({
        what: `directories/by-path ${JSON.stringify(path)}`,
        send: () => h.call('POST', '/directories/by-path', { json: { project_id: target.id, path } }),
      })),
      ...NAMES().map((name) => ({
        what: `directory rename ${JSON.stringify(name)}`,
        send: () => h.call('POST', `/directories/${folder}/rename`, { json: { project_id: target.id, name } }),
      })),
      ...NAMES().map((name) => ({
        what: `file rename ${JSON.stringify(name)}`,
        send: () => h.call('POST', `/files/${file}/rename`, { json: { project_id: target.id, name } }),
      })),
      {
        what: 'file move to a path instead of a directory id',
        send: () => h.call('POST', `/files/${file}/move`, { json: { project_id: target.id, directory_id: `../../${marker}` } }),
      },
      {
        what: 'directory move to a path instead of a directory id',
        send: () => h.call('POST', `/directories/${folder}/move`, { json: { project_id: target.id, to_directory_id: `/tmp/${marker}` } }),
      },
    ];

    it.each(refused.filter((attack) => !attack.profiles || attack.profiles.includes(profile)).map((attack) => [attack.what, attack] as const))(
      'refuses %s with a 4xx and stores nothing',
      async (_what, attack) => {
        const before = await names();
        const reply = await attack.send();
        expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
        expect(reply.status, reply.text).toBeLessThan(500);
        expect(await names()).toEqual(before);
      },
    );

    // Parsers reduce a part's filename to its basename, as PHP does on production: what is stored
    // is a plain name in the directory the request named.
    it.each([`../../${marker}`, `..\\..\\${marker}`, `/tmp/${marker}`])('keeps the files[] part named %j a plain name inside the project', async (name) => {
      const reply = await h.upload(target.id, folder, [[name, 'attack']]);
      expect(reply.status).toBe(200);
      expect(reply.json.data.map((row: any) => [row.name, row.directory_id])).toEqual([[marker, folder]]);
    });

    it('keeps an absolute project path a project path (upload-to-path and by-path)', async () => {
      const upload = await h.call('POST', `/projects/${target.id}/files/upload-to-path`, {
        form: [{ name: 'path', value: `/tmp/${marker}/x.txt` }, { name: 'file', filename: 'x', content: 'inside' }],
      });
      expect(upload.status).toBe(201);
      const directory = await h.call('POST', '/directories/by-path', { json: { project_id: target.id, path: `/etc/${marker}` } });
      expect(directory.json.data.path).toBe(`/etc/${marker}`);
      expect(await names()).toEqual(expect.arrayContaining([`dir /tmp/${marker}`, `file /tmp/${marker} "x.txt"`, `dir /etc/${marker}`]));
    });

    it('keeps a name with a backslash but no traversal (a legal POSIX file name) as it is', async () => {
      const reply = await raw('POST', `/api/projects/${target.id}/files/${folder}/upload/${encodeURIComponent('back\\slash.txt')}`, form());
      expect(reply.status).toBe(200);
      expect(reply.json.data[0].name).toBe('back\\slash.txt');
    });

    it('wrote nothing outside the data folder, and nothing named after the attack anywhere', () => {
      expect(readdirSync(base).sort()).toEqual(baseBefore);
      expect(readdirSync(h.dataDir).sort()).toEqual(dataBefore);
      expect(findNamed(base, marker)).toEqual([]);
      expect(findNamed(tmpdir(), marker)).toEqual([]);
      expect(existsSync(`/${marker}`)).toBe(false);
      expect(existsSync(join('/tmp', marker))).toBe(false);
      expect(existsSync(join(h.dataDir, '..', marker))).toBe(false);
    });
  });

  describe('request size limits', () => {
    it('refuses a JSON body over the limit with 413 and a JSON message, before anything is done', async () => {
      const padding = 'x'.repeat(JSON_BODY_LIMIT);
      for (const [method, path] of [
        ['POST', '/projects'],
        ['POST', '/files/by_path'],
        ['POST', '/directories/by-path'],
        ['POST', `/projects/${w.a.project}/files/matching`],
      ] as const) {
        const reply = await h.call(method, path, { json: { name: 'big', project_id: w.a.project, path: '/big', match: ['%'], padding } });
        expect([reply.status, reply.json], path).toEqual([413, { message: 'The request is larger than this server accepts.' }]);
      }
      expect((await h.call('GET', '/projects')).json.data.map((p: any) => p.name)).not.toContain('big');
    });

    it.runIf(profile === 'enhanced')('refuses a bulk download over its id limit and a tus chunk over its limit with 413', async () => {
      const ids = Array.from({ length: 11 }, (_, i) => w.a.file + i);
      expect((await h.call('POST', `/projects/${w.a.project}/files/bulk-download`, { json: { ids } })).status).toBe(413);
      const upload = await tus.create({ projectId: w.a.project, directoryId: w.a.root, filename: 'chunked.bin', length: 10_000 });
      const patch = await tus.patch(upload.location, 0, Buffer.alloc(4097));
      expect(patch.status).toBe(413);
      expect((await tus.head(upload.location)).headers['upload-offset']).toBe('0');
    });
  });

  describe('secrets at rest', () => {
    const readUsers = () => {
      const db = new BetterSqlite3(join(h.dataDir, DATABASE_FILE), { readonly: true });
      try {
        return db.prepare('SELECT * FROM users ORDER BY id').all() as Array<Record<string, unknown>>;
      } finally {
        db.close();
      }
    };

    it('stores passwords as salted scrypt hashes, never in clear', async () => {
      const carol = await h.server.createUser({ email: 'carol@example.org', password: 'alice-password' });
      const users = readUsers();
      const alice = users.find((u) => u.id === h.alice.id)!;
      const twin = users.find((u) => u.id === carol.id)!;
      for (const user of users) expect(user.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]{43}=$/);
      // The same password, two salts.
      expect(twin.password_hash).not.toBe(alice.password_hash);
      for (const file of readdirSync(h.dataDir).filter((name) => name.startsWith(DATABASE_FILE))) {
        const bytes = readFileSync(join(h.dataDir, file));
        expect(bytes.includes('alice-password'), file).toBe(false);
        expect(bytes.includes('bob-password'), file).toBe(false);
      }
    });

    it('finds the caller by a SHA-256 of the token, so the lookup compares no secret byte by byte', async () => {
      const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
      const users = readUsers();
      for (const user of users) expect(user.api_token_sha256).toBe(sha256(String(user.api_token)));
      // A stored digest that no longer matches locks the token out: the digest is what is looked up.
      const db = new BetterSqlite3(join(h.dataDir, DATABASE_FILE));
      try {
        db.prepare('UPDATE users SET api_token_sha256 = ? WHERE id = ?').run(sha256('something else'), h.bob.id);
        expect((await h.call('GET', '/projects', { token: h.bob.token })).status).toBe(401);
        expect((await tus.head(w.a.upload, h.bob.token)).status).toBe(401);
      } finally {
        db.prepare('UPDATE users SET api_token_sha256 = ? WHERE id = ?').run(sha256(h.bob.token), h.bob.id);
        db.close();
      }
      expect((await h.call('GET', '/projects', { token: h.bob.token })).status).toBe(200);
    });

    it('keeps `mc-server user token EMAIL` printing the token, and a --new one replaces the old everywhere', async () => {
      const store = Store.open(h.dataDir);
      try {
        expect(accountToken(store, 'bob@example.org')).toBe(h.bob.token);
        const renewed = accountToken(store, 'bob@example.org', true);
        expect((await h.call('GET', '/projects', { token: renewed })).status).toBe(200);
        expect((await h.call('GET', '/projects', { token: h.bob.token })).status).toBe(401);
        expect(accountToken(store, 'bob@example.org')).toBe(renewed);
        h.bob.token = renewed;
      } finally {
        store.close();
      }
    });
  });
});

/** Paths under `root` (not following links) whose last segment contains `needle`. */
function findNamed(root: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // another test's folder that went away, or one we may not read
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.name.includes(needle)) found.push(path);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(root);
  return found;
}

/**
 * A multipart request whose path is sent exactly as written: URL parsers (undici's included) resolve
 * `..` and `%2E%2E` segments before sending, which would hide what the server does with them.
 */
function rawMultipart(h: Harness, method: string, path: string, parts: ReadonlyArray<{ name: string; filename?: string; content?: string; value?: string }>): Promise<Reply> {
  const boundary = `----authz-${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    ...parts.map((part) =>
      Buffer.from(
        part.filename === undefined
          ? `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`
          : `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${part.content}\r\n`,
      ),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const url = new URL(h.server.origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${h.alice.token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            body: bytes,
            get json() {
              return JSON.parse(text);
            },
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
