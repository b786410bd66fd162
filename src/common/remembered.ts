// Results of pure lookups that recur across an archive (a key record, a host, an address line), kept
// by their argument up to a bound: all are forgotten at once when it is reached, so memory stays
// bounded whatever the archive holds. Every stage may use it (it imports nothing of ours).
//
// The bound counts characters as well as arguments. Counted by arguments alone, it let a hostile
// archive fill an analysis thread: the fuzzer's To lines of up to 16,000 addresses (up to about
// 400 KB each) stayed remembered with their parsed addresses, and each of three workers' heaps held
// 68-82 MB more after a full collection at the end of `npm run fuzz -- --workers 3 --scale 2` than
// at its start (19 MB). A dump of 10,000 such lines would have filled every worker.

/** Characters of arguments remembered at a time by default: 1 MiB of one-byte text. */
export const REMEMBERED_CHARS = 1 << 20;

/**
 * An argument longer than this share of the bound is computed every time and never kept: a line
 * that long is a one-off (or hostile), and one alone would take most of the bound.
 */
const LONGEST_SHARE = 64;

/**
 * `compute`, remembered for up to `limit` distinct arguments of up to `maxChars` characters in all
 * at a time; an argument over `maxChars / LONGEST_SHARE` characters is not kept. Only for a pure function.
 */
export function remembered<T>(limit: number, compute: (key: string) => T, maxChars = REMEMBERED_CHARS): (key: string) => T {
  const known = new Map<string, T>();
  const longest = Math.floor(maxChars / LONGEST_SHARE);
  let chars = 0;
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      if (key.length > longest) return value;
      if (known.size >= limit || chars + key.length > maxChars) {
        known.clear();
        chars = 0;
      }
      known.set(key, value);
      chars += key.length;
    }
    return value;
  };
}
