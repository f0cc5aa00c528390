import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOCK_FILE, MC_DIR, McError } from '@mcsync/core';

/** The content of `.mc/mcsync.lock`. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO 8601 */
  started_at: string;
  /** The command holding the lock, as the user typed it (e.g. "mc up"). */
  command: string;
}

export interface ProjectLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

export interface AcquireLockOptions {
  command: string;
  /** An unparseable lock file older than this is stale (default one minute: a writer needs microseconds). */
  unparseableStaleMs?: number;
}

const LOCK_LABEL = `${MC_DIR}/${LOCK_FILE}`;
const LOCKED_HINT = `wait for it to finish, or remove ${LOCK_LABEL} if that process is gone`;

/**
 * Lock files this process holds (path → exact text), released by the exit handler. Process-wide
 * by nature: `process.on('exit')` is.
 */
const held = new Map<string, string>();

/**
 * One run per project folder. Creates `.mc/mcsync.lock` with O_EXCL holding {pid, hostname,
 * started_at, command}. A lock whose process is dead on this host, or an unparseable one older
 * than a minute, is stale and taken over. Otherwise McError LOCKED naming the holder.
 * The lock is also released when the process exits normally (a sync `exit` handler).
 */
export function acquireProjectLock(projectRoot: string, opts: AcquireLockOptions): ProjectLock {
  const file = path.join(projectRoot, MC_DIR, LOCK_FILE);
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), started_at: new Date().toISOString(), command: opts.command };
  const text = JSON.stringify(info);
  const staleMs = opts.unparseableStaleMs ?? 60_000;

  // A few rounds: the holder may vanish, or another process may win a stale takeover, between steps.
  for (let round = 0; round < 5; round++) {
    if (createExclusive(file, text, projectRoot)) return hold(file, text, info);
    const found = inspect(file, staleMs);
    if (found.state === 'gone') continue;
    if (found.state === 'held') throw lockedError(found.info);
    if (takeOver(file, found.text, text)) return hold(file, text, info);
  }
  throw lockedError(null);
}

type Inspection = { state: 'gone' } | { state: 'held'; info: LockInfo | null } | { state: 'stale'; text: string };

function inspect(file: string, unparseableStaleMs: number): Inspection {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'gone' };
    throw ioError(file, err);
  }
  const info = parseLockInfo(text);
  if (info === null) {
    return Date.now() - mtimeMs > unparseableStaleMs ? { state: 'stale', text } : { state: 'held', info: null };
  }
  if (info.hostname !== os.hostname()) return { state: 'held', info };
  // Our own pid is alive by definition: the lock is ours only if this process holds it (a crashed
  // run's pid may have been reused by us after a reboot).
  if (info.pid === process.pid) return held.get(file) === text ? { state: 'held', info } : { state: 'stale', text };
  return isProcessAlive(info.pid) ? { state: 'held', info } : { state: 'stale', text };
}

/**
 * Replaces a stale lock: a new file renamed over it, then re-read to confirm it is ours. The stale
 * content is checked again just before the rename, which narrows (POSIX offers no way to close)
 * the window in which two processes take over the same stale lock.
 */
function takeOver(file: string, staleText: string, text: string): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
    if (readOrNull(file) !== staleText) return false;
    fs.renameSync(temp, file);
  } catch (err) {
    throw ioError(file, err);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return readOrNull(file) === text;
}

function createExclusive(file: string, text: string, projectRoot: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      throw new McError('CONFIG', `${projectRoot} is not an mc project folder (no ${MC_DIR}/ directory)`, {
        hint: 'run `mc init` or `mc clone ID` first',
      });
    }
    throw ioError(file, err);
  }
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function hold(file: string, text: string, info: LockInfo): ProjectLock {
  if (held.size === 0) process.on('exit', releaseAllHeld);
  held.set(file, text);
  return {
    path: file,
    info,
    release() {
      if (held.get(file) !== text) return;
      held.delete(file);
      if (held.size === 0) process.off('exit', releaseAllHeld);
      removeIfOurs(file, text);
    },
  };
}

function releaseAllHeld(): void {
  for (const [file, text] of held) removeIfOurs(file, text);
  held.clear();
  process.off('exit', releaseAllHeld);
}

function removeIfOurs(file: string, text: string): void {
  if (readOrNull(file) !== text) return;
  try {
    fs.unlinkSync(file);
  } catch {
    // Already gone, or the folder is read-only now: nothing more to do at exit.
  }
}

export function parseLockInfo(text: string): LockInfo | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!Number.isInteger(o.pid) || (o.pid as number) <= 0) return null;
  if (typeof o.hostname !== 'string' || typeof o.started_at !== 'string' || typeof o.command !== 'string') return null;
  return { pid: o.pid as number, hostname: o.hostname, started_at: o.started_at, command: o.command };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function lockedError(info: LockInfo | null): McError {
  if (info === null) {
    return new McError('LOCKED', `another mc run is starting in this project (${LOCK_LABEL} is being written)`, { hint: LOCKED_HINT });
  }
  const where = info.hostname === os.hostname() ? `pid ${info.pid}` : `pid ${info.pid} on ${info.hostname}`;
  return new McError('LOCKED', `another mc run (${where}, \`${info.command}\`, started ${info.started_at}) is working in this project`, {
    hint: LOCKED_HINT,
  });
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function ioError(file: string, err: unknown): McError {
  return new McError('LOCAL_IO', `cannot use the project lock ${file}: ${(err as Error).message}`, { cause: err });
}
