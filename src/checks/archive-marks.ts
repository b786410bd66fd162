// Archive-wide: the marks a receiving gateway puts on the external mail it lets in. One message whose
// signature verifies once a tag before its subject and lines above its text are removed
// (top-additions) shows what was added, not who added it: a forger could put words above a genuine
// message. The same tag and the same notice, on the mail of several independent signers, are a
// habit of the way the mail came in, not one sender's or one forger's doing; messages whose only
// change is such a recurring addition are explained (unverifiable, not tampered). Learned from the
// archive, not from a list of gateways or notices.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding, MarkFact } from '../model.ts';

const ID = 'archive-marks';

/**
 * Messages that must carry one addition, and signing organisations among them, before it counts as a
 * gateway's mark. A gateway marks every external message it lets in, so a dump that holds its habit
 * holds many; three signers that do not share a mail system rule out one sender's own software.
 */
export const MIN_MARKED_MESSAGES = 10;
export const MIN_MARK_SIGNERS = 3;

/** What a recurring mark explains: the broken signature, and the receiving server's pass recorded before the mark. */
const EXPLAINED_CODES = ['dkim/body-hash-mismatch', 'dkim/bad-signature', 'auth-results/contradicts-dkim'];

interface MarkTally {
  messages: number;
  /** Signing organisation -> messages carrying the mark under its signature. */
  signers: Map<string, number>;
  /** What the mark reads (a tag, or the start of a notice), for the finding. */
  sample: string;
}

/** Each addition seen, by kind and key: "tag:[EXTERNAL]", "text:<hash>", "html:<hash>". */
export type MarkProfiles = Map<string, MarkTally>;

export function emptyMarkProfiles(): MarkProfiles {
  return new Map();
}

/** The additions of one signature's undo, each a key the archive counts. */
function keysOf(m: MarkFact): { key: string; sample: string }[] {
  const out: { key: string; sample: string }[] = [];
  if (m.tag !== '') out.push({ key: `tag:${m.tag}`, sample: m.tag });
  if (m.text !== '') out.push({ key: `text:${m.text}`, sample: m.sample });
  if (m.html !== '') out.push({ key: `html:${m.html}`, sample: m.sample });
  return out;
}

/** Adds a page of records to the profiles (feed every page before judging). */
export function learnMarks(records: Iterable<ArchiveRecord>, p: MarkProfiles): void {
  for (const r of records) {
    const seen = new Set<string>();
    for (const m of r.facts.marks ?? []) {
      for (const { key, sample } of keysOf(m)) {
        let t = p.get(key);
        if (!t) p.set(key, (t = { messages: 0, signers: new Map(), sample }));
        if (!seen.has(key)) t.messages++;
        seen.add(key);
        t.signers.set(m.signer, (t.signers.get(m.signer) ?? 0) + 1);
      }
    }
  }
}

function confirmed(t: MarkTally | undefined): t is MarkTally {
  return t !== undefined && t.messages >= MIN_MARKED_MESSAGES && t.signers.size >= MIN_MARK_SIGNERS;
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/gateway-mark`]: {
    severity: 'info',
    meaning: `Every signature of the message that failed verifies again once additions at the top are removed (top-additions/verifies-without), and each of those additions (the subject tag, the notice above the text, the notice after the HTML's <body>) is the same on at least ${MIN_MARKED_MESSAGES} messages of at least ${MIN_MARK_SIGNERS} signing organisations in the archive: the mark of the gateway the mail came in through, not an edit of this message. Explains dkim/body-hash-mismatch, dkim/bad-signature and auth-results/contradicts-dkim (the receiving server recorded the signature's pass before its gateway marked the message); the message is unverifiable, not verified, as the marks themselves are unsigned.`,
  },
};

function run(input: { records: ArchiveRecord[]; profiles: MarkProfiles }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const r of input.records) {
    const marks = r.facts.marks ?? [];
    if (marks.length === 0 || !r.facts.marksCoverAll) continue;
    const additions = new Map<string, MarkTally | undefined>();
    for (const m of marks) for (const { key } of keysOf(m)) additions.set(key, input.profiles.get(key));
    if (additions.size === 0 || ![...additions.values()].every(confirmed)) continue;
    const described = [...additions]
      .map(([key, t]) => {
        const what = key.startsWith('tag:')
          ? `the subject tag ${t!.sample}`
          : `the ${key.startsWith('text:') ? 'notice above the text' : "notice after the HTML's <body>"} ${JSON.stringify(
              t!.sample
                .replace(/=\r?\n/g, '')
                .replace(/\s+/g, ' ')
                .trim()
                .slice(0, 120),
            )}`;
        const signers = [...t!.signers.keys()].sort();
        return `${what} (on ${t!.messages} messages of ${signers.length} signing organisations: ${signers.slice(0, 5).join(', ')}${signers.length > 5 ? ', …' : ''})`;
      })
      .join('; ');
    out.set(r.sha256, [
      {
        check: ID,
        code: `${ID}/gateway-mark`,
        severity: 'info',
        detail: `Every failing signature of this message verifies without additions at the top that recur across the archive: ${described}. They are the marks of the gateway the mail came in through, not an edit of this message; the message is unverifiable, as the marks are unsigned.`,
        evidence: {
          additions: [...additions].map(([key, t]) => ({
            key,
            sample: t!.sample.slice(0, 200),
            messages: t!.messages,
            signers: [...t!.signers.keys()].sort().slice(0, 20),
            signerCount: t!.signers.size,
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
