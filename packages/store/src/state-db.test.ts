import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { BaseRecord, LocalRecord, RemoteEntry } from '@mcsync/core';
import { openStateStore, resetStateStore, stateDbPath } from './state-db';
import { catchMcError, fileMode, makeProject, makeTempDir } from './test-support';
import type { UploadSession } from './types';

const MTIME = 1733246400123456789n; // beyond 2^53: a double would round it

function local(p: string, over: Partial<LocalRecord> = {}): LocalRecord {
  return { path: p, kind: 'file', size: 10, mtimeNs: MTIME, ino: 42, md5: null, ...over };
}

function remote(p: string, id: number, over: Partial<RemoteEntry> = {}): RemoteEntry {
  return { path: p, kind: 'file', id, size: 5, md5: 'd41d8cd98f00b204e9800998ecf8427e', ...over };
}

function withStore<T>(fn: (store: ReturnType<typeof openStateStore>, root: string) => T): T {
  const root = makeProject();
  const store = openStateStore(root);
  try {
    return fn(store, root);
  } finally {
    store.close();
  }
}

describe('local entries', () => {
  it('round-trip every field, mtime_ns exactly as a bigint', () => {
    withStore((store) => {
      const records = [
        local('a.txt', { md5: '0cc175b9c0f1b6a831c399e269772661', size: 1 }),
        local('dir', { kind: 'directory', size: 4096, mtimeNs: 1n, ino: 7 }),
        local('dir/é ü.bin', { mtimeNs: 9223372036854775807n, ino: 2 ** 40, size: 2 ** 40 }),
      ];
      store.saveLocal(records);
      const loaded = store.loadLocal();
      expect(loaded.size).toBe(3);
      for (const r of records) expect(loaded.get(r.path)).toStrictEqual(r);
      expect(loaded.get('a.txt')?.mtimeNs).toBe(1733246400123456789n);
    });
  });

  it('save replaces the row of an existing path', () => {
    withStore((store) => {
      store.saveLocal([local('a', { md5: null })]);
      store.saveLocal([local('a', { size: 99, mtimeNs: MTIME + 1n, md5: 'ff' })]);
      expect(store.loadLocal().get('a')).toStrictEqual(local('a', { size: 99, mtimeNs: MTIME + 1n, md5: 'ff' }));
    });
  });

  it('delete removes exactly the given paths', () => {
    withStore((store) => {
      store.saveLocal([local('a'), local('a/b'), local('c')]);
      store.deleteLocal(['a', 'missing']);
      expect([...store.loadLocal().keys()].sort()).toEqual(['a/b', 'c']);
    });
  });
});

describe('remote entries', () => {
  it('round-trip, with and without createdAt', () => {
    withStore((store) => {
      const entries = [
        remote('x', 1, { createdAt: 1733246400123 }),
        remote('d', 2, { kind: 'directory', size: 0, md5: null }),
      ];
      store.saveRemote(entries);
      const loaded = store.loadRemote();
      expect(loaded.get('x')).toStrictEqual(entries[0]);
      expect(loaded.get('d')).toStrictEqual(entries[1]);
      expect('createdAt' in (loaded.get('d') as RemoteEntry)).toBe(false);
    });
  });

  it('deleteRemote removes exactly the named paths', () => {
    withStore((store) => {
      store.saveRemote([remote('a', 1), remote('a/b', 2), remote('c', 3)]);
      store.deleteRemote(['a', 'missing']);
      expect([...store.loadRemote().keys()].sort()).toEqual(['a/b', 'c']);
    });
  });

  it('replaceRemote("a/b") replaces a/b and everything below it, and nothing else', () => {
    withStore((store) => {
      const before = ['a', 'a/b', 'a/b/c', 'a/b/c/d', 'a/b/é', 'a/bc', 'a/bc/x', 'a/b.txt', 'a/b-x', 'a/bé', 'z'];
      store.saveRemote(before.map((p, i) => remote(p, i + 1)));
      store.replaceRemote([remote('a/b', 100, { kind: 'directory' }), remote('a/b/new', 101)], ['a/b']);
      expect([...store.loadRemote().keys()].sort()).toEqual(
        ['a', 'a/b', 'a/b-x', 'a/b.txt', 'a/b/new', 'a/bc', 'a/bc/x', 'a/bé', 'z'].sort(),
      );
      expect(store.loadRemote().get('a/b')?.id).toBe(100);
    });
  });

  it('replaceRemote with several prefixes clears each of them', () => {
    withStore((store) => {
      store.saveRemote(['p/1', 'q/1', 'r/1'].map((p, i) => remote(p, i + 1)));
      store.replaceRemote([remote('p/2', 9)], ['p', 'q']);
      expect([...store.loadRemote().keys()].sort()).toEqual(['p/2', 'r/1']);
    });
  });

  it('replaceRemote with "" or no prefix replaces the whole cache', () => {
    withStore((store) => {
      store.saveRemote([remote('a', 1), remote('b/c', 2)]);
      store.replaceRemote([remote('n', 3)], ['']);
      expect([...store.loadRemote().keys()]).toEqual(['n']);
      store.replaceRemote([remote('m', 4)]);
      expect([...store.loadRemote().keys()]).toEqual(['m']);
    });
  });

  it('replaceRemote is one transaction: a bad entry leaves the cache as it was', () => {
    withStore((store) => {
      store.saveRemote([remote('a/1', 1)]);
      const bad = { ...remote('a/2', 2), kind: 'symlink' } as unknown as RemoteEntry; // violates the CHECK
      expect(() => store.replaceRemote([remote('a/3', 3), bad], ['a'])).toThrow();
      expect([...store.loadRemote().keys()]).toEqual(['a/1']);
    });
  });
});

