import type { StateStore } from './ports';
import type { BaseRecord, LocalRecord, RemoteEntry } from './types';

/**
 * Records finished transfers in the state store as they complete, in small batches: a killed run
 * loses at most one batch (those files are found identical on the next run, not sent again).
 */
export class Recorder {
  private local: LocalRecord[] = [];
  private remote: RemoteEntry[] = [];
  private base: BaseRecord[] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly store: StateStore,
    private readonly maxBatch = 256,
    private readonly maxDelayMs = 250,
  ) {}

  add(entry: { local?: LocalRecord; remote?: RemoteEntry; base?: BaseRecord }): void {
    if (entry.local) this.local.push(entry.local);
    if (entry.remote) this.remote.push(entry.remote);
    if (entry.base) this.base.push(entry.base);
    const pending = this.local.length + this.remote.length + this.base.length;
    if (pending >= this.maxBatch || Date.now() - this.lastFlush >= this.maxDelayMs) this.flush();
  }

  flush(): void {
    if (this.local.length) this.store.saveLocal(this.local);
    if (this.remote.length) this.store.saveRemote(this.remote);
    if (this.base.length) this.store.saveBase(this.base);
    this.local = [];
    this.remote = [];
    this.base = [];
    this.lastFlush = Date.now();
  }
}
