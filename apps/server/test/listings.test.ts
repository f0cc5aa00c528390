import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES } from '../src/index.js';
import { Harness } from './helpers/harness.js';

describe.each(PROFILES)('paginated listings (%s profile)', (profile) => {
  let h: Harness;
  let project: { id: number; rootId: number };
  beforeAll(async () => {
    h = await Harness.start({ profile });
    project = await h.project('Listings');
    const dir = await h.mkdirs(project.id, '/Data/Raw');
    await h.upload(project.id, dir.id, Array.from({ length: 7 }, (_, i) => [`sample-${i}.csv`, `s${i}`] as const));
    await h.upload(project.id, project.rootId, [['README.md', 'readme'], ['Café.txt', 'cafe']]);
    await h.upload(project.id, project.rootId, [['README.md', 'readme v2']]);
  });
  afterAll(() => h.close());

  describe('GET /projects/{p}/file-changes-since', () => {
    it('pages current files (no directories) after `since`, oldest first, as a bare paginator of Row+o+d', async () => {
      const reply = await h.call('GET', `/projects/${project.id}/file-changes-since?since=1970-01-01%2000:00:00&page[size]=4`);
      expect(reply.status).toBe(200);
      const body = reply.json;
      expect(body).toMatchObject({ current_page: 1, last_page: 3, per_page: 4, total: 9, from: 1, to: 4, prev_page_url: null });
      expect(body.data).toHaveLength(4);
      expect(body.data[0]).toMatchObject({ owner: { id: h.alice.id }, directory: { path: '/Data/Raw' } });
      expect(body.path).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/api/projects/${project.id}/file-changes-since$`));
      expect(body.next_page_url).toBe(`${body.path}?since=1970-01-01+00%3A00%3A00&page%5Bsize%5D=4&page%5Bnumber%5D=2`);
      expect(body.links.map((l: any) => l.label)).toEqual(['&laquo; Previous', '1', '2', '3', 'Next &raquo;']);
      const last = (await h.call('GET', `/projects/${project.id}/file-changes-since?since=1970-01-01%2000:00:00&page%5Bsize%5D=4&page%5Bnumber%5D=3`)).json;
      expect(last).toMatchObject({ current_page: 3, from: 9, to: 9, next_page_url: null });
      const names = [...body.data, ...(await h.call('GET', `/projects/${project.id}/file-changes-since?since=1970-01-01%2000:00:00&page[size]=4&page[number]=2`)).json.data, ...last.data].map((r: any) => r.name);
      expect(names).toHaveLength(9);
      expect(new Set(names).size).toBe(9);
      expect(names).not.toContain('Raw');
    });

    it('is strict: nothing created after a time in the future, everything after the epoch', async () => {
      const future = await h.call('GET', `/projects/${project.id}/file-changes-since?since=2999-01-01%2000:00:00`);
      expect(future.json).toMatchObject({ total: 0, data: [], from: null, to: null, last_page: 1 });
      const since = new Date(Date.now() - 3600_000).toISOString().slice(0, 19).replace('T', ' ');
      expect((await h.call('GET', `/projects/${project.id}/file-changes-since?since=${encodeURIComponent(since)}`)).json.total).toBe(9);
    });

    it('422 for a malformed since, 500 without since (Q1), 401, 404 for another user\'s project', async () => {
      for (const since of ['2025-10-16T18:00:00', '2025-10-16', '2025-13-01 00:00:00', 'yesterday']) {
        const reply = await h.call('GET', `/projects/${project.id}/file-changes-since?since=${encodeURIComponent(since)}`);
        expect(reply.status, since).toBe(422);
        expect(reply.json.errors).toEqual({ since: ['The since field must match the format Y-m-d H:i:s.'] });
      }
      expect((await h.call('GET', `/projects/${project.id}/file-changes-since`)).json).toEqual({ message: 'Server Error' });
      expect((await h.call('GET', `/projects/${project.id}/file-changes-since?since=2000-01-01%2000:00:00`, { token: null })).status).toBe(401);
      const bobs = await h.project('Bob listings', h.bob.token);
      expect((await h.call('GET', `/projects/${bobs.id}/file-changes-since?since=2000-01-01%2000:00:00`)).json).toEqual({ message: 'No such project' });
    });
  });

  describe('POST /projects/{p}/files/matching', () => {
    const match = (patterns: unknown, query = '') => h.call('POST', `/projects/${project.id}/files/matching${query}`, { json: { match: patterns } });

    it('matches names by LIKE patterns, case- and accent-insensitively, files and directories, current only', async () => {
      const reply = await match(['readme%', 'cafe.TXT', 'raw']);
      expect(reply.status).toBe(200);
      expect(reply.json.data.map((r: any) => r.name).sort()).toEqual(['Café.txt', 'README.md', 'Raw']);
      expect(reply.json.data.find((r: any) => r.name === 'README.md')).toMatchObject({ current: true, owner: { id: h.alice.id } });
      expect((await match(['sample-_.csv'])).json.total).toBe(7);
      expect((await match(['sample\\-0%'])).json.total).toBe(1);
    });

    it('walks the whole project with %, 500 per page by default, paged by page[size]', async () => {
      const all = (await match(['%'])).json;
      // The root ("/"), Data, Raw, 7 samples, README.md (its current version) and Café.txt.
      expect(all).toMatchObject({ per_page: 500, total: 12 });
      expect(all.data.map((r: any) => r.name)).toContain('/');
      const paged = (await match(['%'], '?page[size]=5&page[number]=3')).json;
      expect(paged).toMatchObject({ current_page: 3, last_page: 3, from: 11, to: 12 });
    });

    it('422 without match or with a non-array', async () => {
      expect((await h.call('POST', `/projects/${project.id}/files/matching`, { json: {} })).json.errors).toEqual({ match: ['The match field is required.'] });
      expect((await match('readme%')).json.errors).toEqual({ match: ['The match field must be an array.'] });
      expect((await match([1])).status).toBe(422);
    });
  });
});
