// Archive-wide: how each domain's mail in this archive is signed, learned per route and period, and
// the messages that break that habit. Honest mail is messy: sent copies are saved before the
// outgoing server signs; mail between colleagues is delivered on the organisation's own servers and
// may never be signed; providers sign newsletters with their own domain. So an unsigned message is
// judged against the mail that took the same kind of route, a weak key against the keys the domain
// used that season, a third party's signature against the signers the domain's mail shows. Every
// finding quotes the numbers it rests on, and it is weak only when they are large enough.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding, SignatureSummary } from '../model.ts';
import { formatTime } from '../common/time.ts';
import { organisationalDomain } from '../common/org-domain.ts';
import { claimIsAbout } from './auth-results.ts';
import { KEY_SEEN_MARGIN_S, MIN_RSA_BITS } from './dkim.ts';

const ID = 'archive-signing';

/** The finding that puts a signature's failure down to its selector's key having been replaced, and what it explains. */
export const REPLACED_KEY = `${ID}/replaced-key`;
export const REPLACED_KEY_EXPLAINS = ['dkim/bad-signature', 'auth-results/contradicts-dkim'];

/**
 * Messages a habit must rest on before breaking it is weak evidence: twenty messages that agree are
 * a pattern a reviewer can check by eye; fewer could be a coincidence of one busy week.
 */
export const HABIT_MIN_MESSAGES = 20;
/** Share of those messages that must agree: nearly all (one in ten may be an honest exception). */
export const HABIT_MIN_SHARE = 0.9;
/**
 * Messages of a route that must be unsigned before an unsigned one is called normal there: ten,
 * with at least half of the route's mail unsigned (a route that signs half its mail signs nothing reliably).
 */
export const NORMAL_MIN_MESSAGES = 10;
export const NORMAL_MIN_SHARE = 0.5;
/**
 * Days outside the span the archive shows a key in use within which a signature the key did not make
 * is not put down to a replaced key: mail queued for a day or two is delivered after the first mail
 * signed with the new key.
 */
export const REPLACED_KEY_MARGIN_S = 2 * 86_400;

/** A third party that signed at most this many of a domain's messages is not one of its usual signers. */
export const RARE_SIGNER_MAX = 2;

/**
 * The kind of route a received copy took, seen from its From domain: delivered on the domain's own
 * servers only (internal), submitted to the domain's own server and relayed out (own), or entering
 * from a server of another organisation (foreign: a list, a forwarder, or a spoofer's rented server).
 * A domain's own servers are its own names and the hosts its verified mail was first submitted to
 * (a hosted suite, a webmail provider): learned, not listed.
 */
export type RouteClass = 'sent' | 'internal' | 'own' | 'foreign' | 'none';

/** Verified messages a first hop must carry before it counts as the domain's own server. */
export const INFRA_MIN_MESSAGES = 3;

/** Hops named by an address, a bare name or localhost belong to no organisation. */
function neutral(org: string): boolean {
  return org === '' || !org.includes('.') || /^[\d.:]+$/.test(org) || org === 'localhost' || org.endsWith('.localdomain');
}

/** A route by the organisations of its hops: the first one, and all of them. */
interface RouteShape {
  first: string;
  orgs: string[];
}

function shapeOfRoute(r: ArchiveRecord): RouteShape | null {
  const orgs = r.facts.route.filter((o) => !neutral(o));
  return orgs.length === 0 ? null : { first: orgs[0]!, orgs: [...new Set(orgs)].sort() };
}

/** The domain's own servers: its own name and the first hops its verified mail shows. */
function ownServers(p: SigningProfiles, from: string): Set<string> {
  const own = new Set([from]);
  for (const [org, n] of p.infra.get(from) ?? []) if (n >= INFRA_MIN_MESSAGES) own.add(org);
  return own;
}

function classify(shape: RouteShape | null, own: Set<string>): RouteClass {
  if (shape === null) return 'none';
  if (shape.orgs.every((o) => own.has(o))) return 'internal';
  return own.has(shape.first) ? 'own' : 'foreign';
}

export function routeClassOf(r: ArchiveRecord, p: SigningProfiles): RouteClass {
  if (r.places.some((x) => x.role === 'sent')) return 'sent';
  return classify(shapeOfRoute(r), ownServers(p, organisationalDomain(r.fromDomain ?? '')));
}

