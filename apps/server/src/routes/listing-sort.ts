import { LISTING_SORTS, type ListingSort } from '../db/rows.js';
import { Refusal } from '../errors.js';

/**
 * The `sort` query of directory listings, checked like production's query builder: a comma-separated
 * list of `name`, `path`, `-name`, `-path` (the first one orders the result); anything else is a 400.
 */
export function listingSort<F extends ListingSort | 'id'>(query: unknown, fallback: F): ListingSort | F {
  const sort = (query as Record<string, unknown>).sort;
  if (typeof sort !== 'string' || sort.trim() === '') return fallback;
  const requested = sort.split(',').map((item) => item.trim());
  const unknown = requested.filter((item) => !(LISTING_SORTS as readonly string[]).includes(item));
  if (unknown.length > 0) {
    throw new Refusal(
      400,
      `Requested sort(s) \`${unknown.join(', ')}\` is not allowed. Allowed sort(s) are \`name, path\`.`,
    );
  }
  return requested[0] as ListingSort;
}
