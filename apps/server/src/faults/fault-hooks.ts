import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { familiesOf } from './families.js';
import type { FaultPlan } from './fault-plan.js';
import { tapResponse } from './response-tap.js';

/** What an injected status says: production's bodies where it has them (mc-api.md §1.6, §1.9). */
const MESSAGES: Record<number, string> = {
  429: 'Too Many Attempts.',
  500: 'Server Error',
  503: 'Service Unavailable',
};

/** Seconds a client is told to wait on an injected 429 or 503. */
export const INJECTED_RETRY_AFTER_SECONDS = 1;

/**
 * Fault injection as one `onRequest` hook at the root, so it runs before routing work, parsing and
 * authentication: latency first, then an injected status (the request goes no further), then body
 * faults. `reset` and `corrupt` act on the request body of tus requests that carry one (the tus
 * routes read their bodies themselves and ask the plan, see routes/tus.ts) and on the response body
 * of every other request; `truncate` and `slow` on every response body; `enospc` where a request's
 * bytes are stored (the blob store and the tus partial files ask the plan).
 */
export function registerFaults(app: FastifyInstance, plan: FaultPlan): void {
  if (!plan.active) return;
  app.addHook('onRequest', async (req, reply) => {
    const families = familiesOf(req.method, req.url);
    const decision = plan.decide(req.raw, families);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.status !== undefined) return sendInjectedStatus(req, reply, decision.status, families.has('tus'));
    const body = decision.body;
    // reset and corrupt of a tus request that carries a body act on that body (routes/tus.ts);
    // truncate and slow always act on the response; enospc acts where the bytes are stored.
    const onRequestBody = families.has('tus') && carriesBody(req);
    const responseFaults = {
      ...(!onRequestBody && { resetAfter: body.resetAfter, corruptAt: body.corruptAt }),
      truncateAfter: body.truncateAfter,
      bytesPerSecond: body.bytesPerSecond,
    };
    if (Object.values(responseFaults).every((value) => value === undefined)) return;
    tapResponse(reply.raw, responseFaults);
  });
}

function carriesBody(req: FastifyRequest): boolean {
  const length = Number(req.headers['content-length'] ?? 0);
  return length > 0 || req.headers['transfer-encoding'] !== undefined;
}

function sendInjectedStatus(req: FastifyRequest, reply: FastifyReply, status: number, tus: boolean): FastifyReply {
  if (status === 429 || status === 503) reply.header('retry-after', String(INJECTED_RETRY_AFTER_SECONDS));
  const message = MESSAGES[status] ?? `Injected fault ${status}`;
  // The body is not read: close the connection so a half-sent upload does not confuse the next request.
  if (carriesBody(req)) reply.header('connection', 'close');
  if (tus) {
    return reply.code(status).header('tus-resumable', '1.0.0').type('text/plain; charset=utf-8').send(`ERR_INJECTED_FAULT: ${message}\n`);
  }
  return reply.code(status).type('application/json; charset=utf-8').send({ message });
}
