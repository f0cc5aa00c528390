import { type Dirent, existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IgnoreRules } from './ignore-rules';
import { ancestorsOf, joinPath } from './paths';
import { IGNORE_FILE, MC_DIR, TEMP_PREFIX, isMcOwnedName, isTempName } from './project-files';
import type { LocalEntry, Problem, ProjectPath } from './types';

export interface ScanOptions {
  /** Absolute project root. */
  root: string;
  /** Subtrees (or single files) to scan; default the whole project (""). */
  prefixes?: readonly ProjectPath[];
  /** Follow symbolic links instead of reporting them (loops and dangling links are reported). */
  followSymlinks?: boolean;
}

export interface ScanResult {
  /** Files and folders (the root itself excluded), in walk order: a folder before its contents. */
  entries: LocalEntry[];
  /** Symlinks skipped, special files, unreadable folders. */
  problems: Problem[];
  /** Absolute paths of temporary downloads a previous run left behind. */
  tempFiles: string[];
}

/**
 * Walks the project synchronously: readdirSync with file types + one bigint lstat per file is
 * ~4× faster than an async walk on a 26k-file tree (design.md), and nothing else runs meanwhile.
 */
export function scanLocal(opts: ScanOptions): ScanResult {
  const walker = new Walker(opts.root, opts.followSymlinks ?? false);
  const prefixes = normalizePrefixes(opts.prefixes ?? ['']);
  for (const prefix of prefixes) walker.scanPrefix(prefix);
  return { entries: walker.entries, problems: walker.problems, tempFiles: walker.tempFiles };
}

function unreadableReason(path: ProjectPath, kind: 'file' | 'folder', err: unknown): string {
  if (path.includes('\uFFFD')) return `the ${kind} name is not valid UTF-8 (shown with \uFFFD); the server cannot store it, rename it`;
  return `cannot read ${kind}: ${(err as Error).message}`;
}

/** Drops prefixes covered by another one, so no path is scanned twice. */
function normalizePrefixes(prefixes: readonly ProjectPath[]): ProjectPath[] {
  const sorted = [...new Set(prefixes)].sort();
  const out: ProjectPath[] = [];
  for (const p of sorted) {
    if (!out.some((q) => q === '' || p === q || p.startsWith(`${q}/`))) out.push(p);
  }
  return out;
}

