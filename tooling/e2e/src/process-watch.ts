import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** What a watched process used at its worst: peak resident memory and most open file descriptors. */
export interface ProcessPeaks {
  peakRssMiB: number;
  maxOpenFds: number;
}

/**
 * Samples a child's peak RSS (`VmHWM`, the kernel's own high-water mark, so a short spike between
 * samples is not missed) and its open file descriptors every `intervalMs` until it exits.
 */
export function watchProcess(child: ChildProcess, intervalMs = 50): Promise<ProcessPeaks> {
  const peaks: ProcessPeaks = { peakRssMiB: 0, maxOpenFds: 0 };
  const sample = () => {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (hwm) peaks.peakRssMiB = Math.max(peaks.peakRssMiB, Number(hwm[1]) / 1024);
      peaks.maxOpenFds = Math.max(peaks.maxOpenFds, readdirSync(`/proc/${pid}/fd`).length);
    } catch {
      // the process ended between two samples
    }
  };
  const timer = setInterval(sample, intervalMs);
  return new Promise((resolve) => {
    child.once('exit', () => {
      clearInterval(timer);
      resolve(peaks);
    });
  });
}

/** A progress event of `mc --progress=ndjson`. */
export interface NdjsonEvent {
  type: string;
  op?: string;
  path?: string;
  bytes?: number;
  total?: number;
  code?: string;
}

/**
 * Calls `onEvent` for every NDJSON progress event the child writes to stderr, and collects the
 * rest of stderr (notices) so a failing test can show it.
 */
export function followProgress(child: ChildProcess, onEvent: (event: NdjsonEvent) => void): { stderr: () => string } {
  let other = '';
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.startsWith('{')) {
      other += `${line}\n`;
      return;
    }
    try {
      onEvent(JSON.parse(line) as NdjsonEvent);
    } catch {
      other += `${line}\n`;
    }
  });
  return { stderr: () => other };
}

/** Resolves with the exit code (128 + signal number style codes come back as the signal name). */
export function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
}
