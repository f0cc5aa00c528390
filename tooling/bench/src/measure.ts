import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { watchProcess } from '../../e2e/src/process-watch';

export interface Measured {
  code: number;
  seconds: number;
  /** The command's own peak resident memory, when it is one process (not a shell pipeline). */
  peakRssMiB: number | null;
  stdout: string;
  stderr: string;
  killed: boolean;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run through `bash -c` (pipelines); no peak RSS is reported then. */
  shell?: boolean;
  /** Called for each stderr line; `kill()` sends SIGKILL to the command (peak RSS is then sampled). */
  onStderrLine?: (line: string, kill: () => void) => void;
  /** Keep at most this many characters of stdout/stderr (the rest is dropped). */
  keepChars?: number;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs one command and measures it: wall time from spawn to exit, and peak RSS by GNU time's
 * `%M` (the kernel's rusage of the waited child) when it is installed, else by sampling VmHWM.
 */
export async function measure(cmd: string, args: readonly string[], opts: MeasureOptions = {}): Promise<Measured> {
  const keep = opts.keepChars ?? 4_000_000;
  const useTime = !opts.shell && !opts.onStderrLine && existsSync(GNU_TIME);
  const tmp = useTime ? mkdtempSync(join(tmpdir(), 'mcsync-bench-time-')) : null;
  const [file, argv] = opts.shell
    ? ['bash', ['-c', [cmd, ...args].join(' ')]]
    : useTime
      ? [GNU_TIME, ['-f', '%M', '-o', join(tmp!, 'rss'), cmd, ...args]]
      : [cmd, [...args]];
  const started = performance.now();
  const child = spawn(file, argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const sampled = useTime || opts.shell ? null : watchProcess(child, 20);
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    if (stdout.length < keep) stdout += c;
  });
  const lines = createInterface({ input: child.stderr! });
  const kill = (): void => {
    if (!killed) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  lines.on('line', (line) => {
    if (stderr.length < keep) stderr += `${line}\n`;
    opts.onStderrLine?.(line, kill);
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c, signal) => resolve(c ?? (signal === 'SIGKILL' ? 137 : 128)));
  });
  const seconds = (performance.now() - started) / 1000;
  let peakRssMiB: number | null = null;
  if (tmp) {
    const text = readFileSync(join(tmp, 'rss'), 'utf8').trim().split('\n').pop() ?? '';
    if (/^\d+$/.test(text)) peakRssMiB = Number(text) / 1024;
    rmSync(tmp, { recursive: true, force: true });
  } else if (sampled) {
    peakRssMiB = (await sampled).peakRssMiB || null;
  }
  return { code, seconds, peakRssMiB, stdout, stderr, killed };
}
