import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  type AccountServer,
  McRecorder,
  ServerView,
  homeWithAccounts,
  onlyJson,
  readAccessLog,
  readProjectConfig,
  startServerWithAccounts,
} from '../src/cli-fixture';
import { digestTree } from '../src/tree-digest';

/** `mc status` and `mc ls` (cli-contract.md): compare both sides, change neither. */
describe('mc status and mc ls', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let view: ServerView;
  let root: string;
  let home: string;
  let projectId: number;

  // A project where same.txt is in sync, changed.txt was edited locally, new-local.txt and the
  // folder "local folder" exist only here, and remote-only.txt only on the server.
  beforeAll(async () => {
    server = await startServerWithAccounts('cli-status', ['ann@example.org']);
    ann = server.accounts[0]!;
    view = new ServerView(server.url, ann.token);
    home = homeWithAccounts(server, [ann]);
    root = join(server.scratch('work'), 'status');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'same.txt'), 'same\n');
    writeFileSync(join(root, 'changed.txt'), 'v1\n');
    writeFileSync(join(root, 'sub', 'inner.txt'), 'inner\n');
    expect((await mc.run(['init'], { home, cwd: root })).code).toBe(0);
    expect((await mc.run(['up', '-r', '.'], { home, cwd: root })).code).toBe(0);
    projectId = readProjectConfig(root).project_id;

    const other = join(server.scratch('work'), 'other');
    expect((await mc.run(['clone', String(projectId), other], { home })).code).toBe(0);
    writeFileSync(join(other, 'remote-only.txt'), 'from elsewhere\n');
    expect((await mc.run(['up', 'remote-only.txt'], { home, cwd: other })).code).toBe(0);

    writeFileSync(join(root, 'changed.txt'), 'v2, longer\n');
    writeFileSync(join(root, 'new-local.txt'), 'new\n');
    mkdirSync(join(root, 'local folder'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Runs `fn` and proves that it changed nothing: no write request, the same files on both sides. */
  const changesNothing = async <T>(fn: () => Promise<T>): Promise<T> => {
    const requestsBefore = readAccessLog(server.accessLog).length;
    const localBefore = Object.fromEntries(await digestTree(root));
    const serverBefore = await view.tree(projectId);
    const result = await fn();
    expect(readAccessLog(server.accessLog).slice(requestsBefore).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(Object.fromEntries(await digestTree(root))).toEqual(localBefore);
    expect(await view.tree(projectId)).toEqual(serverBefore);
    return result;
  };

  it('mc status says what mc up and mc down would do, and does none of it', async () => {
    const status = await changesNothing(() => mc.run(['status'], { home, cwd: root }));
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/to upload \(mc up\):\n\s+modified\s+changed\.txt.*\n\s+added\s+new-local\.txt/);
    expect(status.stdout).toMatch(/folders to create on the server:\n\s+local folder/);
    expect(status.stdout).toMatch(/to download \(mc down\):\n\s+added\s+remote-only\.txt/);
  });

  it('mc status --json prints one JSON document with the same answer', async () => {
    const status = await changesNothing(() => mc.run(['status', '--json'], { home, cwd: root }));
    expect(status.code, status.stderr).toBe(0);
    const doc = onlyJson<{ upload: Array<{ path: string; change: string }>; download: Array<{ path: string; change: string }>; create_remote_folder: string[]; in_sync: number }>(status.stdout);
    expect(doc.upload.map((u) => [u.path, u.change])).toEqual([
      ['changed.txt', 'modified'],
      ['new-local.txt', 'added'],
    ]);
    expect(doc.download.map((d) => [d.path, d.change])).toEqual([['remote-only.txt', 'added']]);
    expect(doc.create_remote_folder).toEqual(['local folder']);
    expect(doc.in_sync).toBe(2);
  });

  it('mc ls shows local and remote side by side for the entries of a folder, and mc ls --json the same as one document', async () => {
    const ls = await changesNothing(() => mc.run(['ls'], { home, cwd: root }));
    expect(ls.code, ls.stderr).toBe(0);
    const row = (name: string) => ls.stdout.split('\n').find((l) => l.endsWith(`  ${name}`));
    expect(row('same.txt')).toMatch(/5 B\s+5 B\s+same/);
    expect(row('changed.txt')).toMatch(/11 B\s+3 B\s+differs/);
    expect(row('new-local.txt')).toMatch(/4 B\s+-\s+local only/);
    expect(row('remote-only.txt')).toMatch(/-\s+15 B\s+remote only/);
    expect(row('sub/')).toMatch(/dir\s+dir\s+same/);
    expect(ls.stdout).not.toContain('inner.txt');

    const json = await mc.run(['ls', 'sub', '--json'], { home, cwd: root });
    const doc = onlyJson<{ entries: Array<{ path: string; state: string; local: { size: number } | null; remote: { size: number } | null }> }>(json.stdout);
    expect(doc.entries).toEqual([expect.objectContaining({ path: 'sub/inner.txt', state: 'same', local: expect.objectContaining({ size: 6 }), remote: expect.objectContaining({ size: 6 }) })]);
  });

  it('no output of mc in this file contains a token', () => {
    expect(mc.count).toBeGreaterThan(5);
    expect(mc.leaks([ann.token])).toEqual([]);
  });
});
