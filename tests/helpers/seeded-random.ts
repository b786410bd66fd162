// Deterministic pseudo-random numbers for tests that generate their inputs: the same inputs on every run.

/** mulberry32: numbers in [0, 1) from a 32-bit seed. */
export function randomFrom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whole numbers in [0, n) from a 32-bit seed (randomFrom's numbers, scaled). */
export function integersFrom(seed: number): (n: number) => number {
  const random = randomFrom(seed);
  return (n) => Math.floor(random() * n);
}

/**
 * `count` strings, each of up to `maxPieces - 1` of `pieces` in a seeded order: the inputs of the
 * tests that check a scanner against the expression it replaced, the same on every run.
 */
export function stringsFrom(seed: number, pieces: readonly string[], count: number, maxPieces: number): string[] {
  const next = integersFrom(seed);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let s = '';
    for (let n = next(maxPieces); n > 0; n--) s += pieces[next(pieces.length)];
    out.push(s);
  }
  return out;
}
