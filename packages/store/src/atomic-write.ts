import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { McError } from '@mcsync/core';

/**
 * Replaces `file` with `data` so that readers see the old or the new content, never a mix:
 * a temporary file in the same folder, fsync, rename. A symlinked `file` keeps its link (the
 * target is replaced). `mode` applies to the new file; the default keeps an existing file's mode
 * and uses 0600 for a new one. A missing parent folder is created (with `dirMode` if given).
 */
export function writeFileAtomic(file: string, data: string, opts: { mode?: number; dirMode?: number } = {}): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, ...(opts.dirMode === undefined ? {} : { mode: opts.dirMode }) });
  } catch (err) {
    throw new McError('LOCAL_IO', `cannot create ${path.dirname(file)}: ${(err as Error).message}`, { cause: err });
  }
  const target = resolveLink(file);
  const mode = opts.mode ?? existingMode(target) ?? 0o600;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const fd = fs.openSync(temp, 'wx', mode);
    try {
      fs.writeFileSync(fd, data);
      // openSync's mode is filtered by the umask; chmod makes it exact.
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw new McError('LOCAL_IO', `cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function resolveLink(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

function existingMode(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
}
