// Authentication-Results headers (RFC 8601) are plain text: anyone can write "dkim=pass" into a
// forged message, and readers take it as proof. A genuine one is written by a receiving site that
// also leaves its Received hop next to it; its name (authserv-id) must match that hop.
import type { CheckInput, Finding, MessageCheck, RawHeader, ReceivedHop, SignatureCheck } from '../model.ts';
import { organisationalDomain } from '../common/org-domain.ts';

const ID = 'auth-results';

/** Methods whose "pass" readers take as proof of origin. */
const PROOF_METHODS = new Set(['dkim', 'spf', 'dmarc', 'arc']);

/**
 * Exchange Online writes Authentication-Results with no authserv-id (the value starts "spf=pass");
 * such a header is vouched for by a Microsoft hop next to it instead.
 */
const SITES_WITHOUT_AUTHSERV_ID = new Set(['outlook.com', 'office365.com', 'microsoft.com']);

interface MethodResult {
  method: string;
  result: string;
  props: Record<string, string>;
  text: string;
}

interface ResultsHeader {
  header: RawHeader;
  authservId: string | null;
  results: MethodResult[];
}

function stripComments(value: string): string {
  let out = value;
  let before: string;
  do {
    before = out;
    out = out.replace(/\([^()]*\)/g, ' '); // innermost first, so nested comments go too
  } while (out !== before);
  return out;
}

/** authserv-id [version]; method=result ptype.prop=value ...; ... (ARC's copy starts with "i=n;"). */
function parseResults(header: RawHeader): ResultsHeader {
  let segments = stripComments(header.value)
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (header.key === 'arc-authentication-results' && /^i\s*=\s*\d+$/i.test(segments[0] ?? '')) segments = segments.slice(1);
  let authservId: string | null = null;
  if (segments.length > 0 && !/^[a-z][\w-]*(\/\d+)?\s*=/i.test(segments[0]!)) {
    authservId = segments[0]!.split(/\s+/)[0]!.toLowerCase();
    segments = segments.slice(1);
  }
  const results: MethodResult[] = [];
  for (const text of segments) {
    const m = /^([a-z][\w-]*)(?:\/\d+)?\s*=\s*([a-z]+)/i.exec(text);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const p of text.matchAll(/([a-z]+\.[\w-]+)\s*=\s*("[^"]*"|[^\s]+)/gi)) props[p[1]!.toLowerCase()] = p[2]!.replace(/^"|"$/g, '');
    results.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props, text: text.replace(/\s+/g, ' ') });
  }
  return { header, authservId, results };
}

/** Received hops paired with their place among all headers (0 = top). */
function placedHops(parsed: CheckInput['parsed']): { hop: ReceivedHop; position: number }[] {
  const positions = parsed.headers
    .filter((h) => h.key === 'received')
    .map((h) => h.index)
    .sort((a, b) => a - b);
  return parsed.received.flatMap((hop) => (positions[hop.index] === undefined ? [] : [{ hop, position: positions[hop.index]! }]));
}

/**
 * Hops that could have written a header at `position`: the nearest hop below it (a server adds its
 * results just above its own Received line) and the nearest above it (milters that append their
 * header lower down). A hop further up received the message with the header already in it.
 */
function neighbourHops(hops: { hop: ReceivedHop; position: number }[], position: number): ReceivedHop[] {
  const below = hops.filter((h) => h.position > position).sort((a, b) => a.position - b.position)[0];
  const above = hops.filter((h) => h.position < position).sort((a, b) => b.position - a.position)[0];
  return [above, below].filter((h): h is { hop: ReceivedHop; position: number } => h !== undefined).map((h) => h.hop);
}

function vouches(hop: ReceivedHop, authservId: string | null): boolean {
  if (hop.by === null) return false;
  const by = hop.by.toLowerCase().replace(/\.$/, '');
  if (authservId === null) return SITES_WITHOUT_AUTHSERV_ID.has(organisationalDomain(by));
  return by === authservId || organisationalDomain(by) === organisationalDomain(authservId);
}

