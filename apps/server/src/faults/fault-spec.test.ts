import { describe, expect, it } from 'vitest';
import { FaultSpecError, parseFaultSpec } from './fault-spec.js';

describe('parseFaultSpec', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['tus-patch:corrupt', [{ family: 'tus-patch', action: { kind: 'corrupt', atByte: 0 }, probability: 1 }]],
    ['download:corrupt=100', [{ family: 'download', action: { kind: 'corrupt', atByte: 100 }, probability: 1 }]],
    ['download:reset', [{ family: 'download', action: { kind: 'reset' }, probability: 1 }]],
    ['tus-patch:reset=4096@0.5', [{ family: 'tus-patch', action: { kind: 'reset', afterBytes: 4096 }, probability: 0.5 }]],
    ['*:latency=250', [{ family: '*', action: { kind: 'latency', ms: 250 }, probability: 1 }]],
    ['listing:5xx@.25#3', [{ family: 'listing', action: { kind: 'status', statuses: [500, 502, 503, 504] }, probability: 0.25, limit: 3 }]],
    ['upload:status=503#1', [{ family: 'upload', action: { kind: 'status', statuses: [503] }, probability: 1, limit: 1 }]],
    ['bulk:status=429@1', [{ family: 'bulk', action: { kind: 'status', statuses: [429] }, probability: 1 }]],
    ['tus:latency=0@0', [{ family: 'tus', action: { kind: 'latency', ms: 0 }, probability: 0 }]],
    ['download:truncate', [{ family: 'download', action: { kind: 'truncate' }, probability: 1 }]],
    ['listing:truncate=10#2', [{ family: 'listing', action: { kind: 'truncate', afterBytes: 10 }, probability: 1, limit: 2 }]],
    ['download:slow=65536@0.5', [{ family: 'download', action: { kind: 'slow', bytesPerSecond: 65536 }, probability: 0.5 }]],
    ['upload:enospc#1', [{ family: 'upload', action: { kind: 'enospc' }, probability: 1, limit: 1 }]],
  ] as const)('%j', (spec, rules) => {
    expect(parseFaultSpec(spec).map(({ text: _text, ...rule }) => rule)).toEqual(rules);
  });

  it('reads several rules, blanks around them ignored, and keeps each as written', () => {
    const rules = parseFaultSpec(' tus-patch:corrupt@0.1 , download:reset=10,*:latency=5 ');
    expect(rules.map((rule) => rule.text)).toEqual(['tus-patch:corrupt@0.1', 'download:reset=10', '*:latency=5']);
  });

  it.each([
    ['tus-patch', /expected FAMILY:KIND/],
    ['nope:corrupt', /unknown family "nope"/],
    ['tus:explode', /unknown kind "explode"/],
    ['tus:latency', /latency needs =ARG/],
    ['tus:latency=abc', /expected milliseconds/],
    ['tus:latency=600001', /at most 600000/],
    ['tus:5xx=3', /5xx takes no argument/],
    ['tus:status=200', /from 400 to 599/],
    ['tus:status', /status needs =ARG/],
    ['tus:reset=-1', /expected a byte count/],
    ['tus:corrupt@1.5', /probability "1.5"/],
    ['tus:corrupt@abc', /probability/],
    ['tus:corrupt#0', /count "0"/],
    ['tus:corrupt,', /empty rule/],
    ['tus:corrupt,,download:reset', /empty rule/],
    ['download:slow', /slow needs =ARG/],
    ['download:slow=0', /at least 1 byte per second/],
    ['upload:enospc=1', /enospc takes no argument/],
    ['download:truncate=x', /expected a byte count/],
  ])('refuses %j', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });
});
