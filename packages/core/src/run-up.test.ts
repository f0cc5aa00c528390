import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryRemote } from '../test/helpers/memory-remote';
import { MemoryStore } from '../test/helpers/memory-store';
import { runUp } from './run-up';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mcsync-up-'));
  mkdirSync(join(root, '.mc'));
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), c);
  }
  return root;
}

describe('runUp', () => {
  it('uploads every file and creates every folder, then a rerun sends nothing', async () => {
    const root = project({ 'a/b/c.txt': 'hello', 'd.txt': '', 'e f/ü.cif': 'data' });
    mkdirSync(join(root, 'empty'));
    const remote = new MemoryRemote();
    const store = new MemoryStore();
    const first = await runUp({ root, prefixes: [''], store, remote });
    expect(first.transferred.map((t) => t.path).sort()).toEqual(['a/b/c.txt', 'd.txt', 'e f/ü.cif']);
    expect(remote.content('a/b/c.txt')).toBe('hello');
    expect(remote.entries.get('empty')?.kind).toBe('directory');
    expect(first.failed).toEqual([]);

    remote.uploads = [];
    const second = await runUp({ root, prefixes: [''], store, remote });
    expect(second.transferred).toEqual([]);
    expect(remote.uploads).toEqual([]);
  });

  it('uploads exactly the one file whose content changed', async () => {
    const root = project({ 'a.txt': 'one', 'b.txt': 'two', 'c.txt': 'three' });
    const remote = new MemoryRemote();
    const store = new MemoryStore();
    await runUp({ root, prefixes: [''], store, remote });
    remote.uploads = [];
    writeFileSync(join(root, 'b.txt'), 'TWO'); // same size, new bytes
    const report = await runUp({ root, prefixes: [''], store, remote });
    expect(remote.uploads).toEqual(['b.txt']);
    expect(remote.content('b.txt')).toBe('TWO');
    expect(report.transferred).toHaveLength(1);
  });

  it('does not hash files the remote lacks before uploading them (the upload hashes)', async () => {
    const root = project({ 'a.txt': 'one' });
    const store = new MemoryStore();
    const remote = new MemoryRemote();
    await runUp({ root, prefixes: [''], store, remote, dryRun: true });
    expect(store.local.get('a.txt')?.md5).toBeNull();
  });

  it('keeps going when one upload fails, and records the others', async () => {
    const root = project({ 'a.txt': '1', 'b.txt': '2', 'c.txt': '3' });
    const remote = new MemoryRemote();
    remote.failUpload.add('b.txt');
    const store = new MemoryStore();
    const report = await runUp({ root, prefixes: [''], store, remote });
    expect(report.failed.map((f) => f.path)).toEqual(['b.txt']);
    expect(report.transferred.map((t) => t.path).sort()).toEqual(['a.txt', 'c.txt']);
    expect([...store.base.keys()].sort()).toEqual(['a.txt', 'c.txt']);
  });

  it('uploads only under the given paths', async () => {
    const root = project({ 'a/x.txt': '1', 'b/y.txt': '2' });
    const remote = new MemoryRemote();
    await runUp({ root, prefixes: ['a'], store: new MemoryStore(), remote });
    expect(remote.uploads).toEqual(['a/x.txt']);
  });

  it('changes nothing on --dry-run', async () => {
    const root = project({ 'a.txt': '1' });
    const remote = new MemoryRemote();
    const report = await runUp({ root, prefixes: [''], store: new MemoryStore(), remote, dryRun: true });
    expect(report.plan.uploads.map((u) => u.path)).toEqual(['a.txt']);
    expect(remote.entries.size).toBe(0);
  });

  it('stops starting uploads once aborted and says it was interrupted', async () => {
    const root = project({ 'a.txt': '1', 'b.txt': '2', 'c.txt': '3' });
    const remote = new MemoryRemote();
    const controller = new AbortController();
    remote.beforeTransfer = () => controller.abort();
    const report = await runUp({ root, prefixes: [''], store: new MemoryStore(), remote, signal: controller.signal });
    expect(report.interrupted).toBe(true);
    expect(remote.uploads.length).toBeLessThan(3);
  });
});

describe('runUp without -r', () => {
  it('uploads named files and skips named folders with a notice', async () => {
    const root = project({ 'a/x.txt': '1', 'top.txt': '2' });
    const remote = new MemoryRemote();
    const report = await runUp({ root, prefixes: ['a', 'top.txt'], recursive: false, store: new MemoryStore(), remote });
    expect(remote.uploads).toEqual(['top.txt']);
    expect(report.skipped).toEqual([{ path: 'a', reason: expect.stringContaining('-r') }]);
  });
});

describe("runUp and a collaborator's newer version", () => {
  it('does not revert a server version that changed since the last sync; -f does', async () => {
    const root = project({ 'scan1.csv': 'v1' });
    const remote = new MemoryRemote();
    const store = new MemoryStore();
    await runUp({ root, prefixes: [''], store, remote });
    remote.put('scan1.csv', 'v2 from a collaborator');
    const report = await runUp({ root, prefixes: [''], store, remote });
    expect(remote.content('scan1.csv')).toBe('v2 from a collaborator');
    expect(report.skipped).toEqual([{ path: 'scan1.csv', reason: expect.stringContaining('changed on the server') }]);
    await runUp({ root, prefixes: [''], store, remote, force: true });
    expect(remote.content('scan1.csv')).toBe('v1');
  });
});