/** Calendar quarter of a time: the period profiles are kept by ("Oct–Dec 2024"). */
export function quarterOf(epoch: number): number {
  const d = new Date(epoch * 1000);
  return d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3);
}

const MONTHS = ['Jan–Mar', 'Apr–Jun', 'Jul–Sep', 'Oct–Dec'];
function describeQuarter(q: number): string {
  return `${MONTHS[q % 4]} ${Math.floor(q / 4)}`;
}

interface Tally {
  total: number;
  signed: number;
}

/** What the archive shows of signing, built in one pass over every record. */
export interface SigningProfiles {
  /** From org -> route shape (`first|orgs`) -> quarter -> tally of messages with a signature aligned with From. */
  routes: Map<string, Map<string, { shape: RouteShape; byQ: Map<number, Tally> }>>;
  /** From org -> first-hop org -> verified messages submitted there (the domain's own servers). */
  infra: Map<string, Map<string, number>>;
  /** Per-domain tallies by route classes, summed once when first judged (learning is over by then). */
  tallies: Map<string, Map<number, Tally>>;
  /** Sent copies per account: how many carry a signature of their From domain. */
  sentByAccount: Map<string, Tally>;
  /** `${signerOrg}` -> quarter -> aligned signatures with strong (>= 1024-bit) and weak keys, with the selectors seen. */
  keys: Map<string, Map<number, { strong: number; weak: number; selectors: Map<string, number> }>>;
  /** From org -> messages, of which signed by the domain itself, and third-party signers that verify. */
  signers: Map<string, { total: number; aligned: number; third: Map<string, number> }>;
  /**
   * `domain|selector` -> the time span of the messages whose signature under it verifies with a key
   * of the store (aligned or not, weak keys too), and how many: when the archive shows that key in use.
   */
  keyUse: Map<string, KeySpan>;
}

/** When the archive shows a selector's stored key in use: the first and last verified message, and their number. */
interface KeySpan {
  first: number;
  last: number;
  messages: number;
}

export function emptyProfiles(): SigningProfiles {
  return {
    routes: new Map(),
    infra: new Map(),
    tallies: new Map(),
    sentByAccount: new Map(),
    keys: new Map(),
    signers: new Map(),
    keyUse: new Map(),
  };
}

/**
 * Every failing signature of the message verifies, over its headers too, once the additions at its top
 * are removed (a gateway's marks, as far as the message shows), and one of them is the From domain's:
 * its own key signed the message as it was sent, as a verified message's does.
 */
function signedUnderMarks(r: ArchiveRecord): boolean {
  return (
    r.facts.marksCoverAll && r.facts.marksVerified && r.signatures.some((s) => s.aligned && (s.result === 'fail' || s.bodyHash === 'fail'))
  );
}

function alignedSignatures(r: ArchiveRecord): SignatureSummary[] {
  return r.signatures.filter((s) => s.aligned);
}

function bump(m: Map<number, Tally>, q: number, signed: boolean): void {
  const t = m.get(q) ?? { total: 0, signed: 0 };
  t.total++;
  if (signed) t.signed++;
  m.set(q, t);
}

