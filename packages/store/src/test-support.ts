import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { McError } from '@mcsync/core';

/** A fresh temporary folder, removed when the current test finishes. */
export function makeTempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcsync-store-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A temporary project folder: a directory with an empty `.mc/`. */
export function makeProject(): string {
  const root = makeTempDir();
  fs.mkdirSync(path.join(root, '.mc'));
  return root;
}

/** Runs `fn`, expecting an McError; returns it for further checks. */
export function catchMcError(fn: () => unknown): McError {
  try {
    fn();
  } catch (err) {
    if (err instanceof McError) return err;
    throw err;
  }
  throw new Error('expected an McError, but nothing was thrown');
}

export function fileMode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}