describe('sync base', () => {
  it('round-trips and deletes', () => {
    withStore((store) => {
      const records: BaseRecord[] = [
        { path: 'f', kind: 'file', md5: 'abc', size: 3, remoteId: 77, syncedAt: 1733246400999 },
        { path: 'd', kind: 'directory', md5: null, size: 0, remoteId: 78, syncedAt: 1 },
      ];
      store.saveBase(records);
      expect(store.loadBase().get('f')).toStrictEqual(records[0]);
      expect(store.loadBase().get('d')).toStrictEqual(records[1]);
      store.deleteBase(['f']);
      expect([...store.loadBase().keys()]).toEqual(['d']);
    });
  });
});

describe('cursors', () => {
  it('a missing cursor is null; set, overwrite and delete work', () => {
    withStore((store) => {
      expect(store.getCursor('changes')).toBeNull();
      store.setCursor('changes', 'c-1');
      store.setCursor('changes', 'c-2');
      expect(store.getCursor('changes')).toBe('c-2');
      store.deleteCursor('changes');
      expect(store.getCursor('changes')).toBeNull();
    });
  });
});

describe('upload sessions', () => {
  it('round-trip with the exact bigint mtime and delete', () => {
    withStore((store) => {
      const s: UploadSession = {
        path: 'big.bin',
        size: 5 * 2 ** 30,
        mtimeNs: MTIME,
        ino: 12345,
        md5: null,
        url: 'https://example.org/files/abc',
        offset: 2 ** 33,
        createdAt: 1733246400000,
      };
      store.saveUploadSessions([s]);
      expect(store.loadUploadSessions().get('big.bin')).toStrictEqual(s);
      store.saveUploadSessions([{ ...s, offset: s.size }]);
      expect(store.loadUploadSessions().get('big.bin')?.offset).toBe(s.size);
      store.deleteUploadSessions(['big.bin']);
      expect(store.loadUploadSessions().size).toBe(0);
    });
  });

  it('serve the UploadSessions port: load one path, save after each chunk, list, delete', () => {
    withStore((store) => {
      const port = store.uploadSessions();
      const s: UploadSession = { path: 'a/big.bin', size: 100, mtimeNs: MTIME, ino: 7, md5: null, url: 'http://h/files/x', offset: 0, createdAt: 1 };
      expect(port.load('a/big.bin')).toBeNull();
      port.save(s);
      port.save({ ...s, offset: 40 });
      expect(port.load('a/big.bin')).toStrictEqual({ ...s, offset: 40 });
      expect(port.list()).toStrictEqual([{ ...s, offset: 40 }]);
      port.delete('a/big.bin');
      expect(port.load('a/big.bin')).toBeNull();
    });
  });
});

