import { isUnder, type BaseRecord, type LocalRecord, type ProjectPath, type RemoteEntry, type StateStore } from '../../src';

/** An in-memory StateStore for engine tests; `writes` counts save calls (batches). */
export class MemoryStore implements StateStore {
  local = new Map<ProjectPath, LocalRecord>();
  remote = new Map<ProjectPath, RemoteEntry>();
  base = new Map<ProjectPath, BaseRecord>();
  writes = 0;

  loadLocal() {
    return new Map([...this.local].map(([k, v]) => [k, { ...v }]));
  }
  saveLocal(records: readonly LocalRecord[]) {
    this.writes++;
    for (const r of records) this.local.set(r.path, { ...r });
  }
  deleteLocal(paths: readonly ProjectPath[]) {
    for (const p of paths) this.local.delete(p);
  }
  loadRemote() {
    return new Map(this.remote);
  }
  replaceRemote(entries: readonly RemoteEntry[], prefixes: readonly ProjectPath[] = ['']) {
    for (const p of [...this.remote.keys()]) if (prefixes.some((x) => isUnder(p, x))) this.remote.delete(p);
    this.saveRemote(entries);
  }
  saveRemote(entries: readonly RemoteEntry[]) {
    this.writes++;
    for (const e of entries) this.remote.set(e.path, { ...e });
  }
  loadBase() {
    return new Map(this.base);
  }
  saveBase(records: readonly BaseRecord[]) {
    this.writes++;
    for (const r of records) this.base.set(r.path, { ...r });
  }
  deleteBase(paths: readonly ProjectPath[]) {
    for (const p of paths) this.base.delete(p);
  }
  deleteRemote(paths: readonly ProjectPath[]) {
    for (const p of paths) this.remote.delete(p);
  }
  cursors = new Map<string, string>();
  getCursor(name: string) {
    return this.cursors.get(name) ?? null;
  }
  setCursor(name: string, value: string) {
    this.cursors.set(name, value);
  }
  deleteCursor(name: string) {
    this.cursors.delete(name);
  }
  close() {}
}
