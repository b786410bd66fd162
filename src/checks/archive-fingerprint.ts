// Archive-wide: sender and platform fingerprints. Every mail program writes its Message-IDs and
// MIME boundaries in shapes of its own, puts its headers in its own order, and is named in the
// X-Mailer or User-Agent header. A forger who writes the victim's mailer header into a message made
// with another program leaves the other parts pointing at that program. The shapes each mailer
// writes are learned from the archive, as are each sender's habits; honest mail changes clients
// (phone and desktop, an upgrade, a move to another program), so only parts that contradict the
// mailer's own consistent habit are weak evidence, and a sender's new habit is context.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding } from '../model.ts';

const ID = 'archive-fingerprint';

/** A mailer's habit rests on this many of its messages before a message breaks it. */
export const HABIT_MIN_MESSAGES = 20;
/**
 * Its usual shapes (each on more than the rare share of its messages) cover at least this share; a
 * shape it wrote on at most one in fifty of its messages is not its own.
 */
export const USUAL_SHARE = 0.9;
export const RARE_SHARE = 0.02;
/** A shape another program usually writes counts as borrowed on up to one in twenty of the named program's messages. */
export const BORROWED_SHARE = 0.05;
/** A shape is another mailer's when it is that mailer's usual one (most of its messages, at least 20). */
export const OTHER_MIN_SHARE = 0.5;

type Part = 'idShape' | 'boundaryShape' | 'headerOrder';

const PART_WORDS: Record<Part, string> = {
  idShape: 'Message-ID shape',
  boundaryShape: 'MIME boundary style',
  headerOrder: 'header order',
};

/** Per mailer (X-Mailer or User-Agent, versions folded): how often it wrote each shape of each part. */
export type MailerProfiles = Map<string, { n: number; parts: Record<Part, Map<string, number>> }>;

/** Per sender address: the mailers it used, with counts and first and last use. */
export type SenderProfiles = Map<string, { n: number; mailers: Map<string, { n: number; first: number; last: number }> }>;

export interface FingerprintProfiles {
  mailers: MailerProfiles;
  senders: SenderProfiles;
  /** Per part, per shape: the mailers that wrote it, with counts. */
  shapes: Record<Part, Map<string, Map<string, number>>>;
}

export function emptyFingerprints(): FingerprintProfiles {
  return { mailers: new Map(), senders: new Map(), shapes: { idShape: new Map(), boundaryShape: new Map(), headerOrder: new Map() } };
}

const PARTS: Part[] = ['idShape', 'boundaryShape', 'headerOrder'];

export function learnFingerprints(records: Iterable<ArchiveRecord>, p: FingerprintProfiles): void {
  for (const r of records) {
    const fp = r.facts.fingerprint;
    if (fp.mailer !== '') {
      let m = p.mailers.get(fp.mailer);
      if (!m) p.mailers.set(fp.mailer, (m = { n: 0, parts: { idShape: new Map(), boundaryShape: new Map(), headerOrder: new Map() } }));
      m.n++;
      for (const part of PARTS) {
        if (fp[part] === '') continue;
        m.parts[part].set(fp[part], (m.parts[part].get(fp[part]) ?? 0) + 1);
        let by = p.shapes[part].get(fp[part]);
        if (!by) p.shapes[part].set(fp[part], (by = new Map()));
        by.set(fp.mailer, (by.get(fp.mailer) ?? 0) + 1);
      }
    }
    if (r.facts.from !== '') {
      let s = p.senders.get(r.facts.from);
      if (!s) p.senders.set(r.facts.from, (s = { n: 0, mailers: new Map() }));
      s.n++;
      const e = s.mailers.get(fp.mailer) ?? { n: 0, first: r.asOf, last: r.asOf };
      e.n++;
      e.first = Math.min(e.first, r.asOf);
      e.last = Math.max(e.last, r.asOf);
      s.mailers.set(fp.mailer, e);
    }
  }
}

/**
 * A shape nearly only one program writes: at least this many messages carry it and all but one in
 * fifty name that program. Seen with another program's name, it gives the message away even when
 * that program has too few messages in the archive for a habit of its own.
 */
export const DISTINCTIVE_MIN_MESSAGES = 20;
export const DISTINCTIVE_SHARE = 0.98;
/** The named program's messages a distinctive shape is judged against. */
export const NAMED_MIN_MESSAGES = 5;

function distinctiveOwner(
  p: FingerprintProfiles,
  part: Part,
  shape: string,
  not: string,
): { mailer: string; n: number; total: number } | null {
  const by = p.shapes[part].get(shape);
  if (!by) return null;
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  const [mailer, n] = [...by].sort((a, b) => b[1] - a[1])[0]!;
  if (mailer === not || total < DISTINCTIVE_MIN_MESSAGES || n < DISTINCTIVE_SHARE * total) return null;
  return { mailer, n, total: p.mailers.get(mailer)?.n ?? n };
}

