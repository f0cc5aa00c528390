import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { acquireProjectLock, parseLockInfo, type LockInfo } from './project-lock';
import { catchMcError, fileMode, makeProject, makeTempDir } from './test-support';

function lockFile(root: string): string {
  return path.join(root, '.mc', 'mcsync.lock');
}

function writeLock(root: string, info: Partial<LockInfo>): void {
  const full: LockInfo = { pid: 1, hostname: os.hostname(), started_at: '2026-01-01T00:00:00.000Z', command: 'mc down', ...info };
  fs.writeFileSync(lockFile(root), JSON.stringify(full));
}

/** The pid of a process that has exited (spawned, then waited for). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

/** The pid of a live process other than this one, killed when the test ends. */
async function livePid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  onTestFinished(() => {
    child.kill();
  });
  await new Promise((resolve) => child.on('spawn', resolve));
  return child.pid as number;
}

describe('acquireProjectLock', () => {
  it('creates .mc/mcsync.lock (mode 0600) holding pid, hostname, started_at and command', () => {
    const root = makeProject();
    const lock = acquireProjectLock(root, { command: 'mc up' });
    try {
      expect(lock.path).toBe(lockFile(root));
      expect(fileMode(lockFile(root))).toBe(0o600);
      const info = parseLockInfo(fs.readFileSync(lockFile(root), 'utf8'));
      expect(info).toStrictEqual({ pid: process.pid, hostname: os.hostname(), started_at: lock.info.started_at, command: 'mc up' });
      expect(Date.parse(lock.info.started_at)).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      lock.release();
    }
  });

  it('a second acquire fails with LOCKED while the first is held, and works after release', () => {
    const root = makeProject();
    const first = acquireProjectLock(root, { command: 'mc up' });
    const err = catchMcError(() => acquireProjectLock(root, { command: 'mc down' }));
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`pid ${process.pid}`);
    expect(err.message).toContain('`mc up`');
    expect(err.message).toContain(first.info.started_at);
    expect(err.hint).toBe('wait for it to finish, or remove .mc/mcsync.lock if that process is gone');

    first.release();
    expect(fs.existsSync(lockFile(root))).toBe(false);
    first.release(); // twice is harmless
    const second = acquireProjectLock(root, { command: 'mc down' });
    second.release();
  });

  it('is LOCKED by a live process of this host', async () => {
    const root = makeProject();
    const pid = await livePid();
    writeLock(root, { pid, command: 'mc sync' });
    const err = catchMcError(() => acquireProjectLock(root, { command: 'mc up' }));
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain(`pid ${pid}, \`mc sync\``);
  });

  it('takes over a stale lock whose process is dead', async () => {
    const root = makeProject();
    writeLock(root, { pid: await deadPid() });
    const lock = acquireProjectLock(root, { command: 'mc up' });
    expect(parseLockInfo(fs.readFileSync(lockFile(root), 'utf8'))?.pid).toBe(process.pid);
    expect(fs.readdirSync(path.join(root, '.mc'))).toEqual(['mcsync.lock']); // no temporary file left
    lock.release();
    expect(fs.existsSync(lockFile(root))).toBe(false);
  });

  it('takes over a lock with this process\'s pid that this process does not hold (pid reused after a crash)', () => {
    const root = makeProject();
    writeLock(root, { pid: process.pid, started_at: '2020-01-01T00:00:00.000Z' });
    const lock = acquireProjectLock(root, { command: 'mc up' });
    expect(parseLockInfo(fs.readFileSync(lockFile(root), 'utf8'))?.started_at).toBe(lock.info.started_at);
    lock.release();
  });

  it('cannot judge a lock from another host: LOCKED, naming the host', async () => {
    const root = makeProject();
    writeLock(root, { pid: await deadPid(), hostname: 'some-other-host' });
    const err = catchMcError(() => acquireProjectLock(root, { command: 'mc up' }));
    expect(err.code).toBe('LOCKED');
    expect(err.message).toContain('on some-other-host');
  });

  it('an unparseable lock is LOCKED while fresh and taken over once older than a minute', () => {
    const root = makeProject();
    fs.writeFileSync(lockFile(root), '{"pid": 12');
    expect(catchMcError(() => acquireProjectLock(root, { command: 'mc up' })).code).toBe('LOCKED');

    const old = new Date(Date.now() - 2 * 60_000);
    fs.utimesSync(lockFile(root), old, old);
    const lock = acquireProjectLock(root, { command: 'mc up' });
    expect(parseLockInfo(fs.readFileSync(lockFile(root), 'utf8'))?.pid).toBe(process.pid);
    lock.release();
  });

  it('release removes the lock only while it is still ours', () => {
    const root = makeProject();
    const lock = acquireProjectLock(root, { command: 'mc up' });
    writeLock(root, { pid: 4242, command: 'mc down' }); // someone took it over
    lock.release();
    expect(parseLockInfo(fs.readFileSync(lockFile(root), 'utf8'))?.pid).toBe(4242);
  });

  it('registers one exit handler that releases held locks, and removes it after release', () => {
    const root = makeProject();
    const before = process.listeners('exit');
    const lock = acquireProjectLock(root, { command: 'mc up' });
    const added = process.listeners('exit').filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);

    (added[0] as () => void)(); // what process exit runs
    expect(fs.existsSync(lockFile(root))).toBe(false);

    lock.release();
    expect(process.listeners('exit')).toEqual(before);
  });

  it('a folder without .mc/ is a CONFIG error', () => {
    expect(catchMcError(() => acquireProjectLock(makeTempDir(), { command: 'mc up' })).code).toBe('CONFIG');
  });
});