function unvouched(r: ResultsHeader, claims: MethodResult[], checked: ReceivedHop[]): Finding {
  const site = r.authservId === null ? 'with no authserv-id' : `from "${r.authservId}"`;
  const hops = checked.map((h) => h.by ?? '(unnamed)');
  return {
    check: ID,
    code: `${ID}/unvouched-pass`,
    severity: 'weak',
    detail: `An ${r.header.name} header ${site} claims ${claims.map((c) => `${c.method}=pass`).join(', ')}, but no Received hop beside it was written by ${r.authservId === null ? 'Microsoft' : organisationalDomain(r.authservId)} (${hops.length > 0 ? `hops there: ${hops.join(', ')}` : 'there is no hop'}), so nothing in the message's own route vouches for it.`,
    evidence: {
      header: r.header.name,
      index: r.header.index,
      authservId: r.authservId,
      claims: claims.map((c) => c.text),
      hopsChecked: checked.map((h) => ({ index: h.index, by: h.by })),
    },
  };
}

/** The domain a dkim=pass is about: header.d, else the domain of header.i. */
function claimedSigner(claim: MethodResult): string | null {
  const d = claim.props['header.d'] ?? claim.props['header.i']?.split('@').pop() ?? '';
  return d === '' ? null : d.toLowerCase();
}

function contradiction(r: ResultsHeader, claim: MethodResult, signer: string, sigs: SignatureCheck[], arcPasses: boolean): Finding | null {
  const ours = sigs.filter((s) => signer === s.domain.toLowerCase() || signer.endsWith(`.${s.domain.toLowerCase()}`));
  // Only a failure our verifier could judge contradicts; a missing key is no evidence either way.
  // An ARC chain that passes explains a later failure (a list that changed the message after checking).
  if (ours.length > 0 && (ours.some((s) => s.result === 'pass') || !ours.some((s) => s.result === 'fail') || arcPasses)) return null;
  const ourWords =
    ours.length === 0 ? `the message carries no DKIM signature of ${signer}` : `our verification of ${signer}'s signature failed`;
  return {
    check: ID,
    code: `${ID}/contradicts-dkim`,
    severity: 'weak',
    detail: `An ${r.header.name} header ${r.authservId ? `from "${r.authservId}" ` : ''}says the DKIM signature of ${signer} passed, but ${ourWords}.`,
    evidence: {
      header: r.header.name,
      index: r.header.index,
      authservId: r.authservId,
      claim: claim.text,
      signer,
      ourResults: ours.map((s) => ({ selector: s.selector, result: s.result, comment: s.comment })),
    },
  };
}

export const check: MessageCheck = {
  id: ID,
  title: 'Authentication-Results headers against the route and our own verification',
  codes: {
    [`${ID}/unvouched-pass`]: {
      severity: 'weak',
      meaning:
        'An Authentication-Results header claims a pass (DKIM, SPF, DMARC or ARC) but names a site that left no Received hop beside it, so it may have been written by whoever made the message.',
    },
    [`${ID}/contradicts-dkim`]: {
      severity: 'weak',
      meaning:
        "An Authentication-Results header says a domain's DKIM signature passed, but that signature is missing from the message or fails our own verification.",
    },
  },
  run({ parsed, verification }: CheckInput): Finding[] {
    const hops = placedHops(parsed);
    const findings: Finding[] = [];
    const headers = parsed.headers.filter((h) => h.key === 'authentication-results' || h.key === 'arc-authentication-results');
    for (const r of headers.map(parseResults)) {
      const claims = r.results.filter((c) => PROOF_METHODS.has(c.method) && c.result === 'pass');
      if (claims.length === 0) continue;
      const checked = neighbourHops(hops, r.header.index);
      if (!checked.some((hop) => vouches(hop, r.authservId))) findings.push(unvouched(r, claims, checked));
      for (const claim of claims.filter((c) => c.method === 'dkim')) {
        const signer = claimedSigner(claim);
        const f = signer === null ? null : contradiction(r, claim, signer, verification.signatures, verification.arc.result === 'pass');
        if (f) findings.push(f);
      }
    }
    return findings;
  },
};
