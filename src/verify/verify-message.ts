// The only place that imports mailauth. Verifies every DKIM signature and the ARC chain of one
// message, offline against the key store, as of the message's own time, and maps mailauth's
// result objects into our SignatureCheck / ArcCheck field by field (never persisting its objects).
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { arc as verifyArc } from 'mailauth/lib/arc/index.js';
import type { ArcCheck, DkimResult, KeyRecord, ParsedMessage, SignatureCheck, SignatureProblem, Verification } from '../model.ts';
import { chooseAsOf } from './as-of.ts';
import { numericTag, readSignatureTags, signedHeaderList } from './dkim-tags.ts';
import type { SignatureTags } from './dkim-tags.ts';
import { verifyHeaderSignature } from './header-signature.ts';
import { describeKey, KeyIndex } from './key-index.ts';
import { splitKeyName } from './key-files.ts';
import { sameOrganisation } from '../common/org-domain.ts';

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
}

interface MailauthStatus {
  result?: string;
  comment?: string;
  aligned?: string | false;
  underSized?: number;
}

interface MailauthSignature {
  signingDomain?: string;
  selector?: string;
  algo?: string;
  format?: string;
  bodyHash?: string;
  bodyHashExpecting?: string;
  status?: MailauthStatus;
  modulusLength?: number;
  canonBodyLength?: number;
  canonBodyLengthTotal?: number;
}

class DnsError extends Error {
  code: string;
  constructor(code: string, name: string) {
    super(`${code} ${name}`);
    this.code = code;
  }
}

const DNS_ERROR_CODES: Record<string, string> = { NXDOMAIN: 'ENOTFOUND', TIMEOUT: 'ETIMEOUT', SERVFAIL: 'ESERVFAIL' };

export async function verifyMessage(bytes: Buffer, parsed: ParsedMessage, opts: VerifyOptions): Promise<Verification> {
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
  const resolver = async (name: string): Promise<string[][]> => {
    const n = name.toLowerCase().replace(/\.$/, '');
    asked.add(n);
    const candidates = opts.keys.candidates(n, asOf);
    const pick = candidates[skip.get(n) ?? 0];
    if (pick) {
      chosen.set(n, pick);
      if (pick.dnsError) throw new DnsError(DNS_ERROR_CODES[pick.dnsError] ?? 'ESERVFAIL', n);
      return [[pick.value]];
    }
    if (opts.liveLookup && splitKeyName(n)) return lookUpLive(n, opts.liveLookup, opts.keys, chosen, fetched);
    throw new DnsError('ENOTFOUND', n);
  };

  const run = async () =>
    dkimVerify(bytes, {
      resolver,
      curTime: new Date(asOf * 1000),
      strict: true,
      // Weak keys are still verified (so the record says whether the signature holds) and then
      // refused as proof by our own rule, which names the key size.
      minBitLength: 1,
    } as Parameters<typeof dkimVerify>[1]);

  let result = await run();
  const firstChoice = new Map(chosen);
  // A selector may have had several keys over time (archive exports, re-used names). When the
  // best candidate fails, try the others once; the record names the key that was used.
  const retry = [...chosen.entries()].filter(([n]) => opts.keys.candidates(n, asOf).length > 1);
  if (retry.length && (result.results as MailauthSignature[]).some((r) => r.status?.result !== 'pass')) {
    for (const [n] of retry) skip.set(n, 1);
    const second = await run();
    const passes = (x: typeof result) => (x.results as MailauthSignature[]).filter((r) => r.status?.result === 'pass').length;
    if (passes(second) > passes(result)) result = second;
    else {
      // Keep the first pass: the records it used, and the first choice for the ARC lookups below.
      chosen.clear();
      for (const [n, k] of firstChoice) chosen.set(n, k);
      skip.clear();
    }
  }

  const mailauthSigs = (result.results as MailauthSignature[]).filter((r) => r.signingDomain !== undefined);
  const signatures = tagged.map((t, index): SignatureCheck => {
    const m = mailauthSigs[index];
    const keyName = signatureKeyName(t.tags);
    // mailauth compares the body hash before it asks for the key; a body that fails is still
    // reported with the key the store holds, since whether a key exists decides how strong it is.
    const key = chosen.get(keyName) ?? opts.keys.candidates(keyName, asOf).find((k) => !k.dnsError && k.value) ?? null;
    const sig = mapSignature(index, t.tags, m, fromDomain, key, asked.has(keyName));
    return { ...sig, headerSignature: judgeHeaders(sig, parsed, t, key) };
  });

  return {
    asOf,
    asOfSource: source,
    signatures,
    arc: await mapArc(result, resolver),
    fetchedKeys: fetched,
  };
}

