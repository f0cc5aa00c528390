import type { McError, ProgressEvent, ProjectPath } from '@mcsync/core';

/** 'bytes' events per file at most this often; 'start', 'done' and 'fail' are never dropped. */
export const PROGRESS_INTERVAL_MS = 100;

/** Emits progress events for one transfer, throttling 'bytes' per file. A no-op without a sink. */
export class ProgressReporter {
  readonly #op: 'upload' | 'download';
  readonly #sink: ((event: ProgressEvent) => void) | undefined;
  readonly #intervalMs: number;
  readonly #last = new Map<ProjectPath, number>();

  constructor(op: 'upload' | 'download', sink?: (event: ProgressEvent) => void, intervalMs = PROGRESS_INTERVAL_MS) {
    this.#op = op;
    this.#sink = sink;
    this.#intervalMs = intervalMs;
  }

  get enabled(): boolean {
    return this.#sink !== undefined;
  }

  /** `resumed`: bytes an earlier run left in place (a resumed download); 'bytes' events then count from there. */
  start(path: ProjectPath, total: number, resumed = 0): void {
    if (!this.#sink || this.#last.has(path)) return;
    this.#last.set(path, performance.now());
    this.#emit({ type: 'start', op: this.#op, path, total, ...(resumed > 0 ? { resumed } : {}) });
  }

  bytes(path: ProjectPath, bytes: number, total: number): void {
    if (!this.#sink) return;
    const now = performance.now();
    const last = this.#last.get(path) ?? 0;
    if (now - last < this.#intervalMs) return;
    this.#last.set(path, now);
    this.#emit({ type: 'bytes', op: this.#op, path, bytes, total });
  }

  done(path: ProjectPath, bytes: number): void {
    if (!this.#sink) return;
    this.#last.delete(path);
    this.#emit({ type: 'done', op: this.#op, path, bytes });
  }

  fail(path: ProjectPath, error: McError): void {
    if (!this.#sink) return;
    this.#last.delete(path);
    this.#emit({ type: 'fail', op: this.#op, path, error });
  }

  #emit(event: ProgressEvent): void {
    try {
      this.#sink?.(event);
    } catch {
      // a failing progress display must not fail the transfer
    }
  }
}
