// Verifies every DKIM signature and the ARC chain of one message, offline against the key store, as
// of the message's own time. Two verifiers do the work: our own (dkim-own.ts) for well-formed
// signatures without ARC, mailauth (mailauth-adapter.ts) for the rest; this file holds the policy
// around them: which key answers a name, a second try with another key of the same selector, and
// the mapping of their outcomes into SignatureCheck.
import type { DkimResult, KeyRecord, ParsedMessage, SignatureCheck, SignatureProblem, Verification } from '../model.ts';
import { chooseAsOf } from './as-of.ts';
import { numericTag, readSignatureTags, signedHeaderList } from './dkim-tags.ts';
import type { SignatureTags } from './dkim-tags.ts';
import { keyMadeSignature, verifyHeaderSignature } from './header-signature.ts';
import { describeKey, KeyIndex } from './key-index.ts';
import { splitKeyName } from './key-files.ts';
import {
  countHeaderLines,
  countSignatureHeaders,
  MAX_MAILAUTH_HEADER_LINES,
  MAX_MAILAUTH_SIGNATURE_HEADERS,
  verifyWithMailauth,
} from './mailauth-adapter.ts';
import { verifyOwn } from './dkim-own.ts';
import type { KeyAnswer, SignatureOutcome, VerifierOutcome } from './verifier-outcome.ts';
import { NO_ARC } from './verifier-outcome.ts';
import { readHeaderList, splitHeaderSection } from '../parse/header-section.ts';
import type { MessageLayout } from '../parse/header-section.ts';

function readLayout(bytes: Buffer): MessageLayout {
  const split = splitHeaderSection(bytes);
  return { split, strayLines: readHeaderList(bytes, split).strayLines };
}
import { sameOrganisation } from '../common/org-domain.ts';
import { formatTime } from '../common/time.ts';

/**
 * Only the first this many DKIM signatures are evaluated. Forged mail can carry hundreds of junk
 * signatures to exhaust a verifier; real mail carries 1–3. The figure follows rspamd's default
 * (`max_sigs = 5`), which the real corpus's dkim_sigs_at_limit / dkim_many_sigs messages assert.
 */
export const MAX_SIGNATURES = 5;

/**
 * A signature listing more header names than this is rejected before any crypto (a DoS guard; the
 * real corpus asserts rejection at 1,501 names and normal processing at 900). Real signatures
 * list 10–40 names, over-signing included.
 */
export const MAX_SIGNED_HEADERS = 1000;

/** A key lookup in live DNS: name → TXT strings; throws with `code` like dns.promises. */
export type LiveLookup = (name: string) => Promise<string[][]>;

export interface VerifyOptions {
  keys: KeyIndex;
  /** Only with `--dns live`: asked for names the key store lacks; answers are kept and returned. */
  liveLookup?: LiveLookup;
  /** Unix seconds, used when the message has no time of its own. */
  now: number;
  /** Tests only: always use mailauth, to compare the two verifiers. */
  verifier?: 'auto' | 'mailauth';
}

const DNS_ERROR_CODES: Record<string, 'ENOTFOUND' | 'ETIMEOUT' | 'ESERVFAIL'> = {
  NXDOMAIN: 'ENOTFOUND',
  TIMEOUT: 'ETIMEOUT',
  SERVFAIL: 'ESERVFAIL',
};

/**
 * `layout` is where the parser found the header section to end (read again here when not given):
 * our verifier takes a message only when mailauth would split it the same way.
 */
