import type { ServerContext } from './context.js';
import type { RowRecord } from './db/rows.js';
import { PreconditionFailed, ValidationFailed } from './errors.js';
import type { RequestInput } from './request-input.js';
import { laravelMessage } from './validation.js';

/**
 * `if_current_id` of a request (sync-api.md `preconditions`): the id of the current version the
 * client last saw at the target path, 0 for "no file there". Only the enhanced profile honours it;
 * stock ignores the field, as production would. A value that is not a non-negative integer is a 422.
 */
export function ifCurrentIdOf(ctx: ServerContext, input: RequestInput): number | undefined {
  if (ctx.profile !== 'enhanced') return undefined;
  const value = input.get('if_current_id');
  if (value === null || value === undefined) return undefined;
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new ValidationFailed({ if_current_id: [laravelMessage('if_current_id', 'integer')] });
  }
  return id;
}

/** Refuses (409) unless `current` is the version the client expects; no expectation, no check. */
export function requireCurrent(expected: number | undefined, current: RowRecord | undefined, path: () => string): void {
  if (expected === undefined) return;
  const actual = current?.id ?? 0;
  if (actual !== expected) throw new PreconditionFailed(path(), expected, actual);
}
