/**
 * Production's name rule for `POST /directories` and renames (mc-api.md §5.6): PHP's `\w` is ASCII-only.
 * Uploads and the by-path routes do not apply it.
 */
const NAME_RULE = /^\.?[A-Za-z0-9_() -]+(\.[A-Za-z0-9_() -]+)*$/;

export const MAX_RULED_NAME_LENGTH = 80;

export function passesNameRule(name: string): boolean {
  return name.length <= MAX_RULED_NAME_LENGTH && NAME_RULE.test(name);
}