describe('run journal', () => {
  it('beginRun records a running run; finishRun sets status, end time and summary', () => {
    const root = makeProject();
    let clock = 1000;
    const store = openStateStore(root, { now: () => clock });
    try {
      const id = store.beginRun('mc up -r .');
      expect(store.listRuns()).toStrictEqual([
        { id, command: 'mc up -r .', startedAt: 1000, finishedAt: null, status: 'running', summary: null },
      ]);
      clock = 2500;
      store.finishRun(id, 'partial', { transferred: 3, failed: [{ path: 'x', code: 'NETWORK' }] });
      const second = store.beginRun('mc down');
      const runs = store.listRuns();
      expect(runs.map((r) => r.id)).toEqual([second, id]);
      expect(runs[1]).toStrictEqual({
        id,
        command: 'mc up -r .',
        startedAt: 1000,
        finishedAt: 2500,
        status: 'partial',
        summary: { transferred: 3, failed: [{ path: 'x', code: 'NETWORK' }] },
      });
      expect(catchMcError(() => store.finishRun(9999, 'ok', null)).code).toBe('INTERNAL');
    } finally {
      store.close();
    }
  });
});

describe('the database file', () => {
  it('keeps its content across close and reopen, in WAL mode, mode 0600', () => {
    const root = makeProject();
    const first = openStateStore(root);
    first.saveLocal([local('kept')]);
    first.setCursor('c', 'v');
    first.close();
    first.close(); // closing twice is harmless

    const again = openStateStore(root);
    expect(again.loadLocal().get('kept')).toStrictEqual(local('kept'));
    expect(again.getCursor('c')).toBe('v');
    expect(again.counts()).toEqual({ local: 1, remote: 0, base: 0 });
    again.close();

    const raw = new Database(stateDbPath(root), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    expect(fileMode(stateDbPath(root))).toBe(0o600);
  });

  it('never creates or changes .mc/project.db (the Python tool\'s cache)', () => {
    const root = makeProject();
    const store = openStateStore(root);
    store.saveLocal([local('a')]);
    store.close();
    expect(fs.existsSync(path.join(root, '.mc', 'project.db'))).toBe(false);

    const pythonDb = path.join(root, '.mc', 'project.db');
    fs.writeFileSync(pythonDb, 'python-owned bytes');
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(pythonDb, old, old);
    const s2 = openStateStore(root);
    s2.saveRemote([remote('r', 1)]);
    s2.close();
    expect(fs.readFileSync(pythonDb, 'utf8')).toBe('python-owned bytes');
    expect(fs.statSync(pythonDb).mtimeMs).toBe(old.getTime());
  });

  it('refuses a folder that is not a project', () => {
    const err = catchMcError(() => openStateStore(makeTempDir()));
    expect(err.code).toBe('CONFIG');
    expect(err.hint).toMatch(/mc init|mc clone/);
  });

  it('a damaged database is a CONFIG error saying to delete it; resetStateStore makes it usable again', () => {
    const root = makeProject();
    fs.writeFileSync(stateDbPath(root), Buffer.alloc(8192, 0x5a));
    const err = catchMcError(() => openStateStore(root));
    expect(err.code).toBe('CONFIG');
    expect(err.message).toContain('.mc/mcsync.db');
    expect(err.hint).toBe('delete .mc/mcsync.db; the next run re-hashes');

    resetStateStore(root);
    const store = openStateStore(root);
    expect(store.loadLocal().size).toBe(0);
    store.close();
  });
});

describe('scale', () => {
  it('saves and loads 200,000 local rows in one call each (timing printed, not asserted)', () => {
    withStore((store) => {
      const n = 200_000;
      const records: LocalRecord[] = [];
      for (let i = 0; i < n; i++) {
        records.push({
          path: `d${i % 500}/s${i % 37}/file-${i}.dat`,
          kind: 'file',
          size: i * 13,
          mtimeNs: MTIME + BigInt(i),
          ino: 1_000_000 + i,
          md5: i % 2 ? 'd41d8cd98f00b204e9800998ecf8427e' : null,
        });
      }
      let t = performance.now();
      store.saveLocal(records);
      const saveMs = performance.now() - t;
      t = performance.now();
      const loaded = store.loadLocal();
      const loadMs = performance.now() - t;
      console.log(`[store] 200,000 local rows: save ${saveMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms`);

      expect(loaded.size).toBe(n);
      expect(loaded.get('d7/s7/file-7.dat')).toStrictEqual(records[7]);
      expect(loaded.get(records[n - 1]!.path)?.mtimeNs).toBe(MTIME + BigInt(n - 1));
      expect(store.counts().local).toBe(n);
    });
  });
});
