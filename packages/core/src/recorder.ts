import type { StateStore } from './ports';
import type { BaseRecord, LocalRecord, ProjectPath, RemoteEntry } from './types';

/** What one finished action changes in the state store. */
export interface Recorded {
  local?: LocalRecord;
  remote?: RemoteEntry;
  base?: BaseRecord;
  /** A path gone from both the base and the caches (a deletion that went through). */
  gone?: ProjectPath;
}

/**
 * Records finished actions in the state store as they complete, in small batches: a killed run
 * loses at most one batch (those files are found identical on the next run, not sent again).
 */
export class Recorder {
  private local: LocalRecord[] = [];
  private remote: RemoteEntry[] = [];
  private base: BaseRecord[] = [];
  private gone: ProjectPath[] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly store: StateStore,
    private readonly maxBatch = 256,
    private readonly maxDelayMs = 250,
  ) {}

  add(entry: Recorded): void {
    if (entry.local) this.local.push(entry.local);
    if (entry.remote) this.remote.push(entry.remote);
    if (entry.base) this.base.push(entry.base);
    if (entry.gone !== undefined) this.gone.push(entry.gone);
    const pending = this.local.length + this.remote.length + this.base.length + this.gone.length;
    if (pending >= this.maxBatch || Date.now() - this.lastFlush >= this.maxDelayMs) this.flush();
  }

  flush(): void {
    if (this.gone.length) {
      this.store.deleteBase(this.gone);
      this.store.deleteRemote(this.gone);
      this.store.deleteLocal(this.gone);
    }
    if (this.local.length) this.store.saveLocal(this.local);
    if (this.remote.length) this.store.saveRemote(this.remote);
    if (this.base.length) this.store.saveBase(this.base);
    this.local = [];
    this.remote = [];
    this.base = [];
    this.gone = [];
    this.lastFlush = Date.now();
  }
}
