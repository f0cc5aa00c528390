import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  type AccountServer,
  McRecorder,
  ServerView,
  homeWithAccounts,
  initProject,
  onlyJson,
  spawnMc,
  startServerWithAccounts,
} from '../src/cli-fixture';
import { digestTree } from '../src/tree-digest';

/** The lock, temporary files, Ctrl-C and the exit codes of errors (cli-contract.md). */
describe('mc safety: lock, temporary files, Ctrl-C, exit codes', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let view: ServerView;
  const badToken = 'x'.repeat(20) + 'RejectedToken' + 'y'.repeat(27);

  beforeAll(async () => {
    server = await startServerWithAccounts('cli-safety', ['ann@example.org']);
    ann = server.accounts[0]!;
    view = new ServerView(server.url, ann.token);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const newProject = (name: string, files: Record<string, string | Buffer>) => initProject(mc, server, ann, name, files);
  const serverFiles = async (projectId: number) => [...(await view.tree(projectId)).files.keys()].sort();
  const lockFile = (root: string) => join(root, '.mc', 'mcsync.lock');
  const writeLock = (root: string, pid: number) =>
    writeFileSync(lockFile(root), JSON.stringify({ pid, hostname: hostname(), started_at: new Date().toISOString(), command: 'mc up' }));

  describe('one run per project folder', () => {
    it('while a live process holds .mc/mcsync.lock, mc up exits 2 naming the lock and uploads nothing', async () => {
      const { root, home, projectId } = await newProject('locked', { 'a.txt': 'a\n' });
      writeLock(root, process.pid);
      const lockText = readFileSync(lockFile(root), 'utf8');

      const up = await mc.run(['up', '-r', '.'], { home, cwd: root });
      expect(up.code).toBe(2);
      expect(up.stderr).toContain('.mc/mcsync.lock');
      expect(up.stderr).toContain(`pid ${process.pid}`);
      expect(await serverFiles(projectId)).toEqual([]);
      expect(readFileSync(lockFile(root), 'utf8')).toBe(lockText);
    });

    it('a stale lock left by a dead process is taken over, and released when the run ends', async () => {
      const { root, home, projectId } = await newProject('stale-lock', { 'a.txt': 'a\n' });
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      writeLock(root, dead);

      const up = await mc.run(['up', '-r', '.'], { home, cwd: root });
      expect(up.code, up.stderr).toBe(0);
      expect(await serverFiles(projectId)).toEqual(['a.txt']);
      expect(existsSync(lockFile(root))).toBe(false);
    });
  });

  it('removes the temporary files (.mc-tmp-<16 hex>) an earlier run left when a run starts, and never uploads them or conflict copies', async () => {
    const { root, home, projectId } = await newProject('temp-files', {
      'data.txt': 'data\n',
      '.mc-tmp-0123456789abcdef': 'half a download\n',
      'sub/.mc-tmp-fedcba9876543210': 'another half\n',
      'sub/x.conflict-remote-12.txt': 'the server version kept aside\n',
    });
    const up = await mc.run(['up', '-r', '.'], { home, cwd: root });
    expect(up.code, up.stderr).toBe(0);
    expect(existsSync(join(root, '.mc-tmp-0123456789abcdef'))).toBe(false);
    expect(existsSync(join(root, 'sub', '.mc-tmp-fedcba9876543210'))).toBe(false);
    expect(readFileSync(join(root, 'sub', 'x.conflict-remote-12.txt'), 'utf8')).toBe('the server version kept aside\n');
    expect(await serverFiles(projectId)).toEqual(['data.txt']);
  });

  describe('Ctrl-C', () => {
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 300; i++) files[`small/${i % 3}/f-${String(i).padStart(3, '0')}.txt`] = `small file ${i}\n`;
    for (let i = 0; i < 4; i++) files[`large/l-${i}.bin`] = randomBytes(4 << 20);
    let project: { root: string; home: string; projectId: number };

    beforeAll(async () => {
      project = await newProject('interrupted', files);
    });

    /**
     * Runs `mc ARGS --progress=ndjson --concurrency 2` and sends SIGINT as soon as the first file is
     * done; returns the exit code, stdout, the notices, and the files reported done.
     */
    const interrupt = async (args: readonly string[], cwd: string) => {
      const child = spawnMc([...args, '--progress=ndjson', '--concurrency', '2'], { home: project.home, cwd });
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr!.setEncoding('utf8').on('data', (c: string) => {
        stderr += c;
        if (!child.killed && /"type":"done"/.test(stderr)) child.kill('SIGINT');
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      mc.record([...args, '(interrupted)'], stdout + stderr);
      const lines = stderr.split('\n').filter(Boolean);
      const events = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { type: string; path: string });
      return { code, stdout, notices: lines.filter((l) => !l.startsWith('{')), done: events.filter((e) => e.type === 'done').map((e) => e.path) };
    };

    const serverDigest = async () => Object.fromEntries([...(await view.tree(project.projectId)).files].map(([p, f]) => [p, f.checksum]));

    it('during mc up: exit 130, the summary is printed, finished files are recorded and a rerun uploads only the rest, each file once', async () => {
      const { root, projectId } = project;
      const run = await interrupt(['up', '-r', '.'], root);
      expect(run.code).toBe(130);
      expect(run.notices.join('\n')).toMatch(/stopping/);
      expect(run.stdout).toMatch(/^up: uploaded \d+ files? .*\(interrupted\)$/m);
      expect(existsSync(lockFile(root))).toBe(false);
      expect(run.done.length).toBeGreaterThan(0);
      expect(run.done.length).toBeLessThan(Object.keys(files).length);

      const rerun = await mc.run(['up', '-r', '.', '--json'], { home: project.home, cwd: root });
      expect(rerun.code, rerun.stderr).toBe(0);
      const uploadedAgain = onlyJson<{ transferred: Array<{ path: string }> }>(rerun.stdout).transferred.map((t) => t.path);
      expect(uploadedAgain.length).toBeGreaterThan(0);
      expect(uploadedAgain.filter((p) => run.done.includes(p))).toEqual([]);

      expect(await serverDigest()).toEqual(Object.fromEntries(await digestTree(root)));
      const withOtherVersions: string[] = [];
      for (const [path, f] of (await view.tree(projectId)).files) if ((await view.otherVersions(projectId, f.id)).length > 0) withOtherVersions.push(path);
      expect(withOtherVersions).toEqual([]);
    });

    it('during mc down: exit 130, no temporary or partial file is left, and a rerun downloads only the rest', async () => {
      const dst = join(server.scratch('work'), 'copy');
      expect((await mc.run(['clone', String(project.projectId), dst], { home: project.home })).code).toBe(0);
      const run = await interrupt(['down', '-r', '.'], dst);
      expect(run.code).toBe(130);
      expect(run.stdout).toMatch(/^down: downloaded \d+ files? .*\(interrupted\)$/m);
      const onServer = await serverDigest();
      const local = Object.fromEntries(await digestTree(dst));
      expect(Object.keys(local).filter((p) => p.includes('.mc-tmp-'))).toEqual([]);
      expect(Object.keys(local).length).toBeLessThan(Object.keys(onServer).length);
      for (const [path, md5] of Object.entries(local)) expect([path, md5]).toEqual([path, onServer[path]]);

      const rerun = await mc.run(['down', '-r', '.', '--json'], { home: project.home, cwd: dst });
      expect(rerun.code, rerun.stderr).toBe(0);
      const downloadedAgain = onlyJson<{ transferred: Array<{ path: string }> }>(rerun.stdout).transferred.map((t) => t.path);
      expect(downloadedAgain.filter((p) => run.done.includes(p))).toEqual([]);
      expect(Object.fromEntries(await digestTree(dst))).toEqual(onServer);
    });
  });

  describe('exit code 2: nothing done', () => {
    it('for usage errors, with a hint', async () => {
      const { root, home } = await newProject('usage', { 'a.txt': 'a\n' });
      const unknown = await mc.run(['up', '-r', '.', '--no-such-flag'], { home, cwd: root });
      const noPaths = await mc.run(['up'], { home, cwd: root });
      expect(unknown.code).toBe(2);
      expect(noPaths.code).toBe(2);
      expect(noPaths.stderr).toMatch(/hint: mc up -r \./);
    });

    it('with --json, an error is still exactly one JSON document on stdout, also when a flag does not parse', async () => {
      const { root, home } = await newProject('json-errors', { 'a.txt': 'a\n' });
      const badFlag = await mc.run(['up', '-r', '.', '--json', '--concurrency', '0'], { home, cwd: root });
      expect(badFlag.code).toBe(2);
      expect(onlyJson<{ error: { code: string } }>(badFlag.stdout).error.code).toBe('USAGE');

      const outside = await mc.run(['up', '-r', '.', '--json'], { home, cwd: server.scratch('plain') });
      expect(outside.code).toBe(2);
      expect(onlyJson<{ error: { code: string } }>(outside.stdout).error.code).toBe('CONFIG');
    });

    it('outside a project folder, saying how to make one', async () => {
      const up = await mc.run(['up', '-r', '.'], { home: homeWithAccounts(server, [ann]), cwd: server.scratch('plain') });
      expect(up.code).toBe(2);
      expect(up.stderr).toMatch(/not inside a .*project/);
      expect(up.stderr).toMatch(/mc init/);
    });

    it('without a default remote, saying how to add one', async () => {
      const proj = await mc.run(['proj'], { home: server.scratch('empty-home'), cwd: server.scratch('plain') });
      expect(proj.code).toBe(2);
      expect(proj.stderr).toMatch(/no default remote/);
      expect(proj.stderr).toMatch(/mc remote --add/);
    });

    it('when the server rejects the token: says to log in again, prints no token, uploads nothing', async () => {
      const { root, projectId } = await newProject('rejected', { 'a.txt': 'a\n' });
      const home = homeWithAccounts(server, [{ ...ann, token: badToken }]);
      const up = await mc.run(['up', '-r', '.'], { home, cwd: root });
      expect(up.code).toBe(2);
      expect(up.stderr).toMatch(/refused the API token/);
      expect(up.stderr).toMatch(/mc remote --add/);
      expect(up.stdout + up.stderr).not.toContain(badToken);
      expect(await serverFiles(projectId)).toEqual([]);
    });
  });

  it('--debug logs each request on stderr without the token', async () => {
    const { root, home } = await newProject('debug', { 'a.txt': 'a\n' });
    const up = await mc.run(['up', '-r', '.', '--debug'], { home, cwd: root });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/^debug: POST \S+ 20\d/m);
    expect(up.stdout + up.stderr).not.toContain(ann.token);
  });

  it('no output of mc in this file contains a token', () => {
    expect(mc.count).toBeGreaterThan(10);
    expect(mc.leaks([ann.token, badToken])).toEqual([]);
  });
});
