// Binary search over a sorted list: where the entries that pass a test begin.

/**
 * The first index in [0, length) at which `past(i)` holds, or `length` if it holds nowhere. `past`
 * must be false up to some index and true from there on (a sorted list, a threshold).
 */
export function firstIndex(length: number, past: (i: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
