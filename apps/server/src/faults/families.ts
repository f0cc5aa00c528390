/**
 * Endpoint families a fault rule can target (`FAMILY:` in the SPEC). A request belongs to `*`, to
 * its family and, for tus, to the general `tus` family as well, so `tus:` rules hit every tus request
 * and `tus-patch:` rules only the PATCHes.
 */
export const FAULT_FAMILIES = ['*', 'tus', 'tus-create', 'tus-patch', 'upload', 'download', 'listing', 'bulk'] as const;
export type FaultFamily = (typeof FAULT_FAMILIES)[number];

export function isFaultFamily(name: string): name is FaultFamily {
  return (FAULT_FAMILIES as readonly string[]).includes(name);
}

const N = '\\d+';
/** REST routes (under `/api`) by family; anything else is only in `*`. */
const API_ROUTES: ReadonlyArray<readonly [FaultFamily, string, RegExp]> = [
  ['download', 'GET', new RegExp(`^/projects/${N}/files/${N}/download$`)],
  ['upload', 'POST', new RegExp(`^/projects/${N}/files/${N}/upload(/[^/]+)?$`)],
  ['upload', 'POST', new RegExp(`^/projects/${N}/files/upload-to-path$`)],
  ['upload', 'POST', /^\/files$/],
  ['bulk', 'POST', new RegExp(`^/projects/${N}/files/(bulk-upload|bulk-download|by-checksum)$`)],
  ['listing', 'GET', new RegExp(`^/projects/${N}/(directories(/${N}(/list)?)?|directories_by_path|file-changes-since|tree|changes)$`)],
  ['listing', 'POST', new RegExp(`^/projects/(${N}/)?files/matching$`)],
  ['listing', 'POST', /^\/files\/by_path$/],
];

/** The families of one request, from its method and URL (query ignored). */
export function familiesOf(method: string, url: string): Set<FaultFamily> {
  const path = url.split('?', 1)[0]!;
  const families = new Set<FaultFamily>(['*']);
  if (path === '/files' || path.startsWith('/files/')) {
    families.add('tus');
    if (method === 'PATCH') families.add('tus-patch');
    if (method === 'POST') families.add('tus-create');
    return families;
  }
  if (!path.startsWith('/api/')) return families;
  const apiPath = path.slice('/api'.length);
  for (const [family, routeMethod, pattern] of API_ROUTES) {
    if (method === routeMethod && pattern.test(apiPath)) families.add(family);
  }
  return families;
}