export async function verifyMessage(
  bytes: Buffer,
  parsed: ParsedMessage,
  opts: VerifyOptions,
  layout: MessageLayout = readLayout(bytes),
): Promise<Verification> {
  const tagged = readSignatureTags(parsed.headers);
  const { asOf, source } = chooseAsOf(
    parsed,
    tagged.map((t) => numericTag(t.tags, 't')),
    opts.now,
  );
  const fromDomain = parsed.from[0]?.domain ?? '';

  // Which record answered each name (and which one to try next, on a second pass).
  const chosen = new Map<string, KeyRecord>();
  const fetched: KeyRecord[] = [];
  const skip = new Map<string, number>();
  const asked = new Set<string>();
  const fromStore = (n: string): KeyAnswer | null => {
    const pick = opts.keys.candidates(n, asOf)[skip.get(n) ?? 0];
    if (!pick) return null;
    chosen.set(n, pick);
    if (pick.dnsError) return { error: DNS_ERROR_CODES[pick.dnsError] ?? 'ESERVFAIL' };
    return { value: pick.value };
  };
  const lookup = async (name: string): Promise<KeyAnswer> => {
    const n = name.toLowerCase().replace(/\.$/, '');
    asked.add(n);
    const stored = fromStore(n);
    if (stored) return stored;
    if (opts.liveLookup && splitKeyName(n)) return lookUpLive(n, opts.liveLookup, opts.keys, chosen, fetched);
    return { error: 'ENOTFOUND' };
  };
  const ownLookup = async (name: string): Promise<KeyAnswer | 'decline'> => {
    const n = name.toLowerCase().replace(/\.$/, '');
    if (opts.liveLookup && opts.keys.candidates(n, asOf).length === 0) return 'decline';
    return lookup(n);
  };

  const run = async (): Promise<VerifierOutcome> => {
    if (opts.verifier !== 'mailauth') {
      const own = await verifyOwn(
        {
          bytes,
          headers: parsed.headers,
          ...layout.split,
          strayLines: layout.strayLines,
          lineRuns: layout.lineRuns,
          signatures: tagged,
          maxSignatures: MAX_SIGNATURES,
          asOf,
        },
        ownLookup,
      );
      if (!('declined' in own)) return own;
    }
    // mailauth's header reader is quadratic in a header's folded lines, and its signature checks in
    // their number: past either bound it is not run.
    const lines = countHeaderLines(bytes, layout.split.headerEnd);
    const signatureHeaders = countSignatureHeaders(parsed.headers);
    const skipped =
      lines > MAX_MAILAUTH_HEADER_LINES
        ? `the header section has more than ${MAX_MAILAUTH_HEADER_LINES} lines`
        : signatureHeaders > MAX_MAILAUTH_SIGNATURE_HEADERS
          ? `the message has ${signatureHeaders} DKIM-Signature and ARC headers (limit ${MAX_MAILAUTH_SIGNATURE_HEADERS})`
          : null;
    if (skipped !== null) {
      // Its ARC headers were not read either: said so, rather than that there are none.
      const arc = parsed.headers.some((h) => h.key === 'arc-seal') ? { ...NO_ARC, comment: `not evaluated: ${skipped}` } : NO_ARC;
      return { signatures: [], arc, verifier: 'skipped', skipped };
    }
    return verifyWithMailauth(bytes, asOf, lookup);
  };

  let result = await run();
  const firstChoice = new Map(chosen);
  // A selector may have had several keys over time (archive exports, re-used names). When the
  // best candidate fails, try the others once; the record names the key that was used.
  const retry = [...chosen.entries()].filter(([n]) => opts.keys.candidates(n, asOf).length > 1);
  const passes = (x: VerifierOutcome) => x.signatures.filter((r) => r?.result === 'pass').length;
  if (retry.length && result.signatures.some((r) => r?.result !== 'pass')) {
    for (const [n] of retry) skip.set(n, 1);
    const second = await run();
    if (passes(second) > passes(result)) result = second;
    else {
      // Keep the first pass: the records it used, and the first choice for the ARC lookups below.
      chosen.clear();
      for (const [n, k] of firstChoice) chosen.set(n, k);
      skip.clear();
    }
  }

  const skipped = result.verifier === 'skipped' ? result.skipped : undefined;
  const signatures = tagged.map((t, index): SignatureCheck => {
    const m = result.signatures[index];
    const keyName = signatureKeyName(t.tags);
    // A body that fails is checked before the key is asked for; it is still reported with the
    // key the store holds, since whether a key exists decides how strong the finding is.
    const key = chosen.get(keyName) ?? opts.keys.candidates(keyName, asOf).find((k) => !k.dnsError && k.value) ?? null;
    const sig = mapSignature(index, t.tags, m, fromDomain, key, asked.has(keyName), skipped);
    const headerSignature = judgeHeaders(sig, parsed, t, key);
    return {
      ...sig,
      headerSignature,
      keyMade: headerSignature === 'fail' ? judgeKeyMade(t, opts.keys.candidates(keyName, asOf)) : 'unknown',
    };
  });

  return {
    asOf,
    asOfSource: source,
    signatures,
    arc: result.arc,
    fetchedKeys: fetched,
    verifiedBy: result.verifier === 'skipped' || (tagged.length === 0 && result.verifier === 'own') ? null : result.verifier,
  };
}