class Walker {
  readonly entries: LocalEntry[] = [];
  readonly problems: Problem[] = [];
  readonly tempFiles: string[] = [];
  /** dev:ino of the folders on the current descent, to detect symlink loops. */
  private readonly descent = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly follow: boolean,
  ) {}

  scanPrefix(prefix: ProjectPath): void {
    let rules = IgnoreRules.empty();
    const chain = prefix === '' ? [] : ancestorsOf(prefix);
    for (const dir of ['', ...chain]) {
      rules = rules.enter(this.root, dir, existsSync(join(this.root, dir, IGNORE_FILE)));
    }
    if (prefix === '') {
      if (this.follow) this.descent.add(this.keyOf(''));
      this.walkFolder('', rules);
      return;
    }
    if (prefix.split('/').some((s) => isMcOwnedName(s))) return;
    const abs = join(this.root, prefix);
    let st;
    try {
      st = lstatSync(abs, { bigint: true });
    } catch {
      return; // absent locally: nothing to scan (the remote side may still have it)
    }
    if (st.isSymbolicLink() && !this.follow) {
      this.problems.push({ path: prefix, reason: 'symlink (not followed)', failure: false });
      return;
    }
    if (st.isSymbolicLink()) st = statSync(abs, { bigint: true });
    if (st.isDirectory()) {
      if (rules.ignores(prefix, true)) return;
      this.entries.push({ path: prefix, kind: 'directory', size: 0, mtimeNs: st.mtimeNs, ino: Number(st.ino) });
      if (this.follow) for (const dir of ['', ...chain, prefix]) this.descent.add(this.keyOf(dir));
      this.walkFolder(prefix, rules);
    } else if (st.isFile()) {
      if (rules.ignores(prefix, false)) return;
      this.entries.push({ path: prefix, kind: 'file', size: Number(st.size), mtimeNs: st.mtimeNs, ino: Number(st.ino) });
    }
  }

  private keyOf(dir: ProjectPath): string {
    const st = statSync(join(this.root, dir), { bigint: true });
    return `${st.dev}:${st.ino}`;
  }

  private walkFolder(dir: ProjectPath, inherited: IgnoreRules): void {
    const abs = join(this.root, dir);
    let dirents: Dirent[];
    try {
      dirents = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      this.problems.push({ path: dir, reason: unreadableReason(dir, 'folder', err), failure: true });
      return;
    }
    const rules = inherited.enter(this.root, dir, dirents.some((d) => d.name === IGNORE_FILE && !d.isDirectory()));
    for (const d of dirents) {
      const name = d.name;
      if (isMcOwnedName(name)) {
        if (isTempName(name) && d.isFile()) this.tempFiles.push(join(abs, name));
        else if (name.startsWith(TEMP_PREFIX)) {
          this.problems.push({ path: joinPath(dir, name), reason: 'names starting with .mc-tmp- are reserved for temporary downloads; rename it to sync it', failure: false });
        }
        continue;
      }
      if (dir === '' && name === MC_DIR) continue;
      const path = joinPath(dir, name);
      if (d.isSymbolicLink()) this.visitSymlink(path, rules);
      else if (d.isDirectory()) this.visitFolder(path, rules, null);
      else if (d.isFile()) this.visitFile(path, rules);
      else this.problems.push({ path, reason: 'not a regular file (FIFO, socket or device)', failure: false });
    }
  }

  private visitFolder(path: ProjectPath, rules: IgnoreRules, statKey: string | null): void {
    if (rules.ignores(path, true)) return;
    let key = statKey;
    let mtimeNs = 0n;
    let ino = 0;
    if (this.follow || key !== null) {
      // Only a walk that follows links can meet a folder twice; others skip this stat.
      try {
        const st = statSync(join(this.root, path), { bigint: true });
        key = `${st.dev}:${st.ino}`;
        mtimeNs = st.mtimeNs;
        ino = Number(st.ino);
      } catch (err) {
        this.problems.push({ path, reason: unreadableReason(path, 'folder', err), failure: true });
        return;
      }
      if (this.descent.has(key)) {
        this.problems.push({ path, reason: 'symlink loop (folder contains itself)', failure: false });
        return;
      }
    }
    this.entries.push({ path, kind: 'directory', size: 0, mtimeNs, ino });
    if (key !== null) this.descent.add(key);
    this.walkFolder(path, rules);
    if (key !== null) this.descent.delete(key);
  }

  private visitFile(path: ProjectPath, rules: IgnoreRules): void {
    if (rules.ignores(path, false)) return;
    try {
      const st = lstatSync(join(this.root, path), { bigint: true });
      this.entries.push({ path, kind: 'file', size: Number(st.size), mtimeNs: st.mtimeNs, ino: Number(st.ino) });
    } catch (err) {
      // A name that is not UTF-8 comes back from readdir with U+FFFD and cannot be found again.
      if (path.includes('\uFFFD')) this.problems.push({ path, reason: unreadableReason(path, 'file', err), failure: true });
      // otherwise it vanished between readdir and lstat: as if it was never there
    }
  }

  private visitSymlink(path: ProjectPath, rules: IgnoreRules): void {
    if (!this.follow) {
      if (!rules.ignores(path, false)) this.problems.push({ path, reason: 'symlink (not followed)', failure: false });
      return;
    }
    let st;
    try {
      st = statSync(join(this.root, path), { bigint: true });
    } catch (err) {
      // ELOOP: links that point at each other (a → b → a); anything else: the target is missing.
      const reason = (err as NodeJS.ErrnoException).code === 'ELOOP' ? 'symlink loop (links point at each other)' : 'dangling symlink';
      if (!rules.ignores(path, false)) this.problems.push({ path, reason, failure: false });
      return;
    }
    if (st.isDirectory()) this.visitFolder(path, rules, `${st.dev}:${st.ino}`);
    else if (st.isFile()) {
      if (rules.ignores(path, false)) return;
      this.entries.push({ path, kind: 'file', size: Number(st.size), mtimeNs: st.mtimeNs, ino: Number(st.ino) });
    } else this.problems.push({ path, reason: 'symlink to a special file', failure: false });
  }
}
