import type { IncomingMessage } from 'node:http';
import type { FaultAction, FaultRule } from './fault-spec.js';
import type { FaultFamily } from './families.js';
import { seededRandom } from './seeded-random.js';

/** The body and storage faults one request carries, for whoever handles that body or writes its bytes. */
export interface BodyFaults {
  /** Destroy the connection after this many body bytes; 'half' = half the declared length. */
  resetAfter?: number | 'half';
  /** Flip this body byte. */
  corruptAt?: number;
  /** End the response cleanly after this many body bytes; 'half' = half the declared length. */
  truncateAfter?: number | 'half';
  /** Send the response body at most this fast. */
  bytesPerSecond?: number;
  /** Writes of this request's bytes to storage fail with ENOSPC. */
  enospc?: true;
}

/** What fired for one request. */
export interface FaultDecision {
  latencyMs: number;
  status?: number;
  body: BodyFaults;
}

/**
 * The faults of one server: the parsed rules and their seeded random streams. Each rule draws from
 * its own stream (seeded from the server seed and the rule's position), so adding a rule does not
 * change when the others fire; the same seed and the same sequence of requests fire the same faults.
 * Decisions are kept per request (weakly) so the route that reads a request body can apply them.
 */
export class FaultPlan {
  private readonly draws: Array<() => number>;
  private readonly fired: number[];
  private readonly decisions = new WeakMap<IncomingMessage, FaultDecision>();

  constructor(
    readonly rules: readonly FaultRule[],
    readonly seed: number,
  ) {
    this.draws = rules.map((_, index) => seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0));
    this.fired = rules.map(() => 0);
  }

  static none(): FaultPlan {
    return new FaultPlan([], 0);
  }

  get active(): boolean {
    return this.rules.length > 0;
  }

  /** Draws the rules that match `families` and records the decision for `req`. */
  decide(req: IncomingMessage, families: ReadonlySet<FaultFamily>): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, body: {} };
    this.rules.forEach((rule, index) => {
      if (!families.has(rule.family)) return;
      const draw = this.draws[index]!;
      // Always draw, even at probability 1, so a rule's stream advances once per matching request.
      const roll = draw();
      if (rule.limit !== undefined && this.fired[index]! >= rule.limit) return;
      if (roll >= rule.probability) return;
      this.fired[index]!++;
      apply(decision, rule.action, draw);
    });
    this.decisions.set(req, decision);
    return decision;
  }

  /** The body faults decided for `req` (none when no rule fired). */
  bodyFaultsOf(req: IncomingMessage): BodyFaults {
    return this.decisions.get(req)?.body ?? {};
  }
}

function apply(decision: FaultDecision, action: FaultAction, draw: () => number): void {
  switch (action.kind) {
    case 'latency':
      decision.latencyMs += action.ms;
      return;
    case 'status':
      decision.status ??= action.statuses[Math.floor(draw() * action.statuses.length)]!;
      return;
    case 'reset':
      decision.body.resetAfter = action.afterBytes ?? 'half';
      return;
    case 'corrupt':
      decision.body.corruptAt = action.atByte;
      return;
    case 'truncate':
      decision.body.truncateAfter = action.afterBytes ?? 'half';
      return;
    case 'slow':
      decision.body.bytesPerSecond = Math.min(decision.body.bytesPerSecond ?? Infinity, action.bytesPerSecond);
      return;
    case 'enospc':
      decision.body.enospc = true;
      return;
  }
}
