// Archive-wide: the marks a receiving gateway puts on the external mail it lets in. One message whose
// signature verifies once a tag before its subject and lines above its text are removed
// (top-additions) shows what was added, not who added it: a forger could put words above a genuine
// message. The same tag and the same notice, on the mail of several independent signers, are a
// habit of the way the mail came in, not one sender's or one forger's doing; messages whose only
// change is such a recurring addition are explained (unverifiable, not tampered). Learned from the
// archive, not from a list of gateways or notices.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding, MarkFact } from '../model.ts';
import { firstIndex } from '../common/sorted.ts';

const ID = 'archive-marks';

/** The finding that says a message carries the marks of the gateway it came in through. */
export const GATEWAY_MARK = `${ID}/gateway-mark`;

/**
 * Messages that must carry one addition, and signing organisations among them, before it counts as a
 * gateway's mark. A gateway marks every external message it lets in, so a dump that holds its habit
 * holds many; three signers that do not share a mail system rule out one sender's own software.
 */
export const MIN_MARKED_MESSAGES = 10;
export const MIN_MARK_SIGNERS = 3;

/**
 * Share of the signed messages that the mailboxes carrying an addition received while it was seen
 * (from its first message's time to its last one's) that carry it. A gateway marks all the external
 * mail it lets in from the day it is set up, so its mark sits on most of them (mail it lets through
 * unmarked, such as lists, and internal mail that is signed, make up the rest); a forger's
 * recurring edit ("URGENT: " before a dozen subjects) sits on a few of the thousands around it.
 */
export const MIN_MARK_SHARE = 0.25;

/**
 * What a recurring mark explains: the broken signature, an ARC chain that the sender's side sealed
 * (its message signatures cover the same marked bytes), and the receiving server's pass recorded
 * before the mark.
 */
export const EXPLAINED_CODES = ['dkim/body-hash-mismatch', 'dkim/bad-signature', 'arc/fail', 'auth-results/contradicts-dkim'];

interface MarkTally {
  messages: number;
  /** Mailbox -> copies carrying the mark there. */
  mailboxes: Map<string, number>;
  /** First and last time (asOf, Unix seconds) of a message carrying it. */
  first: number;
  last: number;
  /** Signing organisation -> messages carrying the mark under its signature. */
  signers: Map<string, number>;
  /** What the mark reads (a tag, or the start of a notice), for the finding. */
  sample: string;
}

/**
 * Each addition seen, by kind and key ("tag:[EXTERNAL]", "notice:<hash>"), and the
 * times (asOf) of every signed message of each mailbox, to weigh an addition against the mail
 * around it.
 */
export interface MarkProfiles {
  marks: Map<string, MarkTally>;
  signedTimes: Map<string, number[]>;
  /** signedTimes sorted (done once, at the first judgement). */
  sorted: boolean;
  /** Key -> whether the addition is a habit, with its share, worked out once. */
  judged: Map<string, { share: number; habit: boolean }>;
}

export function emptyMarkProfiles(): MarkProfiles {
  return { marks: new Map(), signedTimes: new Map(), sorted: false, judged: new Map() };
}

/** The additions of one signature's undo, each a key the archive counts. */
function keysOf(m: MarkFact): { key: string; sample: string }[] {
  const out: { key: string; sample: string }[] = [];
  if (m.tag !== '') out.push({ key: `tag:${m.tag}`, sample: m.tag });
  // A notice is one notice whichever part it sits in: keyed by what a reader sees of it.
  if (m.text !== '') out.push({ key: `notice:${m.text}`, sample: m.textNotice });
  if (m.html !== '' && m.html !== m.text) out.push({ key: `notice:${m.html}`, sample: m.htmlNotice });
  return out;
}

/** Adds a page of records to the profiles (feed every page before judging). */
export function learnMarks(records: Iterable<ArchiveRecord>, p: MarkProfiles): void {
  for (const r of records) {
    if (r.signatures.length === 0) continue;
    const mailboxes = [...new Set(r.places.map((x) => x.mailbox))];
    for (const mb of mailboxes) {
      const times = p.signedTimes.get(mb);
      if (times) times.push(r.asOf);
      else p.signedTimes.set(mb, [r.asOf]);
    }
    const seen = new Set<string>();
    for (const m of r.facts.marks ?? []) {
      for (const { key, sample } of keysOf(m)) {
        let t = p.marks.get(key);
        if (!t) p.marks.set(key, (t = { messages: 0, mailboxes: new Map(), first: r.asOf, last: r.asOf, signers: new Map(), sample }));
        t.signers.set(m.signer, (t.signers.get(m.signer) ?? 0) + 1);
        if (seen.has(key)) continue;
        seen.add(key);
        t.messages++;
        t.first = Math.min(t.first, r.asOf);
        t.last = Math.max(t.last, r.asOf);
        for (const mb of mailboxes) t.mailboxes.set(mb, (t.mailboxes.get(mb) ?? 0) + 1);
      }
    }
  }
}

