import type { FastifyRequest } from 'fastify';

/** Multipart text fields by name, every value in arrival order. */
export type FormFields = Map<string, string[]>;

// Laravel's TrimStrings middleware leaves these alone.
const UNTRIMMED = new Set(['password', 'password_confirmation', 'current_password']);

/**
 * Request parameters as Laravel's `$request->input()` sees them: body fields (JSON, form or multipart)
 * over query fields; strings trimmed and `""` turned into null (production's TrimStrings and
 * ConvertEmptyStringsToNull middleware), so `"name": " a "` is `a` and `"path": ""` is missing.
 */
export class RequestInput {
  private constructor(private readonly values: Record<string, unknown>) {}

  static of(req: FastifyRequest, fields?: FormFields): RequestInput {
    const values: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
    const body = req.body;
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) Object.assign(values, body);
    if (fields) {
      for (const [name, list] of fields) values[name] = list.length === 1 ? list[0] : list;
    }
    return new RequestInput(values);
  }

  get(name: string): unknown {
    const value = this.values[name];
    if (typeof value !== 'string' || UNTRIMMED.has(name)) return value;
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  }
}
