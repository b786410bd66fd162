// Archive-wide: a From domain that looks like a domain the archive knows well. A forger registers
// aldermoor-foundation.example to imitate aldermoor.example, signs with a key of their own and
// the signature verifies: it proves that the look-alike sent the message, which is not what a
// reader sees. The archive knows which names are the real correspondents: a rare From domain that
// resembles a frequent one (a letter changed, a word or hyphen added, another suffix, look-alike
// characters) is reported, and its signature no longer counts as proof of anything a reader would
// take it for.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding } from '../model.ts';
import { organisationalDomain } from '../common/org-domain.ts';
import { resemblance, ResemblanceIndex } from './lookalike-domain.ts';

const ID = 'archive-lookalike';

/**
 * The imitated domain must appear on at least this many messages (as sender or recipient), and at
 * least this many times as often as the look-alike: the real correspondent is the one the archive
 * is full of; the imitation is the stranger.
 */
export const KNOWN_MIN_MESSAGES = 20;
export const KNOWN_MIN_RATIO = 3;

/** Messages per organisational domain, as From and as To/Cc. */
export type DomainCounts = Map<string, number>;

export function learnDomains(records: Iterable<ArchiveRecord>, into: DomainCounts = new Map()): DomainCounts {
  for (const r of records) {
    const domains = new Set<string>();
    if (r.fromDomain) domains.add(organisationalDomain(r.fromDomain));
    for (const a of r.facts.recipients) {
      const d = a.split('@').pop();
      if (d) domains.add(organisationalDomain(d));
    }
    for (const d of domains) if (d !== '') into.set(d, (into.get(d) ?? 0) + 1);
  }
  return into;
}

/** Domains the archive knows well enough to be imitated, most frequent first. */
export function knownDomains(counts: DomainCounts): [string, number][] {
  return [...counts].filter(([, n]) => n >= KNOWN_MIN_MESSAGES).sort((a, b) => b[1] - a[1]);
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/from`]: {
    severity: 'weak',
    meaning: `The From domain looks like a domain the archive is full of (on at least ${KNOWN_MIN_MESSAGES} messages and ${KNOWN_MIN_RATIO} times as many as this one) without being it: a letter changed, a word or hyphen added, or look-alike characters (the same name under another suffix is left out: as often the same organisation). A signature of the look-alike only proves that the look-alike sent the message, so the message is not verified.`,
  },
};

/** The index of each list of known domains (knownDomains), made when the list is first used. */
const indexes = new WeakMap<[string, number][], ResemblanceIndex>();

/** The known domain a From domain imitates, with why; null when none. */
function imitated(from: string, counts: DomainCounts, known: [string, number][]): { known: string; n: number; why: string[] } | null {
  const mine = counts.get(from) ?? 0;
  let index = indexes.get(known);
  if (!index) indexes.set(known, (index = new ResemblanceIndex(known.map(([k]) => k))));
  // The known domains it may resemble, most frequent first, as in `known`: each compared as before.
  for (const at of index.candidates(from)) {
    const [k, n] = known[at]!;
    if (k === from || n < KNOWN_MIN_RATIO * mine) continue;
    // The same name under another suffix is as often the same organisation (example.com and
    // example.org, a country domain) as an imitation: the archive cannot tell them apart by names.
    const why = resemblance(from, k).filter((w) => !w.startsWith('same name under another suffix'));
    if (why.length > 0) return { known: k, n, why };
  }
  return null;
}

function run(input: {
  records: ArchiveRecord[];
  counts: DomainCounts;
  known: [string, number][];
  cache?: Map<string, ReturnType<typeof imitated>>;
}): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  // One answer per From domain: the comparison with every known domain is done once.
  const cache = input.cache ?? new Map<string, ReturnType<typeof imitated>>();
  for (const r of input.records) {
    if (!r.fromDomain) continue;
    const from = organisationalDomain(r.fromDomain);
    if (!cache.has(from)) cache.set(from, imitated(from, input.counts, input.known));
    const hit = cache.get(from);
    if (!hit) continue;
    const mine = input.counts.get(from) ?? 0;
    out.set(r.sha256, [
      {
        check: ID,
        code: `${ID}/from`,
        severity: 'weak',
        detail: `The From domain ${from} looks like ${hit.known} (${hit.why.join('; ')}), which is on ${hit.n} messages of the archive, against ${mine} for ${from}: a look-alike of a known correspondent; a signature of it proves only that the look-alike sent the message.`,
        evidence: { fromDomain: from, looksLike: hit.known, reasons: hit.why, knownMessages: hit.n, fromMessages: mine },
      },
    ]);
  }
  return out;
}

export const archiveLookalike: ArchiveCheck<{
  records: ArchiveRecord[];
  counts: DomainCounts;
  known: [string, number][];
  cache?: Map<string, ReturnType<typeof imitated>>;
}> = {
  id: ID,
  title: 'From domains that imitate known correspondents',
  codes,
  run,
};
