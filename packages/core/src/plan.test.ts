import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planDown, planUp } from './plan';
import type { BaseRecord, LocalRecord, RemoteEntry } from './types';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
let ino = 1;
/** A local file; `hashed: false` leaves its MD5 unknown, as after a change the scan noticed. */
const lf = (path: string, content: string, hashed = true): LocalRecord => ({
  path, kind: 'file', size: content.length, mtimeNs: 1n, ino: ino++, md5: hashed ? md5(content) : null,
});
const ld = (path: string): LocalRecord => ({ path, kind: 'directory', size: 0, mtimeNs: 0n, ino: ino++, md5: null });
const rf = (path: string, content: string, id = 10, withMd5 = true): RemoteEntry => ({
  path, kind: 'file', id, size: content.length, md5: withMd5 ? md5(content) : null,
});
const rd = (path: string, id = 5): RemoteEntry => ({ path, kind: 'directory', id, size: 0, md5: null });
const base = (path: string, content: string, remoteId = 10): BaseRecord => ({
  path, kind: 'file', md5: md5(content), size: content.length, remoteId, syncedAt: 0,
});
/** `levels` nested folders of `width`-character names, and a file in the deepest one. */
const deepFolders = (levels: number, width: number): LocalRecord[] => {
  const out: LocalRecord[] = [];
  let path = '';
  for (let i = 0; i < levels; i++) out.push(ld((path = path ? `${path}/${String(i).repeat(width)}` : String(i).repeat(width))));
  return [...out, lf(`${path}/f`, '1')];
};
const baseMap = (...b: BaseRecord[]) => new Map(b.map((x) => [x.path, x]));

describe('planUp', () => {
  const cases: Array<{ name: string; local: LocalRecord[]; remote: RemoteEntry[]; base?: BaseRecord[]; force?: boolean; uploads: string[]; mkdir?: string[]; inSync?: string[]; failed?: string[]; skipped?: string[] }> = [
    { name: 'new file is uploaded', local: [lf('a.txt', 'x')], remote: [], uploads: ['a.txt'] },
    { name: 'identical file is left alone and its base recorded', local: [lf('a.txt', 'x')], remote: [rf('a.txt', 'x')], uploads: [], inSync: ['a.txt'] },
    { name: 'local edit of a synced file (different size) is uploaded', local: [lf('a.txt', 'xx')], remote: [rf('a.txt', 'x')], base: [base('a.txt', 'x')], uploads: ['a.txt'] },
    { name: 'local edit of a synced file (same size, new MD5) is uploaded', local: [lf('a.txt', 'y')], remote: [rf('a.txt', 'x')], base: [base('a.txt', 'x')], uploads: ['a.txt'] },
    { name: "a collaborator's newer server version is not reverted by an unchanged local file", local: [lf('a.txt', 'x')], remote: [rf('a.txt', 'newer', 11)], base: [base('a.txt', 'x', 10)], uploads: [], skipped: ['a.txt'] },
    { name: 'a file changed on both sides is kept on both', local: [lf('a.txt', 'mine')], remote: [rf('a.txt', 'theirs', 11)], base: [base('a.txt', 'x', 10)], uploads: [], skipped: ['a.txt'] },
    { name: 'a never-synced file that differs from the server is not uploaded over it', local: [lf('a.txt', 'y')], remote: [rf('a.txt', 'x')], uploads: [], skipped: ['a.txt'] },
    { name: 'force uploads over a changed server version', local: [lf('a.txt', 'mine')], remote: [rf('a.txt', 'theirs', 11)], base: [base('a.txt', 'x', 10)], force: true, uploads: ['a.txt'] },
    { name: 'remote without checksum but matching base is in sync', local: [lf('a.txt', 'x')], remote: [rf('a.txt', 'x', 10, false)], base: [base('a.txt', 'x', 10)], uploads: [], inSync: ['a.txt'] },
    { name: 'remote without checksum and no base is not trusted either way', local: [lf('a.txt', 'x')], remote: [rf('a.txt', 'x', 10, false)], uploads: [], skipped: ['a.txt'] },
    { name: 'missing folders are created, empty ones too', local: [ld('d'), ld('d/e'), lf('d/e/f', 'z')], remote: [], uploads: ['d/e/f'], mkdir: ['d', 'd/e'] },
    { name: 'existing folder is not created again, and recorded as in sync', local: [ld('d')], remote: [rd('d')], uploads: [], mkdir: [], inSync: ['d'] },
    { name: 'case-only different remote name is the same file', local: [lf('README.md', 'x')], remote: [rf('readme.md', 'x')], uploads: [], inSync: ['readme.md'] },
    { name: 'local siblings that fold alike are both refused', local: [lf('a/Read.me', '1'), lf('a/read.me', '2'), lf('a/other', '3')], remote: [], uploads: ['a/other'], failed: ['a/Read.me', 'a/read.me'] },
    { name: 'accent-only twins are refused', local: [lf('café', '1'), lf('cafe', '2')], remote: [], uploads: [], failed: ['cafe', 'café'] },
    { name: 'file where the server has a folder fails', local: [lf('x', '1')], remote: [rd('x')], uploads: [], failed: ['x'] },
    { name: 'folder where the server has a file fails', local: [ld('x')], remote: [rf('x', '1')], uploads: [], failed: ['x'] },
    { name: 'a name over 150 characters fails before any request, the rest goes', local: [lf(`${'n'.repeat(151)}.txt`, '1'), lf('ok.txt', '2')], remote: [], uploads: ['ok.txt'], failed: [`${'n'.repeat(151)}.txt`] },
    { name: '150 characters of accented letters are fine', local: [lf('é'.repeat(150), '1')], remote: [], uploads: ['é'.repeat(150)] },
    { name: 'a folder path over 700 characters fails with what is inside it', local: deepFolders(5, 140), remote: [], uploads: [], mkdir: deepFolders(5, 140).slice(0, 4).map((d) => d.path), failed: [deepFolders(5, 140)[4]!.path, deepFolders(5, 140)[5]!.path] },
  ];
  it.each(cases)('$name', (c) => {
    const plan = planUp({ local: c.local, remote: c.remote, base: baseMap(...(c.base ?? [])) }, { force: c.force });
    expect(plan.uploads.map((u) => u.path)).toEqual(c.uploads);
    expect(plan.skipped.map((s) => s.path)).toEqual(c.skipped ?? []);
    if (c.mkdir) expect(plan.mkdirRemote).toEqual(c.mkdir);
    expect(plan.inSync.map((b) => b.path)).toEqual(c.inSync ?? []);
    expect(plan.failed.map((f) => f.path).sort()).toEqual(c.failed ?? []);
  });

  it('rewrites only base records that are missing or out of date (a no-op run writes nothing), yet counts every in-sync entry', () => {
    const plan = planUp(
      {
        local: [lf('same.txt', 'x'), lf('new-base.txt', 'y'), lf('new-id.txt', 'z')],
        remote: [rf('same.txt', 'x'), rf('new-base.txt', 'y'), rf('new-id.txt', 'z', 11)],
        base: baseMap(base('same.txt', 'x'), base('new-id.txt', 'z', 10)),
      },
      {},
    );
    expect(plan.inSync.map((b) => b.path)).toEqual(['new-base.txt', 'new-id.txt', 'same.txt']);
    expect(plan.rebase.map((b) => b.path)).toEqual(['new-base.txt', 'new-id.txt']);
  });

  it('never plans a delete, whatever the remote has', () => {
    const plan = planUp({ local: [], remote: [rf('gone.txt', 'x'), rd('old')], base: new Map() });
    expect(plan).toMatchObject({ uploads: [], mkdirRemote: [], failed: [] });
  });
});

