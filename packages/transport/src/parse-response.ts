import { McError } from '@mcsync/core';

/** The part of a zod schema used here (zod itself is protocol's dependency, not ours). */
export interface Schema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/**
 * Validates an answer against its protocol schema once, at the edge. The error names the field
 * that did not fit, never its value (bodies can carry secrets, Q9).
 */
export function parseResponse<T>(schema: Schema<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new McError('SERVER', `unexpected answer from ${what}${where}: ${issue?.message ?? 'invalid'}`, {
    hint: 'the server does not follow the Materials Commons API; check the remote URL',
  });
}