async function lookUpLive(
  n: string,
  lookup: LiveLookup,
  keys: KeyIndex,
  chosen: Map<string, KeyRecord>,
  fetched: KeyRecord[],
): Promise<KeyAnswer> {
  const parts = splitKeyName(n)!;
  const fetchedAt = Math.floor(Date.now() / 1000);
  // The source names the fetch time: a key found live today says nothing certain about the past.
  const source = `dns@${formatTime(fetchedAt, 'iso')}`;
  const base = {
    name: n,
    domain: parts.domain,
    selector: parts.selector,
    sourceKind: 'dns' as const,
    source,
    firstSeen: null,
    lastSeen: null,
    fetchedAt,
  };
  try {
    const answer = await lookup(n);
    const value = (answer[0] ?? []).join('');
    const rec: KeyRecord = { ...base, value, dnsError: null };
    fetched.push(rec);
    keys.add(rec);
    chosen.set(n, rec);
    return { value };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ESERVFAIL';
    const dnsError = code === 'ENOTFOUND' || code === 'ENODATA' ? 'NXDOMAIN' : code === 'ETIMEOUT' ? 'TIMEOUT' : 'SERVFAIL';
    const rec: KeyRecord = { ...base, value: '', dnsError };
    fetched.push(rec);
    keys.add(rec);
    chosen.set(n, rec);
    return { error: code === 'ENODATA' ? 'ENOTFOUND' : (code as 'ENOTFOUND' | 'ETIMEOUT' | 'ESERVFAIL') };
  }
}

function signatureKeyName(tags: Map<string, string>): string {
  return `${(tags.get('s') ?? '').toLowerCase()}._domainkey.${(tags.get('d') ?? '').toLowerCase()}`;
}

function mapSignature(
  index: number,
  tags: Map<string, string>,
  m: SignatureOutcome | undefined,
  fromDomain: string,
  key: KeyRecord | null,
  keyAsked: boolean,
  /** Why no verifier read the message (VerifierOutcome.skipped). */
  skipped: string | undefined,
): SignatureCheck {
  const domain = (tags.get('d') ?? '').toLowerCase();
  const selector = (tags.get('s') ?? '').toLowerCase();
  const keyName = signatureKeyName(tags);
  const details = key && !key.dnsError ? describeKey(key.value) : { keyType: null, keyBits: null, revoked: false };
  const signedHeaders = signedHeaderList(tags);
  const limit =
    index >= MAX_SIGNATURES
      ? `not evaluated: only the first ${MAX_SIGNATURES} signatures of a message are checked`
      : signedHeaders.length > MAX_SIGNED_HEADERS
        ? `not evaluated: h= lists ${signedHeaders.length} header names (limit ${MAX_SIGNED_HEADERS})`
        : skipped !== undefined
          ? `not evaluated: ${skipped}`
          : m === undefined
            ? 'not evaluated by the verifier'
            : null;
  let result: DkimResult = limit ? 'permerror' : normaliseResult(m?.result);
  const comment = limit ?? m?.comment ?? '';
  const problem = limit ? 'not-evaluated' : classifyProblem(result, comment);
  // mailauth's strict mode reports RFC 6376 PERMFAILs (syntax, version, key problems) as neutral.
  if (result === 'neutral' && problem !== 'no-key' && problem !== 'expired') result = 'permerror';
  const bodyHash = m?.bodyHash && m.bodyHashExpecting ? (m.bodyHash === m.bodyHashExpecting ? 'pass' : 'fail') : 'unknown';
  return {
    index,
    domain,
    selector,
    algorithm: tags.get('a') ?? '',
    canonicalization: tags.get('c') ?? 'simple/simple',
    version: tags.get('v') ?? null,
    identity: tags.get('i') ?? null,
    signedHeaders,
    bodyLength: numericTag(tags, 'l'),
    signTime: numericTag(tags, 't'),
    expiresAt: numericTag(tags, 'x'),
    bodyHash,
    bodyHashComputed: m?.bodyHash ?? null,
    bodyHashExpected: m?.bodyHashExpecting ?? tags.get('bh')?.replace(/\s+/g, '') ?? null,
    headerSignature: 'unknown',
    keyMade: 'unknown',
    result,
    comment,
    problem,
    keyType: details.keyType,
    keyBits: m?.modulusLength ?? details.keyBits,
    keyName,
    keySource: key ? key.source : null,
    keyRevoked: details.revoked,
    keyFirstSeen: key?.firstSeen ?? null,
    keyLastSeen: key?.lastSeen ?? null,
    keyError: key?.dnsError ?? (!key && keyAsked ? 'not-in-store' : null),
    aligned: isAligned(domain, fromDomain),
    unsignedBodyBytes: m?.unsignedBodyBytes ?? 0,
  };
}

