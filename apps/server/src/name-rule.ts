import type { InputCheck } from './validation.js';

/**
 * Production's name rule for `POST /directories` and renames (mc-api.md §5.6): PHP's `\w` is ASCII-only.
 * Uploads and the by-path routes do not apply it.
 */
const NAME_RULE = /^\.?[A-Za-z0-9_() -]+(\.[A-Za-z0-9_() -]+)*$/;

export const MAX_RULED_NAME_LENGTH = 80;

export function passesNameRule(name: string): boolean {
  return name.length <= MAX_RULED_NAME_LENGTH && NAME_RULE.test(name);
}

/** Production's 422 `Invalid file name: <name>`, recorded on `check` when a name that passed the other checks breaks the rule. */
export function checkNameRule(check: InputCheck, field: string, name: string): void {
  if (check.ok(field) && !passesNameRule(name)) check.reject(field, `Invalid file name: ${name}`);
}