describe('planDown', () => {
  const cases: Array<{ name: string; local: LocalRecord[]; remote: RemoteEntry[]; base?: BaseRecord[]; force?: boolean; downloads: string[]; skipped?: string[]; mkdir?: string[]; inSync?: string[] }> = [
    { name: 'missing file is downloaded', local: [], remote: [rf('a.txt', 'x')], downloads: ['a.txt'] },
    { name: 'identical file is left alone', local: [lf('a.txt', 'x')], remote: [rf('a.txt', 'x')], downloads: [], inSync: ['a.txt'] },
    { name: 'local unchanged since the last sync is replaced', local: [lf('a.txt', 'old')], remote: [rf('a.txt', 'new', 11)], base: [base('a.txt', 'old')], downloads: ['a.txt'] },
    { name: 'local changed since the last sync is kept', local: [lf('a.txt', 'mine')], remote: [rf('a.txt', 'new', 11)], base: [base('a.txt', 'old')], downloads: [], skipped: ['a.txt'] },
    { name: 'never-synced different local file is kept', local: [lf('a.txt', 'mine')], remote: [rf('a.txt', 'new')], downloads: [], skipped: ['a.txt'] },
    { name: 'force replaces a changed local file', local: [lf('a.txt', 'mine')], remote: [rf('a.txt', 'new')], force: true, downloads: ['a.txt'] },
    { name: 'remote folders are created locally, empty ones too', local: [], remote: [rd('d'), rd('d/e')], downloads: [], mkdir: ['d', 'd/e'] },
    { name: 'existing local folder keeps its spelling', local: [ld('Data')], remote: [rd('data'), rd('data/sub'), rf('data/sub/x', '1')], downloads: ['Data/sub/x'], mkdir: ['Data/sub'], inSync: ['data'] },
  ];
  it.each(cases)('$name', (c) => {
    const plan = planDown({ local: c.local, remote: c.remote, base: baseMap(...(c.base ?? [])) }, { force: c.force });
    expect(plan.downloads.map((d) => d.path)).toEqual(c.downloads);
    expect(plan.skipped.map((s) => s.path)).toEqual(c.skipped ?? []);
    if (c.mkdir) expect(plan.mkdirLocal.map((m) => m.path)).toEqual(c.mkdir);
    expect(plan.inSync.map((b) => b.path)).toEqual(c.inSync ?? []);
  });

  it('explains how to replace a kept file', () => {
    const plan = planDown({ local: [lf('a.txt', 'mine')], remote: [rf('a.txt', 'new')], base: new Map() });
    expect(plan.skipped[0]!.reason).toContain('-f');
  });
});
