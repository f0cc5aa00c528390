import fs from 'node:fs';
import path from 'node:path';
import { MC_DIR, McError } from '@mcsync/core';
import { writeFileAtomic } from './atomic-write';
import { isPlainObject, readJsonObject } from './json-file';
import type { ProjectConfig, ProjectRemote } from './types';

const CONFIG_FILE = 'config.json';

/** Keys of `.mc/config.json` mcsync reads as typed fields, in the order the Python tool writes them. */
const KNOWN_KEYS = [
  'remote',
  'project_id',
  'project_uuid',
  'experiment_id',
  'experiment_uuid',
  'remote_updatetime',
  'globus_upload_id',
  'globus_download_id',
] as const;
const LEGACY_KEYS = ['remote_url'] as const;

/** Absolute path of a project's `.mc/config.json`. */
export function projectConfigPath(projectRoot: string): string {
  return path.join(projectRoot, MC_DIR, CONFIG_FILE);
}

/**
 * The project root for `startDir`: the nearest directory, `startDir` itself or an ancestor, that
 * contains a `.mc/` directory (the Python tool's rule); null when there is none.
 */
export function findProjectRoot(startDir: string): string | null {
  let dir = path.resolve(startDir);
  for (;;) {
    if (isDirectory(path.join(dir, MC_DIR))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** A config with every field null, as the Python tool reads a folder without `.mc/config.json`. */
export function emptyProjectConfig(): ProjectConfig {
  return {
    remote: null,
    project_id: null,
    project_uuid: null,
    experiment_id: null,
    experiment_uuid: null,
    remote_updatetime: null,
    globus_upload_id: null,
    globus_download_id: null,
    remote_url: null,
    other: {},
  };
}

/**
 * Reads `.mc/config.json` of the project at `projectRoot`. A missing file or key reads as null;
 * keys mcsync does not know land in `other`. Throws McError CONFIG for a file that is not JSON
 * or has a known key of the wrong type.
 */
export function readProjectConfig(projectRoot: string): ProjectConfig {
  const file = projectConfigPath(projectRoot);
  const read = readJsonObject(file, `fix ${file}, or move it away and run \`mc clone\` again`);
  return read.exists ? projectConfigFromJson(read.data, file) : emptyProjectConfig();
}

function projectConfigFromJson(data: Record<string, unknown>, file: string): ProjectConfig {
  const field = new FieldReader(data, file);
  const other: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key) && !(LEGACY_KEYS as readonly string[]).includes(key)) other[key] = value;
  }
  return {
    remote: field.remote('remote'),
    project_id: field.number('project_id'),
    project_uuid: field.string('project_uuid'),
    experiment_id: field.number('experiment_id'),
    experiment_uuid: field.string('experiment_uuid'),
    remote_updatetime: field.number('remote_updatetime'),
    globus_upload_id: field.number('globus_upload_id'),
    globus_download_id: field.number('globus_download_id'),
    remote_url: field.string('remote_url'),
    other,
  };
}

/**
 * Writes `.mc/config.json` (creating `.mc/` if needed): compact JSON, the Python tool's keys first,
 * then every other key as it was read. `remote_url` (legacy) is written only while it is set.
 * Atomic; a new file gets mode 0600, an existing one keeps its mode.
 */
export function writeProjectConfig(projectRoot: string, config: ProjectConfig): void {
  const file = projectConfigPath(projectRoot);
  writeFileAtomic(file, serializeProjectConfig(config));
}

/** The exact text `writeProjectConfig` writes. */
export function serializeProjectConfig(config: ProjectConfig): string {
  const out: Record<string, unknown> = {};
  for (const key of KNOWN_KEYS) {
    const value = config[key];
    out[key] = key === 'remote' && value !== null ? { mcurl: (value as ProjectRemote).mcurl, email: (value as ProjectRemote).email } : value;
  }
  if (config.remote_url !== null) out.remote_url = config.remote_url;
  for (const [key, value] of Object.entries(config.other)) {
    if (!(key in out)) out[key] = value;
  }
  return JSON.stringify(out);
}

/** Typed access to the known keys; a wrong type is a CONFIG error naming the key. */
class FieldReader {
  constructor(
    private readonly data: Record<string, unknown>,
    private readonly file: string,
  ) {}

  number(key: string): number | null {
    const v = this.data[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.wrongType(key, 'a number');
    return v;
  }

  string(key: string): string | null {
    const v = this.data[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw this.wrongType(key, 'a string');
    return v;
  }

  remote(key: string): ProjectRemote | null {
    const v = this.data[key];
    if (v === undefined || v === null) return null;
    if (!isPlainObject(v) || typeof v.mcurl !== 'string' || typeof v.email !== 'string') {
      throw this.wrongType(key, 'an object {"mcurl": URL, "email": EMAIL}');
    }
    return { mcurl: v.mcurl, email: v.email };
  }

  private wrongType(key: string, expected: string): McError {
    return new McError('CONFIG', `${this.file}: "${key}" should be ${expected}, found ${JSON.stringify(this.data[key])}`, {
      hint: `fix "${key}" in ${this.file}`,
    });
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
