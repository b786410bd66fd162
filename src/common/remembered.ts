// Results of pure lookups that recur across an archive (a key record, a host, an address line), kept
// by their argument up to a bound: all are forgotten at once when it is reached, so memory stays
// bounded whatever the archive holds. Every stage may use it (it imports nothing of ours).

/** `compute`, remembered for up to `limit` distinct arguments at a time. Only for a pure function. */
export function remembered<T>(limit: number, compute: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      if (known.size >= limit) known.clear();
      known.set(key, value);
    }
    return value;
  };
}
