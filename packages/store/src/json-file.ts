import fs from 'node:fs';
import { McError } from '@mcsync/core';

export type JsonFile =
  | { exists: false }
  | {
      exists: true;
      data: Record<string, unknown>;
      /** Permission bits of the file (e.g. 0o600). */
      mode: number;
    };

/**
 * Reads a config file that must hold one JSON object. A missing file is `{exists: false}`; a file
 * that is not a JSON object is McError CONFIG with `hint`; an unreadable one is LOCAL_IO.
 */
export function readJsonObject(file: string, hint: string): JsonFile {
  let text: string;
  let mode: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mode = fs.statSync(file).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw new McError('LOCAL_IO', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new McError('CONFIG', `${file} is not valid JSON (${(err as Error).message})`, { hint, cause: err });
  }
  if (!isPlainObject(data)) throw new McError('CONFIG', `${file} should hold a JSON object`, { hint });
  return { exists: true, data, mode };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
