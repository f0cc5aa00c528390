import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AccountServer, McRecorder, ServerView, initProject, onlyJson, startServerWithAccounts } from '../src/cli-fixture';

/**
 * Issue 6 through the binaries: `mc` against `mc-server --faults` kinds that a real network or
 * server produces besides resets and 5xx (those are in the soak): a full server disk, responses cut
 * short with a clean close, bodies that trickle, and 429 with Retry-After.
 */
interface Json {
  transferred: Array<{ path: string }>;
  failed: Array<{ path: string; code: string; message: string }>;
}

/** Every path under `root` (files and folders), `.mc` left out. */
function localPaths(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((e) => {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    if (path === '.mc') return [];
    return e.isDirectory() ? [path, ...localPaths(root, path)] : [path];
  });
}

function sampleFiles(count: number): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) files[`run-${i % 4}/out-${i}.dat`] = randomBytes(1000 + ((i * 7919) % 200_000));
  return files;
}

describe.each(['stock', 'enhanced'] as const)('mc against injected faults (%s)', (profile) => {
  const mc = new McRecorder();
  const servers: AccountServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
    const secrets = servers.flatMap((s) => s.accounts.flatMap((a) => [a.token, a.password]));
    expect(mc.leaks(secrets)).toEqual([]);
  });

  async function start(faults: string, seed = 1): Promise<AccountServer> {
    const server = await startServerWithAccounts(`faults-${profile}`, ['fay@example.org'], profile, ['--faults', faults, '--seed', String(seed)]);
    servers.push(server);
    return server;
  }

  it('a full server disk: every file is reported with the storage error, the exit code is non-zero, nothing is stored', async () => {
    const server = await start('upload:enospc,bulk:enospc,tus:enospc');
    const fay = server.accounts[0]!;
    const files = { ...sampleFiles(6), 'big/stack.bin': randomBytes(12 * 1024 * 1024) };
    const { root, home, projectId } = await initProject(mc, server, fay, 'full-disk', files);
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    expect(up.code, up.stderr).not.toBe(0);
    const json = onlyJson<Json>(up.stdout);
    expect(json.transferred).toEqual([]);
    expect(json.failed.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
    for (const f of json.failed) expect(f.message, f.path).toMatch(/out of storage space/);
    expect((await new ServerView(server.url, fay.token).tree(projectId)).files.size).toBe(0);
    // The local side is untouched: the same files, no temporary ones.
    expect(localPaths(root).filter((p) => !p.includes('/') || p.split('/').length > 1).sort()).toEqual(
      [...new Set([...Object.keys(files), ...Object.keys(files).map((p) => p.split('/')[0]!)])].sort(),
    );
  });

  it('truncated and trickling downloads and 429s on listings: the runs converge and every byte matches', async () => {
    const server = await start('download:truncate@0.3,download:slow=3000000@0.2,listing:status=429@0.2', 11);
    const fay = server.accounts[0]!;
    const files = sampleFiles(24);
    const { root, home, projectId } = await initProject(mc, server, fay, 'flaky-down', files);
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    expect(up.code, up.stderr).toBe(0);

    const work = server.scratch('copy');
    const dst = join(work, 'p');
    expect((await mc.run(['clone', String(projectId), dst], { home, cwd: work })).code).toBe(0);
    let runs = 0;
    for (let code = -1; code !== 0 && runs < 4; runs++) {
      const down = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
      code = down.code;
      // A run that does not finish says which files and why, with a non-zero exit.
      if (code !== 0) expect(onlyJson<Json>(down.stdout).failed.length, down.stderr).toBeGreaterThan(0);
    }
    expect(runs).toBeLessThanOrEqual(3);
    for (const [path, content] of Object.entries(files)) expect(readFileSync(join(dst, path)).equals(content), path).toBe(true);
    expect(localPaths(dst).filter((p) => p.includes('.mc-tmp'))).toEqual([]);
  });
});
