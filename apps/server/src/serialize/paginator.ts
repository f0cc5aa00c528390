import type { FastifyRequest } from 'fastify';
import { pathOf } from '../access-log.js';

/** `page[number]` and `page[size]` (mc-api.md §1.8). */
export interface Page {
  number: number;
  size: number;
}

export const MAX_PAGE_SIZE = 500;
const ON_EACH_SIDE = 3;

/**
 * Paging parameters as production reads them: `page[number]` 1-based (missing, invalid or < 1 → 1),
 * `page[size]` default and maximum 500 (≤ 0 → 500, more → 500). Brackets may be percent-encoded.
 */
export function pageOf(query: unknown): Page {
  const values = query as Record<string, unknown>;
  const nested = typeof values.page === 'object' && values.page !== null ? (values.page as Record<string, unknown>) : {};
  const number = positiveInteger(values['page[number]'] ?? nested.number);
  const size = positiveInteger(values['page[size]'] ?? nested.size);
  return { number: number ?? 1, size: size === null ? MAX_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE) };
}

function positiveInteger(value: unknown): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text)) return null;
  const number = Number(text);
  return Number.isSafeInteger(number) && number >= 1 ? number : null;
}

/**
 * Laravel's length-aware paginator as production sends it bare (mc-api.md §2.5): page URLs repeat
 * the request's other query parameters, except a query token, which is never echoed.
 */
export function paginatorJson(req: FastifyRequest, page: Page, total: number, data: unknown[]): Record<string, unknown> {
  const path = `${req.protocol}://${req.headers.host ?? 'localhost'}${pathOf(req)}`;
  const others = new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');
  others.delete('page[number]');
  others.delete('api_token');
  const urlOf = (number: number) => {
    const query = new URLSearchParams(others);
    query.append('page[number]', String(number));
    return `${path}?${query.toString()}`;
  };
  const lastPage = Math.max(Math.ceil(total / page.size), 1);
  const from = (page.number - 1) * page.size + 1;
  const hasItems = data.length > 0;
  const prev = page.number > 1 ? urlOf(page.number - 1) : null;
  const next = page.number < lastPage ? urlOf(page.number + 1) : null;
  const links = [
    { url: prev, label: '&laquo; Previous', active: false },
    ...pageWindow(page.number, lastPage).map((number) =>
      number === null ? { url: null, label: '...', active: false } : { url: urlOf(number), label: String(number), active: number === page.number },
    ),
    { url: next, label: 'Next &raquo;', active: false },
  ];
  return {
    current_page: page.number,
    data,
    first_page_url: urlOf(1),
    from: hasItems ? from : null,
    last_page: lastPage,
    last_page_url: urlOf(lastPage),
    links,
    next_page_url: next,
    path,
    per_page: page.size,
    prev_page_url: prev,
    to: hasItems ? from + data.length - 1 : null,
    total,
  };
}

/** Laravel's UrlWindow: every page when there are few, else both ends and a slider, `null` for "...". */
function pageWindow(current: number, last: number): Array<number | null> {
  const range = (from: number, to: number) => Array.from({ length: Math.max(to - from + 1, 0) }, (_, i) => from + i);
  if (last < ON_EACH_SIDE * 2 + 8) return range(1, last);
  const window = ON_EACH_SIDE + 4;
  const start = range(1, 2);
  const finish = range(last - 1, last);
  if (current <= window) return [...range(1, window + ON_EACH_SIDE), null, ...finish];
  if (current > last - window) return [...start, null, ...range(last - (window + (ON_EACH_SIDE - 1)), last)];
  return [...start, null, ...range(current - ON_EACH_SIDE, current + ON_EACH_SIDE), null, ...finish];
}
