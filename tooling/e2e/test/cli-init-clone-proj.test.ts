import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, type AccountServer, McRecorder, ServerView, homeWithAccounts, onlyJson, readProjectConfig, startServerWithAccounts } from '../src/cli-fixture';

/** `mc init`, `mc clone` and `mc proj` (cli-contract.md; `.mc/config.json` as in mc-api.md §7.2). */
describe('mc init, mc clone, mc proj', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let bob: Account;
  let annView: ServerView;

  beforeAll(async () => {
    server = await startServerWithAccounts('cli-init', ['ann@example.org', 'bob@example.org']);
    [ann, bob] = server.accounts as [Account, Account];
    annView = new ServerView(server.url, ann.token);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** A fresh folder `name` in a fresh work area, and a HOME where ann is the default account. */
  const folder = (name: string) => {
    const dir = join(server.scratch('work'), name);
    mkdirSync(dir);
    return { dir, home: homeWithAccounts(server, [ann]) };
  };

  describe('mc init', () => {
    it('creates a project named after the folder, writes a compact .mc/config.json, and uploads nothing', async () => {
      const { dir, home } = folder('Perovskite screening');
      writeFileSync(join(dir, 'data.csv'), 'a,b\n1,2\n');
      const init = await mc.run(['init'], { home, cwd: dir });
      expect(init.code, init.stderr).toBe(0);

      const text = readFileSync(join(dir, '.mc', 'config.json'), 'utf8');
      expect(text).toBe(JSON.stringify(JSON.parse(text)));
      const config = readProjectConfig(dir);
      const project = (await annView.projects()).find((p) => p.id === config.project_id)!;
      expect(project.name).toBe('Perovskite screening');
      expect(config).toMatchObject({ remote: { mcurl: server.url, email: ann.email }, project_uuid: project.uuid });
      expect(config.remote).not.toHaveProperty('mcapikey');
      expect(await annView.tree(project.id)).toEqual({ files: new Map(), folders: [] });
    });

    it('refuses inside a project folder, in the folder itself or below it, with exit 2 and no new project', async () => {
      const { dir, home } = folder('nested-parent');
      expect((await mc.run(['init'], { home, cwd: dir })).code).toBe(0);
      const before = (await annView.projects()).length;
      mkdirSync(join(dir, 'inner'));

      const again = await mc.run(['init', '--name', 'another name'], { home, cwd: dir });
      const below = await mc.run(['init'], { home, cwd: join(dir, 'inner') });
      expect(again.code).toBe(2);
      expect(below.code).toBe(2);
      expect(below.stderr).toContain(dir);
      expect(existsSync(join(dir, 'inner', '.mc'))).toBe(false);
      expect((await annView.projects()).length).toBe(before);
    });

    it('refuses a name the caller already has a project for, unless --use-existing links to it', async () => {
      const first = folder('shared-name');
      expect((await mc.run(['init'], { home: first.home, cwd: first.dir })).code).toBe(0);
      const { dir, home } = folder('shared-name');

      const refused = await mc.run(['init'], { home, cwd: dir });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--use-existing');
      expect(existsSync(join(dir, '.mc'))).toBe(false);

      const linked = await mc.run(['init', '--use-existing'], { home, cwd: dir });
      expect(linked.code, linked.stderr).toBe(0);
      expect(readProjectConfig(dir).project_id).toBe(readProjectConfig(first.dir).project_id);
      expect((await annView.projects()).filter((p) => p.name === 'shared-name')).toHaveLength(1);
    });

    it('refuses a name over 80 characters with a hint, and creates nothing', async () => {
      const { dir, home } = folder('x'.repeat(81));
      const init = await mc.run(['init'], { home, cwd: dir });
      expect(init.code).toBe(2);
      expect(init.stderr).toMatch(/80 characters/);
      expect(init.stderr).toMatch(/hint: .*--name/);
      expect(existsSync(join(dir, '.mc'))).toBe(false);
      expect((await annView.projects()).some((p) => p.name.startsWith('xxxx'))).toBe(false);
    });

    it('--remote EMAIL URL creates the project in that account instead of the default', async () => {
      const dir = join(server.scratch('work'), 'bobs-project');
      mkdirSync(dir);
      const home = homeWithAccounts(server, [ann, bob]);
      const init = await mc.run(['init', '--remote', bob.email, server.url], { home, cwd: dir });
      expect(init.code, init.stderr).toBe(0);
      expect(readProjectConfig(dir).remote).toEqual({ mcurl: server.url, email: bob.email });
      const bobs = await new ServerView(server.url, bob.token).projects();
      expect(bobs.find((p) => p.id === readProjectConfig(dir).project_id)?.name).toBe('bobs-project');
      expect((await annView.projects()).some((p) => p.name === 'bobs-project')).toBe(false);
    });
  });

  describe('mc clone ID [DIR]', () => {
    let projectId: number;
    let home: string;

    beforeAll(async () => {
      const source = folder('clone-source');
      home = source.home;
      mkdirSync(join(source.dir, 'sub'));
      writeFileSync(join(source.dir, 'sub', 'a.txt'), 'content\n');
      expect((await mc.run(['init'], { home, cwd: source.dir })).code).toBe(0);
      expect((await mc.run(['up', '-r', '.'], { home, cwd: source.dir })).code).toBe(0);
      projectId = readProjectConfig(source.dir).project_id;
    });

    it('sets up a missing DIR with .mc/config.json, downloads nothing, and says to run mc down -r .', async () => {
      const dir = join(server.scratch('work'), 'new', 'copy');
      const clone = await mc.run(['clone', String(projectId), dir], { home, cwd: server.scratch('cwd') });
      expect(clone.code, clone.stderr).toBe(0);
      expect(clone.stdout + clone.stderr).toContain('mc down -r .');
      expect(readdirSync(dir)).toEqual(['.mc']);
      expect(readProjectConfig(dir)).toMatchObject({ remote: { mcurl: server.url, email: ann.email }, project_id: projectId });
    });

    it('accepts an empty DIR, and refuses a non-empty one with exit 2 without writing anything', async () => {
      const empty = server.scratch('empty');
      expect((await mc.run(['clone', String(projectId), empty], { home })).code).toBe(0);
      expect(readProjectConfig(empty).project_id).toBe(projectId);

      const full = server.scratch('full');
      writeFileSync(join(full, 'notes.txt'), 'mine\n');
      const refused = await mc.run(['clone', String(projectId), full], { home });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('not empty');
      expect(readdirSync(full)).toEqual(['notes.txt']);
    });

    it('without DIR sets up ./<project name> in the working folder', async () => {
      const cwd = server.scratch('cwd');
      const clone = await mc.run(['clone', String(projectId)], { home, cwd });
      expect(clone.code, clone.stderr).toBe(0);
      expect(readdirSync(cwd)).toEqual(['clone-source']);
      expect(readProjectConfig(join(cwd, 'clone-source')).project_id).toBe(projectId);
    });
  });

  describe('mc proj', () => {
    it("lists the caller's projects with name, id and owner, marking the current folder's with *", async () => {
      const { dir, home } = folder('proj-listing');
      expect((await mc.run(['init'], { home, cwd: dir })).code).toBe(0);
      const id = readProjectConfig(dir).project_id;

      const proj = await mc.run(['proj'], { home, cwd: dir });
      expect(proj.code, proj.stderr).toBe(0);
      const lines = proj.stdout.split('\n');
      const mine = lines.find((l) => l.includes('proj-listing'))!;
      expect(mine).toMatch(new RegExp(`^\\*\\s+proj-listing\\s+${id}\\s+${ann.email}`));
      expect(lines.filter((l) => l.startsWith('*'))).toHaveLength(1);
      for (const p of await annView.projects()) expect(lines.some((l) => l.includes(` ${p.id} `) && l.includes(p.name))).toBe(true);
    });

    it('--json prints exactly one JSON document on stdout, with the current project marked', async () => {
      const { dir, home } = folder('proj-json');
      expect((await mc.run(['init'], { home, cwd: dir })).code).toBe(0);
      const id = readProjectConfig(dir).project_id;

      const proj = await mc.run(['proj', '--json'], { home, cwd: dir });
      expect(proj.code, proj.stderr).toBe(0);
      const doc = onlyJson<{ projects: Array<{ name: string; id: number; owner: string; updated: string; current: boolean }> }>(proj.stdout);
      expect(doc.projects.filter((p) => p.current)).toEqual([expect.objectContaining({ id, name: 'proj-json', owner: ann.email })]);
      expect(doc.projects.map((p) => p.id).sort()).toEqual((await annView.projects()).map((p) => p.id).sort());
      expect(doc.projects.every((p) => typeof p.updated === 'string')).toBe(true);
    });
  });

  it('MC_API_URL, MC_API_KEY and MC_API_EMAIL set together replace the default account', async () => {
    const cwd = server.scratch('plain');
    const env = { MC_API_URL: server.url, MC_API_KEY: bob.token, MC_API_EMAIL: bob.email };
    const proj = await mc.run(['proj', '--json'], { home: homeWithAccounts(server, [ann]), cwd, env });
    expect(proj.code, proj.stderr).toBe(0);
    const bobs = (await new ServerView(server.url, bob.token).projects()).map((p) => p.id).sort();
    expect(onlyJson<{ projects: Array<{ id: number }> }>(proj.stdout).projects.map((p) => p.id).sort()).toEqual(bobs);
    expect(bobs).not.toEqual((await annView.projects()).map((p) => p.id).sort());
  });

  it('no output of mc in this file contains a token', () => {
    expect(mc.count).toBeGreaterThan(10);
    expect(mc.leaks([ann.token, bob.token])).toEqual([]);
  });
});
