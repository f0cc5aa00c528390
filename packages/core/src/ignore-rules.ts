import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { IGNORE_FILE } from './project-files';
import type { ProjectPath } from './types';

interface Layer {
  /** Folder (project path) the `.mcignore` lives in; its rules match paths relative to it. */
  base: ProjectPath;
  rules: Ignore;
}

/**
 * The `.mcignore` rules in force for one folder: its own file and those of every ancestor, each
 * compiled once (gitignore syntax; a deeper file overrides a shallower one, as in git).
 */
export class IgnoreRules {
  private constructor(private readonly layers: readonly Layer[]) {}

  static empty(): IgnoreRules {
    return new IgnoreRules([]);
  }

  /** The rules for the subfolder `dir`, adding its own `.mcignore` if it has one. */
  enter(root: string, dir: ProjectPath, hasIgnoreFile: boolean): IgnoreRules {
    if (!hasIgnoreFile) return this;
    let text: string;
    try {
      text = readFileSync(join(root, dir, IGNORE_FILE), 'utf8');
    } catch {
      return this; // unreadable: reported by the scan as an unreadable file
    }
    return new IgnoreRules([...this.layers, { base: dir, rules: ignore().add(text) }]);
  }

  /** True when `path` (a file, or a folder when `isDir`) is excluded by the rules in force. */
  ignores(path: ProjectPath, isDir: boolean): boolean {
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i]!;
      const rel = layer.base === '' ? path : path.slice(layer.base.length + 1);
      const result = layer.rules.test(isDir ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}
