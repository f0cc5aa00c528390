import { z } from 'zod';

/** `{"data": …}`: single resources and unpaginated collections (mc-api.md §1.4). */
export function dataEnvelope<T extends z.ZodType>(inner: T) {
  return z.object({ data: inner });
}

/** Laravel's bare paginator (mc-api.md §2.5); only these fields are used. */
export function paginator<T extends z.ZodType>(item: T) {
  return z.object({
    current_page: z.number().int(),
    last_page: z.number().int(),
    per_page: z.number().int(),
    total: z.number().int(),
    data: z.array(item),
  });
}

/**
 * What to show of an error body (mc-api.md §1.6): `message`, else a string `data`, else null.
 * Never returns more than the first 200 characters.
 */
export function errorBodyMessage(body: unknown): string | null {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.message === 'string' && b.message !== '') return b.message.slice(0, 200);
    if (typeof b.data === 'string') return b.data.slice(0, 200);
  }
  return null;
}
