import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, mcServer, startMcServer, tempDir } from '../src/binaries';
import { McRecorder, readAccessLog, userConfigFile } from '../src/cli-fixture';
import { buildSampleTree } from '../src/sample-tree';
import { digestTree, listFolders } from '../src/tree-digest';

/**
 * The acceptance round trip of issue 2, through the binaries as a user runs them. On CI it runs
 * on the real 26,000-file tree (MCSYNC_REAL_TREE, built by .ci/run from Debian packages);
 * elsewhere on the generated sample tree, so the same steps are always exercised.
 */
const realTree = process.env.MCSYNC_REAL_TREE;
const EMAIL = 'scientist@example.org';
const PASSWORD = 'correct horse battery staple';

interface Json {
  transferred: Array<{ path: string; bytes: number }>;
  skipped: Array<{ path: string; reason: string }>;
  failed: unknown[];
  requests: number;
  project_id: number;
}

describe.each(['stock', 'enhanced'] as const)(`round trip of ${realTree ? 'the real project tree' : 'a generated sample tree'} through mc and mc-server (%s)`, (profile) => {
  const work = tempDir('e2e');
  const home = join(work, 'home');
  const src = join(work, 'src');
  const dst = join(work, 'dst');
  const accessLog = join(work, 'access.log');
  const timings: Record<string, number> = {};
  let server: RunningServer;
  let projectId: number;
  const mc = new McRecorder();

  beforeAll(async () => {
    mkdirSync(home);
    if (realTree) execFileSync('cp', ['-a', resolve(realTree), src]);
    else {
      mkdirSync(src);
      buildSampleTree(src, { smallFiles: 1500, largeFiles: 3, largeFileBytes: 3 << 20 });
    }
    const data = join(work, 'server-data');
    const added = await mcServer(['user', 'add', EMAIL, '--data', data, '--password-stdin'], { input: `${PASSWORD}\n` });
    expect(added.code, added.stderr).toBe(0);
    server = await startMcServer(['--data', data, '--profile', profile], { MC_SERVER_ACCESS_LOG: accessLog });
    const remote = await mc.run(['remote', '--add', EMAIL, '--url', server.url, '--password-stdin'], { home, input: `${PASSWORD}\n` });
    expect(remote.code, remote.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.stop();
    const out = resolve(import.meta.dirname, '../../../test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `e2e-round-trip-${profile}.json`), JSON.stringify({ tree: realTree ?? 'sample', profile, timings }, null, 2));
    console.log(`round-trip timings (${profile}, s): ${JSON.stringify(timings)}`);
    execFileSync('rm', ['-rf', work]);
  });

  it('1. mc init + mc up -r . uploads every regular file and reports the symlinks', async () => {
    const init = await mc.run(['init', '--name', 'round-trip'], { home, cwd: src });
    expect(init.code, init.stderr).toBe(0);
    projectId = JSON.parse(readFileSync(join(src, '.mc/config.json'), 'utf8')).project_id;
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: src });
    timings.upload = up.seconds;
    expect(up.code, up.stderr).toBe(0);
    const result = JSON.parse(up.stdout) as Json;
    const files = await digestTree(src);
    expect(result.failed).toEqual([]);
    expect(result.transferred.length).toBe(files.size);
    const symlinks = execFileSync('find', ['.', '-type', 'l'], { cwd: src, encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.slice(2));
    expect(symlinks.length).toBeGreaterThan(0);
    expect(result.skipped.map((s) => s.path).sort()).toEqual(symlinks.sort());
  });

  it('2. mc clone + mc down -r . brings back every byte, and no symlink', async () => {
    const clone = await mc.run(['clone', String(projectId), dst], { home, cwd: work });
    expect(clone.code, clone.stderr).toBe(0);
    expect(clone.stdout + clone.stderr).toContain('mc down -r .');
    const down = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
    timings.download = down.seconds;
    expect(down.code, down.stderr).toBe(0);
    const [a, b] = await Promise.all([digestTree(src), digestTree(dst)]);
    expect(b.size).toBe(a.size);
    expect(Object.fromEntries(b)).toEqual(Object.fromEntries(a));
    expect(listFolders(dst)).toEqual(listFolders(src));
    expect(execFileSync('find', ['.', '-type', 'l'], { cwd: dst, encoding: 'utf8' })).toBe('');
  });

  it('3. a second mc up -r . transfers nothing and sends no upload request', async () => {
    const before = readAccessLog(accessLog).length;
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: src });
    timings.noop_upload = up.seconds;
    expect(up.code, up.stderr).toBe(0);
    const result = JSON.parse(up.stdout) as Json;
    timings.noop_requests = result.requests;
    expect(result.transferred).toEqual([]);
    const during = readAccessLog(accessLog).slice(before);
    expect(during.length).toBe(result.requests);
    expect(during.filter((l) => l.method !== 'GET')).toEqual([]);
  });

  it('4. after one file changes, mc up -r . uploads exactly that file', async () => {
    const files = [...(await digestTree(src)).keys()].sort();
    const victim = files[Math.floor(files.length / 2)]!;
    appendFileSync(join(src, victim), 'one more line\n');
    const before = readAccessLog(accessLog).length;
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: src });
    timings.one_changed_upload = up.seconds;
    expect(up.code, up.stderr).toBe(0);
    const result = JSON.parse(up.stdout) as Json;
    expect(result.transferred.map((t) => t.path)).toEqual([victim]);
    const writes = readAccessLog(accessLog).slice(before).filter((l) => l.method !== 'GET');
    expect(writes.map((l) => l.method)).toEqual(['POST']);
    expect(writes[0]!.path).toMatch(/upload/); // stock: …/files/{dir}/upload; enhanced: …/files/bulk-upload
  });

  it('5. no output of mc in this round trip contains the token or the password', () => {
    const token = (JSON.parse(readFileSync(userConfigFile(home), 'utf8')) as { default_remote: { mcapikey: string } }).default_remote.mcapikey;
    expect(token).toBeTruthy();
    expect(mc.count).toBeGreaterThanOrEqual(7);
    expect(mc.leaks([token, PASSWORD])).toEqual([]);
  });
});
