import { FAULT_FAMILIES, isFaultFamily, type FaultFamily } from './families.js';

/**
 * The `--faults SPEC` grammar (test-only fault injection), documented in README.md:
 *
 *   SPEC  = RULE *("," RULE)                 blanks around tokens are ignored; "" = no faults
 *   RULE  = FAMILY ":" KIND ["=" ARG] ["@" PROBABILITY] ["#" COUNT]
 *   PROBABILITY = decimal in [0, 1], default 1     COUNT = fire at most this many times
 *
 * Kinds are a table (KINDS below): a later fault is one more row and one more case where it acts.
 */

/** What a fired rule does to one request. */
export type FaultAction =
  | { kind: 'latency'; ms: number }
  /** Answer at once with one of `statuses` (several for `5xx`: drawn from the seeded PRNG). */
  | { kind: 'status'; statuses: readonly number[] }
  /** Destroy the connection after `afterBytes` body bytes (undefined: half the declared length). */
  | { kind: 'reset'; afterBytes?: number }
  /** Flip the bits of body byte `atByte` (default 0). */
  | { kind: 'corrupt'; atByte: number }
  /** End the response cleanly (FIN, no reset) after `afterBytes` body bytes (undefined: half the declared length). */
  | { kind: 'truncate'; afterBytes?: number }
  /** Send the response body at most `bytesPerSecond`. */
  | { kind: 'slow'; bytesPerSecond: number }
  /** The request's writes to the server's storage fail with ENOSPC (disk full). */
  | { kind: 'enospc' };

export interface FaultRule {
  family: FaultFamily;
  action: FaultAction;
  probability: number;
  /** Fire at most this many times; undefined = no limit. */
  limit?: number;
  /** The rule as written, for messages. */
  text: string;
}

/** A SPEC that does not parse; `mc-server start` turns it into a usage error (exit 2). */
export class FaultSpecError extends Error {
  readonly code = 'invalid-fault-spec';
}

type ArgRule = 'none' | 'optional' | 'required';

interface KindDefinition {
  arg: ArgRule;
  /** What ARG means, for error messages. */
  argHelp?: string;
  build(arg: number | undefined): FaultAction | string;
}

const MAX_LATENCY_MS = 600_000;
const FIVE_XX = [500, 502, 503, 504] as const;

const KINDS: Record<string, KindDefinition> = {
  latency: {
    arg: 'required',
    argHelp: `milliseconds, 0 to ${MAX_LATENCY_MS}`,
    build: (ms) => (ms! <= MAX_LATENCY_MS ? { kind: 'latency', ms: ms! } : `latency is at most ${MAX_LATENCY_MS} ms`),
  },
  '5xx': { arg: 'none', build: () => ({ kind: 'status', statuses: FIVE_XX }) },
  status: {
    arg: 'required',
    argHelp: 'an HTTP status from 400 to 599',
    build: (status) => (status! >= 400 && status! <= 599 ? { kind: 'status', statuses: [status!] } : 'status must be from 400 to 599'),
  },
  reset: { arg: 'optional', argHelp: 'a byte count', build: (bytes) => ({ kind: 'reset', ...(bytes !== undefined && { afterBytes: bytes }) }) },
  corrupt: { arg: 'optional', argHelp: 'a byte position', build: (at) => ({ kind: 'corrupt', atByte: at ?? 0 }) },
  truncate: { arg: 'optional', argHelp: 'a byte count', build: (bytes) => ({ kind: 'truncate', ...(bytes !== undefined && { afterBytes: bytes }) }) },
  slow: {
    arg: 'required',
    argHelp: 'bytes per second, at least 1',
    build: (rate) => (rate! >= 1 ? { kind: 'slow', bytesPerSecond: rate! } : 'slow needs at least 1 byte per second'),
  },
  enospc: { arg: 'none', build: () => ({ kind: 'enospc' }) },
};

export const FAULT_KINDS = Object.keys(KINDS);

const RULE = /^([^:]+):([^=@#]+)(?:=([^@#]*))?(?:@([^#]*))?(?:#(.*))?$/;

/** Parses a SPEC; throws FaultSpecError naming the first bad rule. */
export function parseFaultSpec(spec: string): FaultRule[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((text) => parseRule(text.trim()));
}

function parseRule(text: string): FaultRule {
  const fail = (why: string): never => {
    throw new FaultSpecError(`fault rule "${text}": ${why}`);
  };
  if (text === '') fail('empty rule (stray comma?)');
  const match = RULE.exec(text);
  if (!match) return fail('expected FAMILY:KIND[=ARG][@PROBABILITY][#COUNT]');
  const [, familyText = '', kindText = '', argText, probabilityText, countText] = match.map((part) => part?.trim());

  if (!isFaultFamily(familyText)) fail(`unknown family "${familyText}" (one of: ${FAULT_FAMILIES.join(', ')})`);
  const kind = KINDS[kindText];
  if (!kind) return fail(`unknown kind "${kindText}" (one of: ${FAULT_KINDS.join(', ')})`);

  let arg: number | undefined;
  if (argText !== undefined) {
    if (kind.arg === 'none') fail(`${kindText} takes no argument`);
    if (!/^\d{1,15}$/.test(argText)) fail(`${kindText}=${argText}: expected ${kind.argHelp}`);
    arg = Number(argText);
  } else if (kind.arg === 'required') {
    fail(`${kindText} needs =ARG (${kind.argHelp})`);
  }
  const action = kind.build(arg);
  if (typeof action === 'string') return fail(action);

  let probability = 1;
  if (probabilityText !== undefined) {
    probability = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(probabilityText) ? Number(probabilityText) : NaN;
    if (Number.isNaN(probability)) fail(`probability "${probabilityText}" must be a decimal from 0 to 1`);
  }
  let limit: number | undefined;
  if (countText !== undefined) {
    if (!/^[1-9]\d{0,8}$/.test(countText)) fail(`count "${countText}" must be a whole number of at least 1`);
    limit = Number(countText);
  }
  return { family: familyText as FaultFamily, action, probability, ...(limit !== undefined && { limit }), text };
}