/** Adds a page of records to the profiles. */
export function learnSigning(records: Iterable<ArchiveRecord>, p: SigningProfiles): void {
  for (const r of records) {
    learnKeyUse(r, p);
    const from = organisationalDomain(r.fromDomain ?? '');
    if (from === '') continue;
    const signed = alignedSignatures(r).length > 0;
    const q = quarterOf(r.asOf);
    const shape = r.places.some((x) => x.role === 'sent') ? null : shapeOfRoute(r);
    if (shape) {
      let shapes = p.routes.get(from);
      if (!shapes) p.routes.set(from, (shapes = new Map()));
      const key = `${shape.first}|${shape.orgs.join(',')}`;
      let e = shapes.get(key);
      if (!e) shapes.set(key, (e = { shape, byQ: new Map() }));
      bump(e.byQ, q, signed);
      if (r.facts.selfVerdict === 'verified' || signedUnderMarks(r)) {
        let infra = p.infra.get(from);
        if (!infra) p.infra.set(from, (infra = new Map()));
        infra.set(shape.first, (infra.get(shape.first) ?? 0) + 1);
      }
    }
    for (const place of r.places.filter((x) => x.role === 'sent')) {
      const t = p.sentByAccount.get(place.account) ?? { total: 0, signed: 0 };
      t.total++;
      if (signed) t.signed++;
      p.sentByAccount.set(place.account, t);
    }
    for (const s of alignedSignatures(r).filter((x) => x.result === 'pass' || x.result === 'policy')) {
      const org = organisationalDomain(s.domain);
      let k = p.keys.get(org);
      if (!k) p.keys.set(org, (k = new Map()));
      const e = k.get(q) ?? { strong: 0, weak: 0, selectors: new Map<string, number>() };
      if (s.keyBits !== null && s.keyType === 'rsa' && s.keyBits < MIN_RSA_BITS) e.weak++;
      else e.strong++;
      e.selectors.set(s.selector, (e.selectors.get(s.selector) ?? 0) + 1);
      k.set(q, e);
    }
    const sg = p.signers.get(from) ?? { total: 0, aligned: 0, third: new Map<string, number>() };
    sg.total++;
    if (r.signatures.some((s) => s.aligned && s.result === 'pass')) sg.aligned++;
    for (const s of r.signatures.filter((x) => !x.aligned && x.result === 'pass')) {
      const org = organisationalDomain(s.domain);
      sg.third.set(org, (sg.third.get(org) ?? 0) + 1);
    }
    p.signers.set(from, sg);
  }
}

function keyUseName(s: Pick<SignatureSummary, 'domain' | 'selector'>): string {
  return `${s.domain.toLowerCase()}|${s.selector.toLowerCase()}`;
}

/** Every signature of a message that verifies with a stored key, whatever the message's From domain. */
function learnKeyUse(r: ArchiveRecord, p: SigningProfiles): void {
  for (const s of r.signatures) {
    if (s.result !== 'pass' && s.result !== 'policy') continue;
    const name = keyUseName(s);
    const span = p.keyUse.get(name);
    if (!span) p.keyUse.set(name, { first: r.asOf, last: r.asOf, messages: 1 });
    else {
      span.first = Math.min(span.first, r.asOf);
      span.last = Math.max(span.last, r.asOf);
      span.messages++;
    }
  }
}

/** The tally of a quarter, or of the whole archive when the quarter alone holds too little. */
function periodTally(byQ: Map<number, Tally> | undefined, q: number, min: number): { t: Tally; period: string } {
  const own = byQ?.get(q);
  if (own && own.total >= min) return { t: own, period: describeQuarter(q) };
  const all = { total: 0, signed: 0 };
  for (const t of byQ?.values() ?? []) {
    all.total += t.total;
    all.signed += t.signed;
  }
  return { t: all, period: 'the whole archive' };
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/unsigned-route`]: {
    severity: 'info',
    meaning: `The message carries no signature of its From domain, and neither does most of that domain's mail that took the same kind of route (delivered on the domain's own servers, or submitted to them): at least ${NORMAL_MIN_MESSAGES} messages, half or more unsigned. Unsigned is this route's habit, which explains dkim/missing-signature.`,
  },
  [`${ID}/unsigned`]: {
    severity: 'weak',
    meaning: `The message carries no signature of its From domain, although nearly all (${HABIT_MIN_SHARE * 100} %) of at least ${HABIT_MIN_MESSAGES} messages of that domain by the same kind of route and period (or the same sender's sent copies) are signed.`,
  },
  [`${ID}/weak-key-retired`]: {
    severity: 'weak',
    meaning: `The message is signed by its domain only with an RSA key under ${MIN_RSA_BITS} bits, while nearly all of at least ${HABIT_MIN_MESSAGES} of the domain's signed messages of the period carry a strong key: a retired weak key, which whoever factored it can sign anything with.`,
  },
  [`${ID}/replaced-key`]: {
    severity: 'info',
    meaning: `Every signature of the message that fails does so over the headers alone (the body matches what it recorded), and was not made with the key the store holds for its selector, at a time when the archive shows no use of that key: no message verifies with it, or all that do are more than ${REPLACED_KEY_MARGIN_S / 86400} days later or earlier (and no key archive saw the key then). The selector's key was replaced in between, as providers replace keys under the same selector name, and the key that made the signature is not in the store: it can neither prove nor disprove the message. Explains dkim/bad-signature, and auth-results/contradicts-dkim (the receiving server checked the signature with the key of the day) unless a results header also claims a pass for a signer whose signature the message does not carry verified; the message is unverifiable, not verified. A signature made with another key while the archive shows the stored key in use stays dkim/bad-signature.`,
  },
  [`${ID}/foreign-signer`]: {
    severity: 'weak',
    meaning: `The message is signed only by a third party's domain, while nearly all of at least ${HABIT_MIN_MESSAGES} messages from its From domain are signed by that domain itself and this signer appears on at most ${RARE_SIGNER_MAX} of them.`,
  },
};