/** Signed messages of a mailbox with asOf in [from, to]. */
function signedBetween(times: number[], from: number, to: number): number {
  const start = firstIndex(times.length, (i) => times[i]! >= from);
  const end = firstIndex(times.length, (i) => times[i]! > to);
  return end - start;
}

/** Whether an addition is a habit of the way mail came in, and the share of the mail around it that it is on. */
function judge(key: string, p: MarkProfiles): { share: number; habit: boolean } {
  const known = p.judged.get(key);
  if (known) return known;
  if (!p.sorted) {
    for (const times of p.signedTimes.values()) times.sort((a, b) => a - b);
    p.sorted = true;
  }
  const t = p.marks.get(key);
  let out = { share: 0, habit: false };
  if (t) {
    let marked = 0;
    let around = 0;
    for (const [mb, n] of t.mailboxes) {
      marked += n;
      around += signedBetween(p.signedTimes.get(mb) ?? [], t.first, t.last);
    }
    const share = around === 0 ? 0 : marked / around;
    out = { share, habit: t.messages >= MIN_MARKED_MESSAGES && t.signers.size >= MIN_MARK_SIGNERS && share >= MIN_MARK_SHARE };
  }
  p.judged.set(key, out);
  return out;
}

const codes: Record<string, CodeDoc> = {
  [GATEWAY_MARK]: {
    severity: 'info',
    meaning: `Every signature of the message that failed verifies again once additions at the top are removed (top-additions/verifies-without), or on list mail the list's own signature does and vouches for the author's signature the list broke, and each of those additions (the subject tag, the notice above the text, the notice after the HTML's <body>) is the same on at least ${MIN_MARKED_MESSAGES} messages of at least ${MIN_MARK_SIGNERS} signing organisations, and on at least ${MIN_MARK_SHARE * 100} % of the signed messages their mailboxes received while it was seen: the mark of the gateway the mail came in through, not an edit of this message. Explains dkim/body-hash-mismatch, dkim/bad-signature, arc/fail (an ARC chain sealed before the mark covers the same bytes) and auth-results/contradicts-dkim (the receiving server recorded the signature's pass before its gateway marked the message); the message is unverifiable, not verified, as the marks themselves are unsigned.`,
  },
};

/** One addition in words, with what it rests on. */
function describe(key: string, t: MarkTally, share: number): string {
  const what = key.startsWith('tag:')
    ? `the subject tag ${t.sample}`
    : `the notice ${JSON.stringify(t.sample.length > 120 ? `${t.sample.slice(0, 119)}…` : t.sample)}`;
  const signers = [...t.signers.keys()].sort();
  const named = `${signers.slice(0, 5).join(', ')}${signers.length > 5 ? ', …' : ''}`;
  return `${what} (on ${t.messages} messages of ${signers.length} signing organisations: ${named}; ${Math.round(share * 100)} % of the signed mail of ${t.mailboxes.size} mailbox${t.mailboxes.size === 1 ? '' : 'es'} in its period)`;
}

function run(input: { records: ArchiveRecord[]; profiles: MarkProfiles }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    const marks = r.facts.marks ?? [];
    if (marks.length === 0 || !r.facts.marksCoverAll) continue;
    const keys = [...new Set(marks.flatMap((m) => keysOf(m).map((k) => k.key)))];
    const judged = keys.map((key) => ({ key, t: input.profiles.marks.get(key), ...judge(key, input.profiles) }));
    if (judged.length === 0 || !judged.every((j) => j.habit && j.t !== undefined)) continue;
    out.set(r.sha256, [
      {
        check: ID,
        code: GATEWAY_MARK,
        severity: 'info',
        detail: `${
          r.facts.marksListVouched === null
            ? 'Every failing signature of this message verifies'
            : `The signature of the mailing list (${r.facts.marksListVouched}) verifies, vouching for what the list sent on (the author's signature it broke is the list's doing),`
        } without additions at the top that recur across the archive: ${judged.map((j) => describe(j.key, j.t!, j.share)).join('; ')}. They are the marks of the gateway the mail came in through, not an edit of this message; the message is unverifiable, as the marks are unsigned.`,
        evidence: {
          listVouched: r.facts.marksListVouched,
          additions: judged.map(({ key, t, share }) => ({
            key,
            sample: t!.sample.slice(0, 200),
            messages: t!.messages,
            signers: [...t!.signers.keys()].sort().slice(0, 20),
            signerCount: t!.signers.size,
            mailboxes: t!.mailboxes.size,
            share: Math.round(share * 1000) / 1000,
            first: t!.first,
            last: t!.last,
          })),
        },
        explains: EXPLAINED_CODES,
      },
    ]);
  }
  return out;
}

export const archiveMarks: ArchiveCheck<{ records: ArchiveRecord[]; profiles: MarkProfiles }> = {
  id: ID,
  title: 'Marks of the gateway the mail came in through',
  codes,
  run,
};
