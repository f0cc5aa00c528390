import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  type AccountServer,
  McRecorder,
  ServerView,
  canRunOnTerminal,
  initProject,
  onlyJson,
  spawnMcOnTerminal,
  startServerWithAccounts,
  writeTree,
} from '../src/cli-fixture';
import { digestTree, listFolders } from '../src/tree-digest';

/** `mc up` and `mc down` (cli-contract.md): what they transfer, what they print, what they leave alone. */

interface TransferJson {
  command: string;
  project_id: number;
  transferred: Array<{ path: string; bytes: number }>;
  skipped: Array<{ path: string; reason: string }>;
  failed: Array<{ path: string; code: string; message: string }>;
  bytes: number;
  seconds: number;
  requests: number;
}

const paths = (items: ReadonlyArray<{ path: string }>) => items.map((i) => i.path).sort();

describe('mc up and mc down', () => {
  const mc = new McRecorder();
  let server: AccountServer;
  let ann: Account;
  let view: ServerView;

  beforeAll(async () => {
    server = await startServerWithAccounts('cli-up-down', ['ann@example.org']);
    ann = server.accounts[0]!;
    view = new ServerView(server.url, ann.token);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const newProject = (name: string, files: Record<string, string | Buffer>, folders: readonly string[] = []) =>
    initProject(mc, server, ann, name, files, folders);

  /** The server's files as path → MD5, for comparing with `digestTree` of a local folder. */
  const serverDigest = async (projectId: number) => {
    const { files } = await view.tree(projectId);
    return Object.fromEntries([...files].map(([p, f]) => [p, f.checksum]));
  };

  describe('a round trip of names production refuses, empty files and empty folders', () => {
    const nfc = (s: string) => s.normalize('NFC');
    const files = {
      'empty.txt': '',
      'with spaces/a file with spaces.txt': 'spaces\n',
      [nfc('café crème/résumé.txt')]: 'accents\n',
      [nfc('日本語/データ.txt')]: 'kanji\n',
      'a+b, c [1]/50% done #2.txt': 'half\n',
      'a+b, c [1]/deeper/blob.bin': randomBytes(300 << 10),
    };
    const emptyFolders = ['empty folder/nested empty'];
    let src: string;
    let dst: string;
    let home: string;
    let projectId: number;

    beforeAll(async () => {
      ({ root: src, home, projectId } = await newProject('round-trip', files, emptyFolders));
      dst = join(server.scratch('work'), 'copy');
    });

    it('1. mc up --dry-run lists what it would upload and changes nothing on the server', async () => {
      const dry = await mc.run(['up', '-r', '.', '--dry-run'], { home, cwd: src });
      expect(dry.code, dry.stderr).toBe(0);
      for (const path of Object.keys(files)) expect(dry.stdout).toContain(`would upload ${path}`);
      expect(dry.stdout).toContain('would mkdir empty folder/nested empty');
      expect(await view.tree(projectId)).toEqual({ files: new Map(), folders: [] });
    });

    it('2. mc up -r . --json uploads every file and folder and prints exactly one JSON document with the contract keys', async () => {
      const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: src });
      expect(up.code, up.stderr).toBe(0);
      const doc = onlyJson<TransferJson>(up.stdout);
      expect(doc).toMatchObject({ command: 'up', project_id: projectId, skipped: [], failed: [] });
      expect(doc.transferred.map((t) => [t.path, t.bytes]).sort()).toEqual(Object.entries(files).map(([p, c]) => [p, c.length]).sort());
      expect(doc.bytes).toBe(Object.values(files).reduce((n, c) => n + c.length, 0));
      expect(typeof doc.seconds).toBe('number');
      expect(doc.requests).toBeGreaterThan(0);

      expect(await serverDigest(projectId)).toEqual(Object.fromEntries(await digestTree(src)));
      expect((await view.tree(projectId)).folders).toEqual(listFolders(src));
    });

    it('3. mc clone + mc down --dry-run lists what it would download and writes nothing', async () => {
      expect((await mc.run(['clone', String(projectId), dst], { home })).code).toBe(0);
      const dry = await mc.run(['down', '-r', '.', '--dry-run'], { home, cwd: dst });
      expect(dry.code, dry.stderr).toBe(0);
      for (const path of Object.keys(files)) expect(dry.stdout).toContain(`would download ${path}`);
      expect(readdirSync(dst)).toEqual(['.mc']);
      expect(await serverDigest(projectId)).toEqual(Object.fromEntries(await digestTree(src)));
    });

    it('4. mc down without -r skips a named folder with a hint; with -r and a subfolder it fetches only that subtree', async () => {
      const noR = await mc.run(['down', 'a+b, c [1]'], { home, cwd: dst });
      expect(noR.code, noR.stderr).toBe(0);
      expect(noR.stdout + noR.stderr).toMatch(/a\+b, c \[1\].*folder.*-r/);
      expect(readdirSync(dst)).toEqual(['.mc']);

      const sub = await mc.run(['down', '-r', 'a+b, c [1]'], { home, cwd: dst });
      expect(sub.code, sub.stderr).toBe(0);
      expect([...(await digestTree(dst)).keys()].sort()).toEqual(['a+b, c [1]/50% done #2.txt', 'a+b, c [1]/deeper/blob.bin']);
    });

    it('5. mc down -r . --progress=ndjson brings back every byte and folder, NFC names as they were, with NDJSON events on stderr', async () => {
      const down = await mc.run(['down', '-r', '.', '--progress=ndjson'], { home, cwd: dst });
      expect(down.code, down.stderr).toBe(0);
      expect(Object.fromEntries(await digestTree(dst))).toEqual(Object.fromEntries(await digestTree(src)));
      expect(listFolders(dst)).toEqual(listFolders(src));
      expect(readdirSync(join(dst, nfc('café crème')))).toEqual([nfc('résumé.txt')]);

      const events = down.stderr.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; path?: string });
      expect(events[0]!.type).toBe('plan');
      const done = events.filter((e) => e.type === 'done').map((e) => e.path!);
      expect(done.sort()).toEqual(Object.keys(files).filter((p) => !p.startsWith('a+b')).sort());
      expect(down.stdout).toMatch(/^down: downloaded 4 files/m);
    });

    it('6. a second mc down and mc up transfer nothing', async () => {
      const down = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
      const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: src });
      expect(onlyJson<TransferJson>(down.stdout).transferred).toEqual([]);
      expect(onlyJson<TransferJson>(up.stdout).transferred).toEqual([]);
    });
  });

  describe('the overwrite rule of mc down', () => {
    let src: string;
    let dst: string;
    let home: string;
    let firstDown: { code: number; stdout: string; stderr: string };

    // Three files synced to a second folder; then the server gets a new version of all three, and
    // the second folder edits one and creates another that it never synced.
    beforeAll(async () => {
      const synced = { 'untouched.txt': 'v1\n', 'edited.txt': 'v1\n' };
      const p = await newProject('overwrite', synced);
      home = p.home;
      src = p.root;
      expect((await mc.run(['up', '-r', '.'], { home, cwd: p.root })).code).toBe(0);
      dst = join(server.scratch('work'), 'copy');
      expect((await mc.run(['clone', String(p.projectId), dst], { home })).code).toBe(0);
      expect((await mc.run(['down', '-r', '.'], { home, cwd: dst })).code).toBe(0);

      writeTree(p.root, { 'untouched.txt': 'v2 from the server\n', 'edited.txt': 'v2 from the server\n', 'never-synced.txt': 'server copy\n' });
      expect((await mc.run(['up', '-r', '.'], { home, cwd: p.root })).code).toBe(0);
      writeTree(dst, { 'edited.txt': 'my local edit\n', 'never-synced.txt': 'my own file of that name\n' });
      firstDown = await mc.run(['down', '-r', '.'], { home, cwd: dst });
    });

    const read = (name: string) => readFileSync(join(dst, name), 'utf8');

    it('replaces a local file unchanged since the last sync with the newer server version', () => {
      expect(firstDown.code, firstDown.stderr).toBe(0);
      expect(read('untouched.txt')).toBe('v2 from the server\n');
    });

    it('keeps a locally edited file, says so and how to replace it, and still exits 0', () => {
      expect(firstDown.code).toBe(0);
      expect(read('edited.txt')).toBe('my local edit\n');
      const notice = (firstDown.stdout + firstDown.stderr).split('\n').find((l) => l.includes('edited.txt'));
      expect(notice).toMatch(/-f/);
    });

    it('keeps a differing local file that was never synced', () => {
      expect(read('never-synced.txt')).toBe('my own file of that name\n');
      expect(firstDown.stdout + firstDown.stderr).toMatch(/never-synced\.txt.*-f/);
    });

    /** `mc down -r . -f` on a terminal; `keys` is typed once the first y/n/all question shows. */
    const downForcedOnTerminal = async (keys: string) => {
      const child = spawnMcOnTerminal(['down', '-r', '.', '-f'], { home, cwd: dst });
      let screen = '';
      child.stdout!.setEncoding('utf8').on('data', (c: string) => {
        screen += c;
        if (keys && screen.includes('[y/n/a(ll)]')) {
          child.stdin!.write(keys);
          keys = '';
        }
      });
      const stuck = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(stuck);
      mc.record(['down', '-r', '.', '-f', '(terminal)'], screen);
      return { code, screen };
    };

    it.skipIf(!canRunOnTerminal())('on a terminal, Ctrl-C at the y/n/all question of mc down -f stops the run (exit 130) and replaces nothing (needs util-linux script)', async () => {
      const { code, screen } = await downForcedOnTerminal('\x03');
      expect(code, screen).toBe(130);
      expect(read('edited.txt')).toBe('my local edit\n');
      expect(read('never-synced.txt')).toBe('my own file of that name\n');
    });

    it.skipIf(!canRunOnTerminal())('on a terminal, mc down -f asks y/n/all before replacing each kept file, keeps answers typed ahead, and shows a progress bar (needs util-linux script)', async () => {
      const { code, screen } = await downForcedOnTerminal('n\ry\r');
      expect(code, screen).toBe(0);
      expect(screen).toMatch(/replace your local edited\.txt with the server version\? \[y\/n\/a\(ll\)\]/);
      expect(screen).toMatch(/replace your local never-synced\.txt with the server version\? \[y\/n\/a\(ll\)\]/);
      expect(read('edited.txt')).toBe('my local edit\n');
      expect(read('never-synced.txt')).toBe('server copy\n');
      expect(screen).toMatch(/downloading \[.*\] \d+% \| \d+\/1 files/);
    });

    it('mc down -f without a terminal replaces the kept files without asking', async () => {
      const forced = await mc.run(['down', '-r', '.', '-f'], { home, cwd: dst });
      expect(forced.code, forced.stderr).toBe(0);
      expect(read('edited.txt')).toBe('v2 from the server\n');
      expect(read('never-synced.txt')).toBe('server copy\n');
    });

    it('after .mc/mcsync.db is deleted, a local file that differs from the server is kept, not overwritten', async () => {
      rmSync(join(dst, '.mc', 'mcsync.db'));
      writeTree(src, { 'untouched.txt': 'v3 from the server\n' });
      expect((await mc.run(['up', 'untouched.txt'], { home, cwd: src })).code).toBe(0);

      const down = await mc.run(['down', '-r', '.'], { home, cwd: dst });
      expect(down.code, down.stderr).toBe(0);
      expect(read('untouched.txt')).toBe('v2 from the server\n');
      expect(down.stdout + down.stderr).toMatch(/untouched\.txt.*-f/);
    });
  });

  describe('which local files mc up takes', () => {
    let root: string;
    let home: string;
    let projectId: number;
    const serverFiles = async () => [...(await view.tree(projectId)).files.keys()].sort();

    beforeAll(async () => {
      ({ root, home, projectId } = await newProject('selection', {
        'keep.txt': 'keep\n',
        'single.txt': 'single\n',
        'notes.log': 'ignored by *.log\n',
        'build/out.o': 'ignored by build/\n',
        'sub/s.txt': 's\n',
        'sub/deeper/d.txt': 'd\n',
        'sub/.mcignore': 'local-only.txt\n',
        'sub/local-only.txt': 'ignored by sub/.mcignore\n',
        'target/t.txt': 't\n',
        '.mcignore': '*.log\nbuild/\n',
      }));
      symlinkSync('keep.txt', join(root, 'link-to-file'));
      symlinkSync('target', join(root, 'link-to-folder'));
    });

    it('1. a subfolder path with -r uploads that subtree only, and no progress display goes to a stderr that is not a TTY', async () => {
      const up = await mc.run(['up', '-r', 'sub'], { home, cwd: root });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stderr).toBe(''); // stderr is a pipe here, not a TTY: no progress display
      expect(await serverFiles()).toEqual(['sub/.mcignore', 'sub/deeper/d.txt', 'sub/s.txt']);
    });

    it('2. a single file path uploads that file only, also from a subfolder as working folder', async () => {
      const up = await mc.run(['up', '../single.txt'], { home, cwd: join(root, 'sub') });
      expect(up.code, up.stderr).toBe(0);
      expect(await serverFiles()).toEqual(['single.txt', 'sub/.mcignore', 'sub/deeper/d.txt', 'sub/s.txt']);
    });

    it('3. without -r a named folder is skipped with a hint and nothing in it is uploaded', async () => {
      const up = await mc.run(['up', 'target'], { home, cwd: root });
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout + up.stderr).toMatch(/target.*folder.*-r/);
      expect(await serverFiles()).not.toContain('target/t.txt');
    });

    it('4. mc up -r . honours .mcignore files and skips each symlink with one notice, listed in the summary', async () => {
      const up = await mc.run(['up', '-r', '.'], { home, cwd: root });
      expect(up.code, up.stderr).toBe(0);
      expect(await serverFiles()).toEqual(['.mcignore', 'keep.txt', 'single.txt', 'sub/.mcignore', 'sub/deeper/d.txt', 'sub/s.txt', 'target/t.txt']);
      const lines = (up.stdout + up.stderr).split('\n');
      expect(lines.filter((l) => l.includes('link-to-file'))).toHaveLength(1);
      expect(lines.filter((l) => l.includes('link-to-folder'))).toHaveLength(1);
      expect(up.stdout).toMatch(/2 skipped/);
    });

    it('5. --json lists the skipped symlinks; --follow-symlinks uploads what they point to', async () => {
      const json = onlyJson<TransferJson>((await mc.run(['up', '-r', '.', '--json'], { home, cwd: root })).stdout);
      expect(paths(json.skipped)).toEqual(['link-to-file', 'link-to-folder']);

      const up = await mc.run(['up', '-r', '.', '--follow-symlinks'], { home, cwd: root });
      expect(up.code, up.stderr).toBe(0);
      const digest = await serverDigest(projectId);
      expect(digest['link-to-file']).toBe(digest['keep.txt']);
      expect(digest['link-to-folder/t.txt']).toBe(digest['target/t.txt']);
    });
  });

  it('exits 1 when some files fail (a name over 150 characters) and still uploads the others', async () => {
    const long = `${'n'.repeat(160)}.txt`;
    const { root, home, projectId } = await newProject('partial', { 'ok-1.txt': 'one\n', 'ok-2.txt': 'two\n', [long]: 'too long a name\n' });
    const up = await mc.run(['up', '-r', '.', '--json'], { home, cwd: root });
    expect(up.code).toBe(1);
    const doc = onlyJson<TransferJson>(up.stdout);
    expect(doc.failed.map((f) => f.path)).toEqual([long]);
    expect(doc.failed[0]!.message).toMatch(/150/);
    expect(paths(doc.transferred)).toEqual(['ok-1.txt', 'ok-2.txt']);
    expect(Object.keys(await serverDigest(projectId)).sort()).toEqual(['ok-1.txt', 'ok-2.txt']);
  });

  it('exits 1 when a download does not match the server checksum: that file is not written, no temporary file is left, the others arrive', async () => {
    const bad = 'bytes the server will lose\n';
    const { root, home, projectId } = await newProject('corrupt', { 'good.txt': 'a good file\n', 'sub/bad.txt': bad });
    expect((await mc.run(['up', '-r', '.'], { home, cwd: root })).code).toBe(0);
    // The server stores contents by MD5 (apps/server README, "Storage"): damage this one, same size.
    const md5 = (await view.tree(projectId)).files.get('sub/bad.txt')!.checksum;
    const blob = join(server.dataDir, 'blobs', md5.slice(0, 2), md5);
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'X'.repeat(bad.length));

    const dst = join(server.scratch('work'), 'copy');
    expect((await mc.run(['clone', String(projectId), dst], { home })).code).toBe(0);
    const down = await mc.run(['down', '-r', '.', '--json'], { home, cwd: dst });
    expect(down.code).toBe(1);
    const doc = onlyJson<TransferJson>(down.stdout);
    expect(doc.failed.map((f) => [f.path, f.code])).toEqual([['sub/bad.txt', 'VERIFY']]);
    expect(paths(doc.transferred)).toEqual(['good.txt']);
    expect(readdirSync(join(dst, 'sub'))).toEqual([]);
    expect(readdirSync(dst).sort()).toEqual(['.mc', 'good.txt', 'sub']);
  });

  it('no output of mc in this file contains a token', () => {
    expect(mc.count).toBeGreaterThan(20);
    expect(mc.leaks([ann.token])).toEqual([]);
  });
});
