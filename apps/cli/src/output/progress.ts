import { printable } from './printable';
import cliProgress from 'cli-progress';
import type { Plan, ProgressEvent } from '@mcsync/core';
import { formatBytes } from './format';

export type ProgressMode = 'tty' | 'ndjson' | 'none';

export interface ProgressDisplay {
  onPlan(plan: Plan): void;
  onProgress(event: ProgressEvent): void;
  stop(): void;
}

/** `--progress=ndjson` wins; else a bar when stderr is a TTY and --json is off; else nothing. */
export function progressMode(flag: string | undefined, json: boolean, stderrIsTty: boolean): ProgressMode {
  if (flag === 'ndjson') return 'ndjson';
  if (flag === 'none' || json) return 'none';
  return stderrIsTty ? 'tty' : 'none';
}

export function createProgress(mode: ProgressMode, op: 'up' | 'down' | 'sync', stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (mode === 'ndjson') return new NdjsonProgress(stream);
  if (mode === 'tty') return new BarProgress(op, stream);
  return { onPlan() {}, onProgress() {}, stop() {} };
}

/** One JSON object per line on stderr: plan totals, then per-file start/bytes/done/fail. */
class NdjsonProgress implements ProgressDisplay {
  constructor(private readonly stream: NodeJS.WriteStream) {}

  onPlan(plan: Plan): void {
    const files = plan.uploads.length + plan.downloads.length;
    const bytes = plan.uploads.reduce((n, u) => n + u.local.size, 0) + plan.downloads.reduce((n, d) => n + d.remote.size, 0);
    this.write({ type: 'plan', files, bytes, folders: plan.mkdirRemote.length + plan.mkdirLocal.length });
  }

  onProgress(event: ProgressEvent): void {
    if (event.type === 'fail') this.write({ type: 'fail', op: event.op, path: event.path, code: event.error.code, message: event.error.message });
    else this.write(event);
  }

  stop(): void {}

  private write(obj: object): void {
    this.stream.write(`${JSON.stringify({ ts: Date.now(), ...obj })}\n`);
  }
}

/** Files at least this large get a bar of their own while they move. */
export const FILE_BAR_MIN_BYTES = 32 * 1024 * 1024;
/** At most this many per-file bars at once, so the display stays a few lines tall. */
const MAX_FILE_BARS = 4;

/**
 * An overall bar on stderr (files done, bytes done, speed, ETA) and, below it, one bar per large
 * file in flight, so a multi-gigabyte upload shows its own progress inside the whole run's.
 */
class BarProgress implements ProgressDisplay {
  private readonly bars: cliProgress.MultiBar;
  private overall: cliProgress.SingleBar | null = null;
  private readonly fileBars = new Map<string, cliProgress.SingleBar>();
  private totalFiles = 0;
  private filesDone = 0;
  private bytesDone = 0;
  /** Bytes resumed downloads found already on disk: part of the progress, not of the speed. */
  private bytesResumed = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly op: 'up' | 'down' | 'sync',
    stream: NodeJS.WriteStream,
  ) {
    this.bars = new cliProgress.MultiBar(
      {
        stream,
        format: `${{ up: 'uploading', down: 'downloading', sync: 'syncing' }[op]} [{bar}] {percentage}% | {files} | {bytes} | {speed} | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 8,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  onPlan(plan: Plan): void {
    this.totalFiles = plan.uploads.length + plan.downloads.length;
    const total = plan.uploads.reduce((n, u) => n + u.local.size, 0) + plan.downloads.reduce((n, d) => n + d.remote.size, 0);
    if (this.totalFiles === 0) return;
    this.overall = this.bars.create(Math.max(total, 1), 0, this.payload(total));
    // MultiBar draws on its timer; draw now so even a run shorter than one frame shows its bar.
    this.bars.update();
  }

  onProgress(event: ProgressEvent): void {
    const overall = this.overall;
    if (!overall) return;
    if (event.type === 'start') {
      this.bytesResumed += event.resumed ?? 0;
      if (event.resumed) this.inFlight.set(event.path, event.resumed);
      this.startFileBar(event.path, event.total, event.resumed ?? 0);
    }
    else if (event.type === 'bytes') {
      this.inFlight.set(event.path, event.bytes);
      this.fileBars.get(event.path)?.update(event.bytes, { bytes: `${formatBytes(event.bytes)}/${formatBytes(event.total)}` });
    } else {
      this.inFlight.delete(event.path);
      this.filesDone++;
      if (event.type === 'done') this.bytesDone += event.bytes;
      const bar = this.fileBars.get(event.path);
      if (bar) {
        this.fileBars.delete(event.path);
        this.bars.remove(bar);
      }
    }
    let value = this.bytesDone;
    for (const b of this.inFlight.values()) value += b;
    overall.update(value, this.payload(overall.getTotal(), value));
  }

  stop(): void {
    if (this.overall) this.bars.stop();
    this.overall = null;
    this.fileBars.clear();
  }

  private startFileBar(path: string, total: number, resumed: number): void {
    if (total < FILE_BAR_MIN_BYTES || this.fileBars.size >= MAX_FILE_BARS || this.fileBars.has(path)) return;
    const bar = this.bars.create(total, resumed, { name: shortName(path), bytes: `${formatBytes(resumed)}/${formatBytes(total)}` }, { format: '  {name} [{bar}] {percentage}% | {bytes}' });
    this.fileBars.set(path, bar);
  }

  private payload(total: number, value = 0): Record<string, string> {
    const secs = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    return {
      files: `${this.filesDone}/${this.totalFiles} files`,
      bytes: `${formatBytes(value)}/${formatBytes(total)}`,
      speed: `${formatBytes(Math.max(value - this.bytesResumed, 0) / secs)}/s`,
    };
  }
}

/** The last 40 characters of a path, so per-file bars line up. */
function shortName(raw: string): string {
  const path = printable(raw);
  return path.length <= 40 ? path.padEnd(40) : `…${path.slice(-39)}`;
}