/** Pass or fail of b= alone: known from mailauth when it got that far, checked here after a body-hash mismatch. */
function judgeHeaders(
  sig: SignatureCheck,
  parsed: ParsedMessage,
  t: SignatureTags,
  key: KeyRecord | null,
): SignatureCheck['headerSignature'] {
  if (sig.result === 'pass') return 'pass';
  if (sig.result === 'fail' && sig.bodyHash === 'pass') return 'fail';
  if (sig.bodyHash !== 'fail') return 'unknown';
  if (!key || key.dnsError || !key.value) return 'unknown';
  const ok = verifyHeaderSignature(parsed.headers, t.header, t.tags, key.value);
  return ok === null ? 'unknown' : ok ? 'pass' : 'fail';
}

/**
 * For a signature over the headers that fails: whether a key the store holds for its selector made
 * it (over other bytes), or none of them did (keyMadeSignature); 'unknown' when that cannot be told
 * of any (no RSA key).
 */
function judgeKeyMade(t: SignatureTags, candidates: KeyRecord[]): SignatureCheck['keyMade'] {
  let answer: SignatureCheck['keyMade'] = 'unknown';
  for (const k of candidates) {
    if (k.dnsError || !k.value) continue;
    const made = keyMadeSignature(t.tags, k.value);
    if (made === 'yes') return 'yes';
    if (made === 'no') answer = 'no';
  }
  return answer;
}

/** mailauth's comments (tools.js KEY_ERROR_COMMENTS and dkim-verifier.js), read once, here. */
const KEY_UNUSABLE =
  /invalid public key|unknown key type|unknown key version|inappropriate hash|key not for email|inappropriate key algorithm/;

function classifyProblem(result: DkimResult, comment: string): SignatureProblem | null {
  if (result === 'pass' || result === 'fail' || result === 'temperror' || result === 'none') return null;
  if (/expired/.test(comment)) return 'expired';
  if (/no key/.test(comment)) return 'no-key';
  if (KEY_UNUSABLE.test(comment)) return 'key-unusable';
  if (/weak algorithm/.test(comment)) return 'weak-algorithm';
  if (/From field not signed/.test(comment)) return 'from-not-signed';
  return 'syntax';
}

function normaliseResult(r: string | undefined): DkimResult {
  switch (r) {
    case 'pass':
    case 'fail':
    case 'neutral':
    case 'policy':
    case 'temperror':
    case 'permerror':
      return r;
    default:
      return 'none';
  }
}

/** Relaxed alignment (RFC 7489 3.1.1): d= and the From domain share their organisational domain. */
export function isAligned(signer: string, from: string): boolean {
  return sameOrganisation(signer, from);
}
