/**
 * A small seeded PRNG (mulberry32: a 32-bit state advanced by a Weyl constant and mixed with
 * multiply-xorshift rounds). Fault injection must repeat exactly for a given `--seed`, which
 * `Math.random` cannot do; statistical quality beyond "looks uniform" does not matter here.
 * Returns numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
