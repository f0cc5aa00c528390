import { describe, expect, it } from 'vitest';
import { exitCodeFor } from './exit-codes';

describe('exitCodeFor (an error that stopped the whole command)', () => {
  it.each([
    ['USAGE', 2], ['CONFIG', 2], ['AUTH', 2], ['LOCKED', 2], ['NOT_FOUND', 2],
    ['NETWORK', 2], ['SERVER', 2], ['LOCAL_IO', 2],
    ['ABORTED', 130], ['CONFLICT', 3], ['INTERNAL', 1],
  ] as const)('%s → %i', (code, exit) => expect(exitCodeFor(code)).toBe(exit));
});