/**
 * Signatures the store's key did not make (keyMade 'no') over an unchanged body, at a time the archive
 * shows that key out of use: the key the selector had then was replaced, and the store lacks it. Said
 * only when it is so of every failing signature of the message; the numbers are in the finding.
 */
function judgeReplacedKey(r: ArchiveRecord, p: SigningProfiles): Finding[] {
  const failing = r.signatures.filter((s) => s.result === 'fail' || s.bodyHash === 'fail');
  if (failing.length === 0 || !r.facts.selfFlags.includes('dkim/bad-signature')) return [];
  const replaced: { s: SignatureSummary; span: KeySpan | null }[] = [];
  for (const s of failing) {
    if (s.result !== 'fail' || s.bodyHash !== 'pass' || s.keyMade !== 'no') return [];
    const span = p.keyUse.get(keyUseName(s)) ?? null;
    // A key archive that saw the record at the message time says the key was the selector's then.
    const seen = s.keyFirstSeen !== null && r.asOf >= s.keyFirstSeen && (s.keyLastSeen === null || r.asOf <= s.keyLastSeen);
    const inUse = span !== null && r.asOf >= span.first - REPLACED_KEY_MARGIN_S && r.asOf <= span.last + REPLACED_KEY_MARGIN_S;
    if (seen || inUse) return [];
    replaced.push({ s, span });
  }
  // A results header's pass for these signers is the receiving server's check with the key of its
  // day; one for a signer whose signature the message does not carry verified stays unexplained.
  const vouched = (signer: string): boolean =>
    replaced.some(({ s }) => claimIsAbout(signer, s.domain)) ||
    r.signatures.some((s) => s.result === 'pass' && claimIsAbout(signer, s.domain));
  const otherClaims = r.facts.authResults.some((a) =>
    a.results.some((x) => x.method === 'dkim' && x.result === 'pass' && x.domain !== null && !vouched(x.domain.toLowerCase())),
  );
  const when = formatTime(r.asOf, 'day');
  const told = replaced.map(({ s, span }) => {
    const name = `${s.selector}._domainkey.${s.domain}`;
    return span === null
      ? `${name}: no message of this archive verifies with the key the store holds for it`
      : `${name}: ${span.messages} message(s) verify with the key the store holds for it, from ${formatTime(span.first, 'day')} to ${formatTime(span.last, 'day')}, and this one, of ${when}, is ${r.asOf < span.first ? 'before' : 'after'} them`;
  });
  return [
    finding(
      'replaced-key',
      `The signature${replaced.length > 1 ? 's' : ''} of this message ${replaced.length > 1 ? 'were' : 'was'} not made with the key the store holds, at a time the archive shows that key out of use (${told.join('; ')}). The selector's key was replaced in between, as providers replace keys under the same name, and the key that made the signature is not in the store: it can neither prove nor disprove this message. Its body matches what the signature recorded.`,
      {
        asOf: r.asOf,
        signatures: replaced.map(({ s, span }) => ({
          index: s.index,
          domain: s.domain,
          selector: s.selector,
          keyInUse: span,
          keyFirstSeen: s.keyFirstSeen,
          keyLastSeen: s.keyLastSeen,
        })),
      },
      otherClaims ? ['dkim/bad-signature'] : REPLACED_KEY_EXPLAINS,
    ),
  ];
}

function finding(code: string, detail: string, evidence: Record<string, unknown>, explains?: string[]): Finding {
  const f: Finding = { check: ID, code: `${ID}/${code}`, severity: codes[`${ID}/${code}`]!.severity, detail, evidence };
  if (explains) f.explains = explains;
  return f;
}

