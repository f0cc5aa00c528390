import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MC_BIN, tempDir } from '../src/binaries';
import { type Account, type AccountServer, McRecorder, ServerView, initProject, onlyJson, startServerWithAccounts } from '../src/cli-fixture';

/**
 * Issue 6, hostile or broken local input, through the `mc` binary: special files, links that go
 * nowhere or in circles, names that are hard to print or that the server folds together, files
 * that cannot be read or that vanish mid-run, 100,000 files in one folder. Nothing may crash, hang,
 * forge output or reach the server under a wrong name; every problem is named.
 */
interface Json {
  transferred: Array<{ path: string; bytes: number }>;
  skipped: Array<{ path: string; reason: string }>;
  failed: Array<{ path: string; code: string; message: string }>;
}

const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const NEWLINE = 'evil\nskipped forged.txt';

/** A tree of everything awkward that a plain upload must take or name. */
function hostileTree(root: string): Record<string, string> {
  const regular: Record<string, string> = {
    'plain.txt': 'plain',
    'empty.dat': '',
    [NEWLINE]: 'a name with a newline',
    'back\\slash.txt': 'a backslash',
    '-leading-dash.txt': 'a dash',
    ' spaced name .txt': 'spaces',
    'tab\there.txt': 'a tab',
    'sub/deeper/\u202etxt.exe': 'a bidi override',
  };
  mkdirSync(root, { recursive: true });
  for (const [path, content] of Object.entries(regular)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  writeFileSync(join(root, NFC), 'composed');
  writeFileSync(join(root, NFD), 'decomposed');
  writeFileSync(join(root, 'Results.csv'), 'upper');
  writeFileSync(join(root, 'results.csv'), 'lower');
  execFileSync('mkfifo', [join(root, 'pipe')]);
  execFileSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(join(root, 'sock'))})`]);
  symlinkSync('ping', join(root, 'pong'));
  symlinkSync('pong', join(root, 'ping'));
  symlinkSync('nowhere', join(root, 'dangling'));
  symlinkSync('.', join(root, 'sub/self'));
  return regular;
}

const TWINS = [NFC, NFD, 'Results.csv', 'results.csv'].sort();
const SPECIAL = ['dangling', 'ping', 'pipe', 'pong', 'sock', 'sub/self'].sort();

/** Can `nobody` run mc from this checkout? (Root reads every file, so unreadable files need another user.) */
function canRunAsNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, MC_BIN, '--version'], { env: { ...process.env, HOME: '/tmp' } });
  return probe.status === 0;
}

describe.each(['stock', 'enhanced'] as const)('hostile local input (%s)', (profile) => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let view: ServerView;

  beforeAll(async () => {
    server = await startServerWithAccounts(`hostile-local-${profile}`, ['ann@example.org'], profile);
    ann = server.accounts[0]!;
    view = new ServerView(server.url, ann.token);
  });
  afterAll(async () => {
    await server?.stop();
    expect(mc.leaks([ann.token, ann.password])).toEqual([]);
  });

  it('special files and links are skipped and named, server-side name twins fail before anything of them is sent, awkward names go up and come back exact', async () => {
    const { root, home, projectId } = await initProject(mc, server, ann, 'hostile', {});
    const regular = hostileTree(root);

    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    expect(up.code, up.stderr).toBe(1);
    const json = onlyJson<Json>(up.stdout);
    expect(json.transferred.map((t) => t.path).sort()).toEqual(Object.keys(regular).sort());
    expect(json.skipped.map((s) => s.path).sort()).toEqual(SPECIAL);
    expect(json.failed.map((f) => f.path).sort()).toEqual(TWINS);
    for (const f of json.failed) expect(f.message).toMatch(/same name on the server/);
    const remote = await view.tree(projectId);
    expect([...remote.files.keys()].sort()).toEqual(Object.keys(regular).sort());

    // --follow-symlinks names the loop as a loop and the dangling link as dangling.
    const follow = await mc.run(['up', '-r', '.', '--json', '--follow-symlinks'], { home, cwd: root });
    const reasons = Object.fromEntries(onlyJson<Json>(follow.stdout).skipped.map((s) => [s.path, s.reason]));
    expect(reasons).toMatchObject({ ping: expect.stringMatching(/loop/), pong: expect.stringMatching(/loop/), dangling: expect.stringMatching(/dangling/), 'sub/self': expect.stringMatching(/loop/) });

    // Human output: one line per problem, nothing forged by a name, no raw control character.
    const human = await mc.run(['up', '-r', '.'], { home, cwd: root });
    const lines = (human.stdout + human.stderr).split('\n');
    expect(lines.filter((l) => l.startsWith('skipped forged'))).toEqual([]);
    expect(human.stdout + human.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);

    // A path that starts with a dash is reachable as ./-name, and a clone brings every name back exact.
    expect((await mc.run(['up', './-leading-dash.txt', '--json'], { home, cwd: root })).code).toBe(0);
    const work = server.scratch('hostile-clone');
    const dst = join(work, 'p');
    expect((await mc.run(['clone', String(projectId), dst], { home, cwd: work })).code).toBe(0);
    const down = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
    expect(down.code, down.stderr).toBe(0);
    for (const [path, content] of Object.entries(regular)) expect(readFileSync(join(dst, path), 'utf8'), JSON.stringify(path)).toBe(content);
  });

  it('a folder path longer than the server stores (700 characters) fails its files before upload, naming the limit; the rest goes up', async () => {
    const deep = Array.from({ length: 8 }, (_, i) => `${String(i)}${'d'.repeat(99)}`).join('/');
    const { root, home, projectId } = await initProject(mc, server, ann, 'long-path', { 'short.txt': 'short', [`${deep}/deep.txt`]: 'too deep' });
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    expect(up.code, up.stderr).toBe(1);
    const json = onlyJson<Json>(up.stdout);
    expect(json.transferred.map((t) => t.path)).toEqual(['short.txt']);
    expect(json.failed.map((f) => f.path)).toContain(`${deep}/deep.txt`);
    for (const f of json.failed) expect(f.message).toMatch(/at most 700/);
    expect([...(await view.tree(projectId)).files.keys()]).toEqual(['short.txt']);
  });

  it('a file that vanishes and a folder replaced by a file while mc runs: named, nothing wrong stored, the rerun converges', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`a/f${String(i).padStart(2, '0')}.txt`] = `content ${i}`.repeat(200);
    files['b/inner.txt'] = 'inner';
    const { root, home, projectId } = await initProject(mc, server, ann, 'vanish', files);
    const { MC_API_KEY: _key, MC_API_URL: _url, MC_API_EMAIL: _email, ...env } = process.env;
    const child = spawn(process.execPath, [MC_BIN, 'up', '-r', '.', '--json', '--concurrency', '1', '--progress=ndjson'], { cwd: root, env: { ...env, HOME: home, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let struck = false;
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (!struck && c.includes('"type":"start"')) {
        struck = true;
        rmSync(join(root, 'a/f29.txt'));
        rmSync(join(root, 'b'), { recursive: true });
        writeFileSync(join(root, 'b'), 'now a file');
      }
    });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    mc.record(['up (vanish)'], stdout + stderr);
    expect(struck).toBe(true);
    expect([0, 1]).toContain(code);
    if (code === 1) expect(onlyJson<Json>(stdout).failed.length).toBeGreaterThan(0);
    // Whatever the first run did, what the server has is right, and the next runs converge on the new shape.
    const second = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    const third = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    const remote = await view.tree(projectId);
    for (const [path, content] of Object.entries(files)) {
      if (path === 'a/f29.txt' || path.startsWith('b/')) continue;
      expect(remote.files.get(path)?.size, path).toBe(Buffer.byteLength(content));
    }
    const vanished = remote.files.get('a/f29.txt');
    if (vanished) expect(vanished.size, 'a/f29.txt, stored whole before it vanished').toBe(Buffer.byteLength(files['a/f29.txt']!));
    // 'b' is a file here and a folder on the server: mc names the clash, it does not overwrite or lose either side.
    const last = onlyJson<Json>(third.stdout);
    if (remote.folders.includes('b')) {
      expect(third.code, third.stderr).toBe(1);
      expect(last.failed.map((f) => f.path)).toEqual(['b']);
    } else {
      expect(third.code, second.stderr + third.stderr).toBe(0);
      expect(remote.files.get('b')?.size).toBe('now a file'.length);
    }
    expect(readFileSync(join(root, 'b'), 'utf8')).toBe('now a file');
  });
});

describe.runIf(canRunAsNobody())('unreadable files and folders (mc run as an unprivileged user)', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;

  beforeAll(async () => {
    server = await startServerWithAccounts('hostile-unreadable', ['ann@example.org'], 'enhanced');
    ann = server.accounts[0]!;
  });
  afterAll(async () => {
    await server?.stop();
    expect(mc.leaks([ann.token, ann.password])).toEqual([]);
  });

  const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, MC_BIN];

  /** `files` in a project folder owned by `nobody`, with a HOME of its own, and how to run mc there as nobody. */
  function nobodyProject(prefix: string, files: Record<string, string>) {
    const work = tempDir(prefix);
    chmodSync(work, 0o755);
    const home = join(work, 'home');
    const root = join(work, 'p');
    mkdirSync(home);
    mkdirSync(root);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    execFileSync('chown', ['-R', '65534:65534', home, root]);
    const env = { ...process.env, HOME: home, NO_COLOR: '1', MC_API_URL: server.url, MC_API_KEY: ann.token, MC_API_EMAIL: ann.email };
    const run = (args: string[]) => {
      const r = spawnSync('setpriv', [...AS_NOBODY, ...args], { cwd: root, encoding: 'utf8', env });
      mc.record(args, r.stdout + r.stderr);
      return r;
    };
    return { work, root, env, run };
  }

  it('an unreadable file and folder fail or are named, everything else goes up, exit 1; once readable the rerun converges', async () => {
    const { work, root, run } = nobodyProject('unreadable', {
      'open/ok.txt': 'readable',
      'secret.txt': 'not readable',
      'closed/inside.txt': 'behind a closed folder',
    });
    expect(run(['init', '--name', 'unreadable']).status).toBe(0);
    chmodSync(join(root, 'secret.txt'), 0o000);
    chmodSync(join(root, 'closed'), 0o000);
    const up = run(['up', '-r', '.', '--json']);
    expect(up.status, up.stderr).toBe(1);
    const json = onlyJson<Json>(up.stdout);
    expect(json.transferred.map((t) => t.path)).toEqual(['open/ok.txt']);
    const named = [...json.failed, ...json.skipped].map((x) => x.path).sort();
    expect(named).toEqual(['closed', 'secret.txt']);
    for (const f of json.failed) expect(f.message, f.path).toMatch(/permission|EACCES|cannot read/i);

    chmodSync(join(root, 'secret.txt'), 0o644);
    chmodSync(join(root, 'closed'), 0o755);
    const rerun = run(['up', '-r', '.', '--json']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(onlyJson<Json>(rerun.stdout).transferred.map((t) => t.path).sort()).toEqual(['closed/inside.txt', 'secret.txt']);
    rmSync(work, { recursive: true, force: true });
  });

  it('files that become unreadable while mc runs are named with the reason, nothing of them is stored wrong, and the rerun converges', async () => {
    const files: Record<string, string> = {};
    // Above the 8 MiB a bulk request holds, so each is opened only when its turn comes (one at a time).
    for (let i = 0; i < 5; i++) files[`f${i}.dat`] = `file ${i} `.repeat(1_500_000);
    const { work, root, env, run } = nobodyProject('unreadable-mid-run', files);
    expect(run(['init', '--name', 'mid-run']).status).toBe(0);
    const child = spawn('setpriv', [...AS_NOBODY, 'up', '-r', '.', '--json', '--concurrency', '1', '--progress=ndjson'], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    let struck = false;
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (!struck && c.includes('"type":"start"')) {
        struck = true;
        // Every file: whichever mc has not read yet can no longer be read.
        for (const path of Object.keys(files)) chmodSync(join(root, path), 0o000);
      }
    });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    mc.record(['up (unreadable mid-run)'], stdout + stderr);
    expect(struck).toBe(true);
    expect(code, stderr).toBe(1);
    const json = onlyJson<Json>(stdout);
    expect(json.failed.length).toBeGreaterThan(0);
    for (const f of json.failed) expect(f.message, f.path).toMatch(/permission|EACCES|cannot read/i);
    const view = new ServerView(server.url, ann.token);
    const projectId = JSON.parse(readFileSync(join(root, '.mc', 'config.json'), 'utf8')).project_id as number;
    const stored = (await view.tree(projectId)).files;
    for (const [path, row] of stored) expect(row.size, `${path} is stored whole or not at all`).toBe(Buffer.byteLength(files[path]!));
    for (const path of Object.keys(files)) chmodSync(join(root, path), 0o644);
    const rerun = run(['up', '-r', '.', '--json']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect((await view.tree(projectId)).files.size).toBe(5);
    rmSync(work, { recursive: true, force: true });
  });
});

describe('100,000 files in one folder', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  beforeAll(async () => {
    server = await startServerWithAccounts('hostile-wide', ['ann@example.org'], 'enhanced');
    ann = server.accounts[0]!;
  });
  afterAll(async () => {
    await server?.stop();
    expect(mc.leaks([ann.token, ann.password])).toEqual([]);
  });

  it('go up in bounded requests, and a rerun finds them all in sync', async () => {
    const { root, home, projectId } = await initProject(mc, server, ann, 'wide', {});
    const folder = join(root, 'frames');
    mkdirSync(folder);
    for (let i = 0; i < 100_000; i++) writeFileSync(join(folder, `frame-${String(i).padStart(6, '0')}.txt`), String(i));
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root, timeoutMs: 600_000 });
    expect(up.code, up.stderr.slice(-2000)).toBe(0);
    const json = onlyJson<Json & { requests: number; seconds: number }>(up.stdout);
    expect(json.transferred.length).toBe(100_000);
    console.log(`100,000 files in one folder (enhanced): mc up ${json.seconds.toFixed(1)} s, ${json.requests} requests`);
    const remote = await new ServerView(server.url, ann.token).tree(projectId);
    expect(remote.files.size).toBe(100_000);
    expect(remote.files.get('frames/frame-099999.txt')?.size).toBe(5);
    const again = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root, timeoutMs: 600_000 });
    expect(again.code).toBe(0);
    expect(onlyJson<Json>(again.stdout).transferred).toEqual([]);
  }, 900_000);
});
