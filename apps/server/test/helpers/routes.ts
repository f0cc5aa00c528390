import type { FastifyInstance } from 'fastify';

/**
 * Every route a running server answers, as `METHOD /path` with each parameter written `:id`
 * (`GET /api/projects/:id/files/:id/download`), read from fastify's own route tree
 * (`printRoutes`), so a route added anywhere shows up here without anyone listing it. HEAD routes
 * are included, those fastify adds beside GET routes too.
 */
export function registeredRoutes(app: FastifyInstance): string[] {
  const routes = new Set<string>();
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    // Sibling parameters share one node (`:file(^\d+)|:directory_id(^\d+)`): the same URL shape.
    const segment = match[2]!.replace(/:\w+\([^)]*\)/g, ':id').split('|', 1)[0]!;
    prefixes.length = depth;
    const path = `${prefixes.join('')}${segment}`;
    prefixes.push(segment);
    for (const method of match[3]?.split(', ') ?? []) routes.add(`${method} ${path}`);
  }
  return [...routes].sort();
}
