// How much a reviewer-chosen access token would cost to guess. The token is all that keeps the dump
// from anyone on the network, so a short or repetitive one is refused before the server listens.

/** NIST's bar for a shared secret a machine checks (SP 800-63B §5.1.2 asks 112 bits; we ask a round 128). */
export const MIN_TOKEN_BITS = 128;

/** Common alphabets, smallest first: a token is counted as drawn from the first that holds it. */
const ALPHABETS: [RegExp, number][] = [
  [/^[0-9]+$/, 10],
  [/^[0-9a-f]+$/, 16],
  [/^[0-9A-F]+$/, 16],
  [/^[a-z]+$/, 26],
  [/^[A-Z]+$/, 26],
  [/^[0-9a-z]+$/, 36],
  [/^[0-9A-Z]+$/, 36],
  [/^[A-Za-z]+$/, 52],
  [/^[A-Za-z0-9]+$/, 62],
  [/^[A-Za-z0-9_-]+$/, 64],
  [/^[A-Za-z0-9+/=]+$/, 65],
  [/^[\x21-\x7e]+$/, 94],
];

/**
 * An estimate of a token's entropy in bits: the smaller of (length × log2 of its alphabet) and
 * (length × the Shannon entropy of its own characters). The first catches short tokens and small
 * alphabets, the second repetition ("aaaa…", "passwordpassword"). It is an upper bound for chosen
 * words (a passphrase counts its letters, not its words) and cannot see a long pattern such as the
 * alphabet typed twice: it refuses weak tokens, it does not prove a strong one.
 */
export function estimateTokenBits(token: string): number {
  const chars = [...token];
  if (!chars.length) return 0;
  const alphabet = ALPHABETS.find(([re]) => re.test(token))?.[1] ?? Math.max(94, new Set(chars).size);
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let perChar = 0;
  for (const n of counts.values()) perChar -= (n / chars.length) * Math.log2(n / chars.length);
  return Math.min(chars.length * Math.log2(alphabet), chars.length * perChar);
}

/** Why a token must be refused, in a sentence that says what to do instead; null when it is strong enough. */
export function tokenProblem(token: string): string | null {
  const bits = Math.floor(estimateTokenBits(token));
  if (bits >= MIN_TOKEN_BITS) return null;
  const what = token === '' ? 'the access token is empty' : `the access token has about ${bits} bits of entropy`;
  return (
    `${what}; at least ${MIN_TOKEN_BITS} are needed, or anyone who can reach the server could guess it. ` +
    'Leave --token out to have a strong one generated, or make one with: openssl rand -base64 32'
  );
}
