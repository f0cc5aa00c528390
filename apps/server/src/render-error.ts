import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpError } from './errors.js';

/**
 * Laravel's `expectsJson()`: the most preferred `Accept` type mentions JSON, or an XHR that accepts
 * anything. Production's error format depends on it (Q11).
 */
export function expectsJson(req: FastifyRequest): boolean {
  const accepted = acceptedTypes(req.headers.accept);
  const first = accepted[0];
  if (first !== undefined && (first.includes('/json') || first.includes('+json'))) return true;
  const ajax = req.headers['x-requested-with'] === 'XMLHttpRequest' && !req.headers['x-pjax'];
  const acceptsAnything = first === undefined || first === '*/*' || first === '*';
  return ajax && acceptsAnything;
}

function acceptedTypes(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((item, index) => {
      const [type = '', ...params] = item.split(';').map((part) => part.trim());
      const q = params.find((param) => /^q=/i.test(param));
      return { type: type.toLowerCase(), quality: q ? Number(q.slice(2)) || 0 : 1, index };
    })
    .filter((item) => item.type !== '')
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
    .map((item) => item.type);
}

/**
 * Sends an error as production does. With `Accept: application/json`: the JSON body of mc-api.md §1.6.
 * Without it (Q11): a failed login check redirects to the web login page, a failed validation
 * redirects back, and every other error is an HTML page.
 */
export function sendError(req: FastifyRequest, reply: FastifyReply, error: HttpError): FastifyReply {
  if (expectsJson(req)) return reply.code(error.status).type('application/json; charset=utf-8').send(error.body());
  const origin = `${req.protocol}://${req.host}`;
  if (error.status === 401) return redirect(reply, `${origin}/login`);
  if (error.status === 422) return redirect(reply, req.headers.referer ?? `${origin}/`);
  return reply
    .code(error.status)
    .type('text/html; charset=UTF-8')
    .send(`<!DOCTYPE html>\n<html><head><title>${error.status}</title></head><body>${escapeHtml(error.message)}</body></html>\n`);
}

function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply
    .code(302)
    .header('location', location)
    .type('text/html; charset=UTF-8')
    .send(`<!DOCTYPE html>\n<html><head><meta http-equiv="refresh" content="0;url='${escapeHtml(location)}'" /><title>Redirecting to ${escapeHtml(location)}</title></head><body>Redirecting to ${escapeHtml(location)}.</body></html>\n`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
