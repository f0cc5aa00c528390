import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newTempName, resumableTempName } from './project-files';
import { scanLocal } from './scan';
import { PARTIAL_MAX_AGE_MS, removeStaleTempFiles } from './temp-cleanup';
import type { RemoteEntry } from './types';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function project(files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'mcsync-temp-cleanup-'));
  roots.push(root);
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'partial bytes');
  }
  return root;
}

const big: RemoteEntry = { path: 'data/big.h5', kind: 'file', id: 41, size: 100 << 20, md5: '0123456789abcdef0123456789abcdef' };

describe('resumableTempName', () => {
  it('depends on the target name and the remote content, and has the shape of every temp name', () => {
    const name = resumableTempName(big.path, big);
    expect(name).toMatch(/^\.mc-tmp-[0-9a-f]{16}$/);
    expect(resumableTempName('elsewhere/big.h5', big)).toBe(name); // the folder holds it; the name is enough
    expect(resumableTempName(big.path, { ...big, id: 42 })).not.toBe(name);
    expect(resumableTempName(big.path, { ...big, size: big.size + 1 })).not.toBe(name);
    expect(resumableTempName(big.path, { ...big, md5: null })).not.toBe(name);
    expect(resumableTempName('data/other.h5', big)).not.toBe(name);
  });
});

describe('removeStaleTempFiles (run start)', () => {
  it('keeps the partial of content the remote still lists there and removes every other temp file', () => {
    const partial = `data/${resumableTempName(big.path, big)}`;
    const oldVersion = `data/${resumableTempName(big.path, { ...big, id: 40, md5: 'ffffffffffffffffffffffffffffffff' })}`;
    const fresh = `data/${newTempName()}`;
    const elsewhere = `other/${resumableTempName(big.path, big)}`; // right name, wrong folder
    const root = project([partial, oldVersion, fresh, elsewhere, 'data/.mc-tmp-notes.txt']);
    const scan = scanLocal({ root });
    expect(scan.tempFiles).toHaveLength(4);

    const kept = removeStaleTempFiles(root, scan.tempFiles, [big, { path: 'data', kind: 'directory', id: 7, size: 0, md5: null }]);
    expect(kept).toEqual([join(root, partial)]);
    expect(existsSync(join(root, partial))).toBe(true);
    for (const gone of [oldVersion, fresh, elsewhere]) expect(existsSync(join(root, gone))).toBe(false);
    expect(existsSync(join(root, 'data/.mc-tmp-notes.txt'))).toBe(true); // a user's file, not ours
  });

  it('removes the partial once the remote file changed or went', () => {
    const partial = `data/${resumableTempName(big.path, big)}`;
    const root = project([partial]);
    removeStaleTempFiles(root, scanLocal({ root }).tempFiles, [{ ...big, id: 99, md5: 'ffffffffffffffffffffffffffffffff' }]);
    expect(existsSync(join(root, partial))).toBe(false);

    const again = project([partial]);
    removeStaleTempFiles(again, scanLocal({ root: again }).tempFiles, []);
    expect(existsSync(join(again, partial))).toBe(false);
  });

  it('removes a partial nobody continued for a week, even though the remote still lists its content', () => {
    const partial = `data/${resumableTempName(big.path, big)}`;
    const root = project([partial]);
    const later = Date.now() + PARTIAL_MAX_AGE_MS + 60_000;
    expect(removeStaleTempFiles(root, scanLocal({ root }).tempFiles, [big], undefined, later)).toEqual([]);
    expect(existsSync(join(root, partial))).toBe(false);
  });

  it('keeps partials at the project root too', () => {
    const top: RemoteEntry = { ...big, path: 'top.bin' };
    const partial = resumableTempName(top.path, top);
    const root = project([partial]);
    expect(removeStaleTempFiles(root, scanLocal({ root }).tempFiles, [top])).toEqual([join(root, partial)]);
  });
});

describe('removeStaleTempFiles with local spellings', () => {
  it('keeps a partial in a folder whose local name differs from the server only in case or accents', () => {
    const remote: RemoteEntry = { ...big, path: 'Résultats/big.h5' };
    const partial = `resultats/${resumableTempName(remote.path, remote)}`;
    const root = project([partial]);
    expect(removeStaleTempFiles(root, scanLocal({ root }).tempFiles, [remote])).toEqual([join(root, partial)]);
  });
});