async function lookUpLive(
  n: string,
  lookup: LiveLookup,
  keys: KeyIndex,
  chosen: Map<string, KeyRecord>,
  fetched: KeyRecord[],
): Promise<string[][]> {
  const parts = splitKeyName(n)!;
  const fetchedAt = Math.floor(Date.now() / 1000);
  // The source names the fetch time: a key found live today says nothing certain about the past.
  const source = `dns@${new Date(fetchedAt * 1000).toISOString().replace('.000Z', 'Z')}`;
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
    return answer;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'ESERVFAIL';
    const dnsError = code === 'ENOTFOUND' || code === 'ENODATA' ? 'NXDOMAIN' : code === 'ETIMEOUT' ? 'TIMEOUT' : 'SERVFAIL';
    const rec: KeyRecord = { ...base, value: '', dnsError };
    fetched.push(rec);
    keys.add(rec);
    chosen.set(n, rec);
    throw err;
  }
}

function signatureKeyName(tags: Map<string, string>): string {
  return `${(tags.get('s') ?? '').toLowerCase()}._domainkey.${(tags.get('d') ?? '').toLowerCase()}`;
}

function mapSignature(
  index: number,
  tags: Map<string, string>,
  m: MailauthSignature | undefined,
  fromDomain: string,
  key: KeyRecord | null,
  keyAsked: boolean,
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
        : m === undefined
          ? 'not evaluated by the verifier'
          : null;
  let result: DkimResult = limit ? 'permerror' : normaliseResult(m?.status?.result);
  const comment = limit ?? m?.status?.comment ?? '';
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
    headerSignature: 'unknown',
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
    unsignedBodyBytes: m?.status?.underSized ?? 0,
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

async function mapArc(result: Awaited<ReturnType<typeof dkimVerify>>, resolver: (name: string) => Promise<string[][]>): Promise<ArcCheck> {
  const data = (result as unknown as { arc?: { chain?: unknown[] | false; error?: unknown } }).arc;
  if (!data || (!data.chain && !data.error)) return { result: 'none', instances: 0, comment: 'no ARC headers', seals: [] };
  const out = (await verifyArc(
    data as Parameters<typeof verifyArc>[0],
    { resolver, minBitLength: 1024, strict: true } as Parameters<typeof verifyArc>[1],
  )) as unknown as {
    status?: { result?: string; comment?: string };
    i?: number | false;
  };
  const chain = (data.chain || []) as { i?: number; 'arc-seal'?: { parsed?: Record<string, { value?: unknown }> } }[];
  const r = out.status?.result;
  return {
    result: r === 'pass' ? 'pass' : r === 'fail' ? 'fail' : 'none',
    instances: chain.length,
    comment: out.status?.comment ?? (r === 'pass' ? `chain of ${chain.length} valid` : ''),
    seals: chain.map((c, i) => ({
      instance: Number(c.i ?? i + 1),
      domain: String(c['arc-seal']?.parsed?.d?.value ?? ''),
      selector: String(c['arc-seal']?.parsed?.s?.value ?? ''),
      result: String(c['arc-seal']?.parsed?.cv?.value ?? ''),
    })),
  };
}
