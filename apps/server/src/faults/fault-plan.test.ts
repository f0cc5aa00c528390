import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FaultPlan } from './fault-plan.js';
import { parseFaultSpec } from './fault-spec.js';
import { seededRandom } from './seeded-random.js';

const request = () => ({}) as IncomingMessage;
const fires = (plan: FaultPlan, times: number) =>
  Array.from({ length: times }, () => plan.decide(request(), new Set(['*', 'download'])).status !== undefined);

describe('seededRandom', () => {
  it('repeats for a seed, differs between seeds, stays in [0, 1)', () => {
    const a = Array.from({ length: 5 }, seededRandom(42));
    expect(Array.from({ length: 5 }, seededRandom(42))).toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(a);
    const many = Array.from({ length: 10_000 }, seededRandom(7));
    expect(Math.min(...many)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...many)).toBeLessThan(1);
    const mean = many.reduce((sum, x) => sum + x, 0) / many.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('FaultPlan', () => {
  it('fires the same requests for the same seed, about as often as the probability says', () => {
    const spec = parseFaultSpec('download:5xx@0.3');
    const first = fires(new FaultPlan(spec, 9), 1000);
    expect(fires(new FaultPlan(spec, 9), 1000)).toEqual(first);
    expect(fires(new FaultPlan(spec, 10), 1000)).not.toEqual(first);
    const count = first.filter(Boolean).length;
    expect(count).toBeGreaterThan(240);
    expect(count).toBeLessThan(360);
  });

  it('keeps each rule on its own stream: adding a rule does not move when another fires', () => {
    const alone = fires(new FaultPlan(parseFaultSpec('download:status=500@0.5'), 3), 200);
    const withOther = fires(new FaultPlan(parseFaultSpec('download:status=500@0.5,listing:latency=1@0.5'), 3), 200);
    expect(withOther).toEqual(alone);
  });

  it('stops a rule after COUNT firings and ignores requests of other families', () => {
    const plan = new FaultPlan(parseFaultSpec('download:status=503#2'), 1);
    expect(fires(plan, 4)).toEqual([true, true, false, false]);
    const other = new FaultPlan(parseFaultSpec('upload:status=503'), 1);
    expect(fires(other, 2)).toEqual([false, false]);
  });

  it('adds up latencies and remembers body faults per request', () => {
    const plan = new FaultPlan(parseFaultSpec('*:latency=10,download:latency=5,download:reset=7,download:corrupt=3'), 1);
    const req = request();
    expect(plan.decide(req, new Set(['*', 'download']))).toEqual({ latencyMs: 15, body: { resetAfter: 7, corruptAt: 3 } });
    expect(plan.bodyFaultsOf(req)).toEqual({ resetAfter: 7, corruptAt: 3 });
    expect(plan.bodyFaultsOf(request())).toEqual({});
  });
});