function judgeUnsigned(r: ArchiveRecord, p: SigningProfiles): Finding[] {
  const from = organisationalDomain(r.fromDomain ?? '');
  const route = routeClassOf(r, p);
  const q = quarterOf(r.asOf);
  if (route === 'sent') {
    for (const place of r.places.filter((x) => x.role === 'sent')) {
      const t = p.sentByAccount.get(place.account);
      if (t && t.total >= HABIT_MIN_MESSAGES && t.signed >= HABIT_MIN_SHARE * t.total)
        return [
          finding(
            'unsigned',
            `The sent copies of ${place.account} are signed (${t.signed} of ${t.total}), but this sent copy carries no signature of ${from}.`,
            { account: place.account, signed: t.signed, total: t.total },
          ),
        ];
    }
    return [];
  }
  if (route === 'none') return [];
  const { t, period } = periodTally(tallyOf(p, from, [route]), q, NORMAL_MIN_MESSAGES);
  const words =
    route === 'internal'
      ? 'delivered on its own servers'
      : route === 'own'
        ? 'submitted to its own servers'
        : 'entering from other servers';
  const evidence = { fromDomain: from, route, period, signed: t.signed, total: t.total };
  // A route can make unsigned normal only if it is the domain's own: mail entering from a server
  // of another organisation is exactly what a spoof from a rented server looks like.
  if (route !== 'foreign' && t.total >= NORMAL_MIN_MESSAGES && t.total - t.signed >= NORMAL_MIN_SHARE * t.total) {
    // Said where it explains something: a domain without keys in the store was never accused.
    if (!r.facts.selfFlags.includes('dkim/missing-signature')) return [];
    return [
      finding(
        'unsigned-route',
        `Mail from ${from} ${words} is usually unsigned in this archive (${t.total - t.signed} of ${t.total} messages, ${period}), and so is this one.`,
        evidence,
        ['dkim/missing-signature'],
      ),
    ];
  }
  // Judged against all of the domain's own mail when its route alone says too little.
  const pooled = route === 'foreign' ? poolOwnRoutes(p, from, q) : { t, period };
  if (pooled.t.total >= HABIT_MIN_MESSAGES && pooled.t.signed >= HABIT_MIN_SHARE * pooled.t.total) {
    return [
      finding(
        'unsigned',
        `${from} signed ${pooled.t.signed} of its ${pooled.t.total} messages ${route === 'foreign' ? 'sent through its own servers' : words} (${pooled.period}), but this one, ${words}, carries no signature of it.`,
        { ...evidence, signed: pooled.t.signed, total: pooled.t.total, period: pooled.period },
      ),
    ];
  }
  return [];
}

/** The domain's mail by the given route classes, summed per quarter (computed once per domain and classes). */
function tallyOf(p: SigningProfiles, from: string, classes: RouteClass[]): Map<number, Tally> {
  const key = `${from}|${classes.join(',')}`;
  let cached = p.tallies.get(key);
  if (!cached) p.tallies.set(key, (cached = sumTallies(p, from, classes)));
  return cached;
}

function sumTallies(p: SigningProfiles, from: string, classes: RouteClass[]): Map<number, Tally> {
  const own = ownServers(p, from);
  const merged = new Map<number, Tally>();
  for (const { shape, byQ } of p.routes.get(from)?.values() ?? []) {
    if (!classes.includes(classify(shape, own))) continue;
    for (const [q, t] of byQ) {
      const m = merged.get(q) ?? { total: 0, signed: 0 };
      m.total += t.total;
      m.signed += t.signed;
      merged.set(q, m);
    }
  }
  return merged;
}

/** The domain's internal and own-submission mail together, for a message that came in from elsewhere. */
function poolOwnRoutes(p: SigningProfiles, from: string, q: number): { t: Tally; period: string } {
  return periodTally(tallyOf(p, from, ['internal', 'own']), q, HABIT_MIN_MESSAGES);
}