/** The mailer (other than `not`) whose usual shape of this part this is, with its count. */
function ownerOf(p: FingerprintProfiles, part: Part, shape: string, not: string): { mailer: string; n: number; total: number } | null {
  let best: { mailer: string; n: number; total: number } | null = null;
  for (const [mailer, m] of p.mailers) {
    if (mailer === not || m.n < HABIT_MIN_MESSAGES) continue;
    const n = m.parts[part].get(shape) ?? 0;
    if (n >= OTHER_MIN_SHARE * m.n && (best === null || n > best.n)) best = { mailer, n, total: m.n };
  }
  return best;
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/platform-mismatch`]: {
    severity: 'weak',
    meaning: `The message names a mail program (X-Mailer or User-Agent) whose messages in the archive rarely have its Message-ID shape, MIME boundary style or header order: on at most ${BORROWED_SHARE * 100} % of them when that is another program's usual shape (most of its ${HABIT_MIN_MESSAGES} or more messages) or nearly only another program's (${DISTINCTIVE_SHARE * 100} % of ${DISTINCTIVE_MIN_MESSAGES} or more), on at most ${RARE_SHARE * 100} % when the program's usual shapes cover ${USUAL_SHARE * 100} % of its ${HABIT_MIN_MESSAGES} or more messages: its parts come from different programs. Header order is not judged on list mail, which lists rewrite.`,
  },
  [`${ID}/new-client`]: {
    severity: 'info',
    meaning: `The sender's ${HABIT_MIN_MESSAGES} or more messages in the archive all came from other mail programs: a new client (a phone, an upgrade, a change of program) or someone else's. Context, not a finding against the message.`,
  },
};

function platformMismatch(r: ArchiveRecord, p: FingerprintProfiles): Finding | null {
  const fp = r.facts.fingerprint;
  const own = p.mailers.get(fp.mailer);
  if (fp.mailer === '' || !own || own.n < NAMED_MIN_MESSAGES) return null;
  const clashes: {
    part: Part;
    shape: string;
    usual: string;
    usualN: number;
    seen: number;
    other: string | null;
    otherN: number;
    otherTotal: number;
  }[] = [];
  for (const part of PARTS) {
    const shape = fp[part];
    if (shape === '') continue;
    const counts = own.parts[part];
    // A list rewrites the headers it forwards: their order is the list's, not the program's.
    if (part === 'headerOrder' && r.facts.list) continue;
    const here = counts.get(shape) ?? 0;
    // The shape of another program: rare for the named one. A shape of no program: rarer still, and
    // only against a program with a habit (its usual shapes, each on more than the rare share of its
    // messages, cover nearly all of them).
    const other = ownerOf(p, part, shape, fp.mailer) ?? distinctiveOwner(p, part, shape, fp.mailer);
    if (here > (other ? BORROWED_SHARE : RARE_SHARE) * own.n) continue;
    const common = [...counts].filter(([, n]) => n > RARE_SHARE * own.n).sort((a, b) => b[1] - a[1]);
    const commonN = common.reduce((a, [, n]) => a + n, 0);
    const habit = own.n >= HABIT_MIN_MESSAGES && commonN >= USUAL_SHARE * own.n;
    if (habit || other)
      clashes.push({
        part,
        shape,
        usual: common[0]?.[0] ?? '',
        usualN: commonN,
        seen: here,
        other: other?.mailer ?? null,
        otherN: other?.n ?? 0,
        otherTotal: other?.total ?? 0,
      });
  }
  if (clashes.length === 0) return null;
  const c = clashes.find((x) => x.other !== null) ?? clashes[0]!;
  const parts = clashes.map((x) => PART_WORDS[x.part]).join(' and ');
  const whose =
    c.other !== null
      ? `what "${c.other}" writes (${c.otherN} of its ${c.otherTotal} messages)`
      : `on no more than ${c.seen} of its messages, this one included`;
  return {
    check: ID,
    code: `${ID}/platform-mismatch`,
    severity: 'weak',
    detail: `The message names "${fp.mailer}", whose ${own.n} messages in the archive ${c.usualN >= USUAL_SHARE * own.n ? `nearly all (${c.usualN}) have a ${PART_WORDS[c.part]} of their own` : `rarely have this ${PART_WORDS[c.part]}`}; this one's ${parts} ${clashes.length > 1 ? 'are' : 'is'} ${whose}.`,
    evidence: { mailer: fp.mailer, messages: own.n, clashes },
  };
}

function newClient(r: ArchiveRecord, p: FingerprintProfiles): Finding | null {
  const s = p.senders.get(r.facts.from);
  const mailer = r.facts.fingerprint.mailer;
  if (!s || mailer === '') return null;
  const mine = s.mailers.get(mailer);
  const others = s.n - (mine?.n ?? 0);
  if (!mine || mine.n > 1 || others < HABIT_MIN_MESSAGES) return null;
  const usual = [...s.mailers].filter(([m]) => m !== mailer).sort((a, b) => b[1].n - a[1].n);
  return {
    check: ID,
    code: `${ID}/new-client`,
    severity: 'info',
    detail: `${r.facts.from} wrote ${others} other messages in the archive with ${usual
      .slice(0, 2)
      .map(([m, e]) => `"${m || 'no mailer header'}" (${e.n})`)
      .join(' and ')}; this is the only one from "${mailer}".`,
    evidence: { sender: r.facts.from, mailer, usual: Object.fromEntries(usual.slice(0, 5).map(([m, e]) => [m, e.n])) },
  };
}

function run(input: { records: ArchiveRecord[]; profiles: FingerprintProfiles }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    const fs = [platformMismatch(r, input.profiles), newClient(r, input.profiles)].filter((f): f is Finding => f !== null);
    if (fs.length) out.set(r.sha256, fs);
  }
  return out;
}

export const archiveFingerprint: ArchiveCheck<{ records: ArchiveRecord[]; profiles: FingerprintProfiles }> = {
  id: ID,
  title: 'Sender and platform fingerprints',
  codes,
  run,
};