function judgeWeakKey(r: ArchiveRecord, p: SigningProfiles): Finding[] {
  const aligned = alignedSignatures(r);
  const strongPass = aligned.some((s) => s.result === 'pass' && !(s.keyType === 'rsa' && s.keyBits !== null && s.keyBits < MIN_RSA_BITS));
  const weak = aligned.filter((s) => s.keyType === 'rsa' && s.keyBits !== null && s.keyBits < MIN_RSA_BITS);
  if (strongPass || weak.length === 0) return [];
  const sig = weak[0]!;
  const org = organisationalDomain(sig.domain);
  const byQ = p.keys.get(org);
  const q = quarterOf(r.asOf);
  // Retired: a key archive last saw the record well before the message (the domain had removed it),
  // and the domain signs with strong keys in this archive; or, without that, the domain's other mail
  // of the season carries strong keys nearly always.
  const retired = sig.keyLastSeen !== null && r.asOf > sig.keyLastSeen + KEY_SEEN_MARGIN_S;
  const seasonal = [q - 1, q, q + 1].map((x) => byQ?.get(x)).filter((x) => x !== undefined);
  const season = retired && seasonal.reduce((n, e) => n + e.strong, 0) < HABIT_MIN_MESSAGES ? [...(byQ?.values() ?? [])] : seasonal;
  const strong = season.reduce((n, e) => n + e.strong, 0);
  const total = season.reduce((n, e) => n + e.strong + e.weak, 0);
  if (strong < HABIT_MIN_MESSAGES || (!retired && strong < HABIT_MIN_SHARE * total)) return [];
  const around = season === seasonal ? `around ${describeQuarter(q)}` : 'in this archive';
  const selectors = new Map<string, number>();
  for (const e of season) for (const [s, n] of e.selectors) selectors.set(s, (selectors.get(s) ?? 0) + n);
  const usual = [...selectors].filter(([s]) => s !== sig.selector).sort((a, b) => b[1] - a[1]);
  const usedHere = selectors.get(sig.selector) ?? 0;
  return [
    finding(
      'weak-key-retired',
      `${org} signed ${strong} of ${total} messages ${around} with keys of at least ${MIN_RSA_BITS} bits (${usual
        .slice(0, 3)
        .map(([s, n]) => `${s}: ${n}`)
        .join(
          ', ',
        )}); this one carries only ${sig.selector}, a ${sig.keyBits}-bit key (on ${usedHere} message(s) of the period, this one included), which can be factored${retired ? `, and which a key archive last saw in DNS on ${formatTime(sig.keyLastSeen, 'day')}, before this message` : ''}.`,
      {
        domain: org,
        selector: sig.selector,
        keyBits: sig.keyBits,
        strong,
        total,
        keyLastSeen: sig.keyLastSeen,
        usualSelectors: Object.fromEntries(usual.slice(0, 5)),
      },
    ),
  ];
}

function judgeForeignSigner(r: ArchiveRecord, p: SigningProfiles): Finding[] {
  if (r.signatures.some((s) => s.aligned)) return [];
  const third = r.signatures.filter((s) => !s.aligned && s.result === 'pass');
  if (third.length === 0) return [];
  const from = organisationalDomain(r.fromDomain ?? '');
  const sg = p.signers.get(from);
  if (!sg || sg.aligned < HABIT_MIN_MESSAGES || sg.aligned < HABIT_MIN_SHARE * sg.total) return [];
  const usual = third.find((s) => (sg.third.get(organisationalDomain(s.domain)) ?? 0) > RARE_SIGNER_MAX);
  if (usual) return [];
  const s = third[0]!;
  return [
    finding(
      'foreign-signer',
      `${from} signed ${sg.aligned} of its ${sg.total} messages in this archive itself; this one is signed only by ${s.domain}, which signed ${sg.third.get(organisationalDomain(s.domain)) ?? 0} of them.`,
      { fromDomain: from, aligned: sg.aligned, total: sg.total, signer: s.domain },
    ),
  ];
}

function run(input: { records: ArchiveRecord[]; profiles: SigningProfiles }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    if (!r.fromDomain) continue;
    const fs = [
      ...(alignedSignatures(r).length === 0 && !r.signatures.some((s) => s.result === 'pass') ? judgeUnsigned(r, input.profiles) : []),
      ...judgeWeakKey(r, input.profiles),
      ...judgeForeignSigner(r, input.profiles),
      ...judgeReplacedKey(r, input.profiles),
    ];
    if (fs.length > 0) out.set(r.sha256, fs);
  }
  return out;
}

export const archiveSigning: ArchiveCheck<{ records: ArchiveRecord[]; profiles: SigningProfiles }> = {
  id: ID,
  title: "Domains' signing habits in the archive",
  codes,
  run,
};
