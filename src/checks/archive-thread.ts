// Archive-wide: replies against the messages they answer. A reply cannot be written before its
// parent, quotes what its parent said, and goes back to the people of the parent's conversation. A
// forger who fakes a reply changes a word of the quote, dates it wrong, or hangs it on a message of
// another conversation by its In-Reply-To.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding } from '../model.ts';
import { comparableText, flankedEdits, splitQuoted, unpackGrams } from './text-forms.ts';
import { diffRuns } from '../common/line-diff.ts';
import { CONTRADICT_SECONDS, trustedTimes } from './archive-timestamps.ts';
import { CLOCK_SKEW_SECONDS } from '../common/time.ts';
import type { TimeFormats } from './archive-timestamps.ts';

const ID = 'archive-thread';

/**
 * An edit of k quoted words changes the k + 3 word 4-grams that hold them; the quote's grams around
 * it still match the parent. A run of at most this many unmatched grams with at least FLANK matched
 * on each side is such an edit: a clause of up to nine words rewritten, as a forger turns "Merci,
 * ça me va." into "Non, ça ne me va pas." (three words changed among six, nine grams); a sentence
 * or more that differs is a quote trimmed or rewritten by its sender, not an edit. The lines
 * programs add around a quote (attribution, quoted headers) are dropped before comparing, and a
 * list footer or signature at either end is not flanked.
 */
export const EDIT_MAX_GRAMS = 12;
export const EDIT_FLANK_GRAMS = 3;

/** Own findings honest copies carry for want of context the archive supplies. */
const HONEST_ABSENCES = new Set(['dkim/missing-signature']);

/** A reply and one stored copy of the message it answers (In-Reply-To), with texts when a quote is compared in detail. */
export interface ReplyPair {
  reply: ArchiveRecord;
  parent: ArchiveRecord;
  replyText?: string | null;
  parentText?: string | null;
}

const codes: Record<string, CodeDoc> = {
  [`${ID}/reply-before-parent`]: {
    severity: 'weak',
    meaning: 'The message answers (In-Reply-To) a message of the archive whose Date is later than its own, beyond clock skew.',
  },
  [`${ID}/quote-differs`]: {
    severity: 'weak',
    meaning: `The reply quotes its parent (the archived message its In-Reply-To names) with words changed inside the quoted text (a run of at most ${EDIT_MAX_GRAMS} word 4-grams that the parent lacks, with the quote matching the parent on both sides, or only matching quote before it), while a copy of the parent is verified by its own signature or has no inconsistency of its own: the quote was altered.`,
  },
  [`${ID}/other-conversation`]: {
    severity: 'weak',
    meaning:
      "The message's In-Reply-To names an archived message with another subject whose sender is neither the reply's sender nor among its recipients: a reply goes back to the sender of what it answers.",
  },
};

/**
 * Where a reply's quote has words changed against its parent's text (see flankedEdits). A change
 * in the quote's first words counts though nothing precedes it; so does one preceded only by
 * matching quote too short to be a flank ("Anna, Following our call on Friday": the greeting's
 * two grams match, the day does not): the quote matches the parent everywhere up to the change.
 */
export function quoteEdits(quote: number[], parent: Set<number>): { runs: number; grams: number; compared: number } {
  const lead = quote.findIndex((g) => !parent.has(g));
  const from = lead > 0 && lead < EDIT_FLANK_GRAMS ? lead : 0;
  const edits = flankedEdits(quote.slice(from), parent, EDIT_MAX_GRAMS, EDIT_FLANK_GRAMS, { atStart: true });
  return { ...edits, compared: quote.length };
}

function ownFlags(r: ArchiveRecord): string[] {
  return r.facts.selfFlags.filter((c) => !HONEST_ABSENCES.has(c));
}

function people(r: ArchiveRecord): Set<string> {
  return new Set([r.facts.from, ...r.facts.recipients].filter((a) => a !== ''));
}

function formatSpan(s: number): string {
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  if (s < 172800) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86400)} days`;
}

function finding(code: string, detail: string, evidence: Record<string, unknown>): Finding {
  return { check: ID, code: `${ID}/${code}`, severity: 'weak', detail, evidence };
}

function beforeParent(reply: ArchiveRecord, parent: ArchiveRecord, formats: TimeFormats): Finding | null {
  if (reply.dateEpoch === null || parent.dateEpoch === null) return null;
  const early = parent.dateEpoch - reply.dateEpoch;
  if (early <= CLOCK_SKEW_SECONDS) return null;
  // The parent's own program stamped it before the reply: its Date was moved, not the reply's
  // (archive-timestamps reports the parent).
  if (trustedTimes(parent, formats).some((t) => t <= reply.dateEpoch! + CLOCK_SKEW_SECONDS)) return null;
  return finding(
    'reply-before-parent',
    `This reply is dated ${reply.dateHeader}, ${formatSpan(early)} before the message it answers (${parent.messageId}, dated ${parent.dateHeader}).`,
    { parent: parent.sha256, parentDate: parent.dateEpoch, replyDate: reply.dateEpoch, secondsEarly: early },
  );
}

/**
 * A reply goes back to its parent's sender (or is the sender's own follow-up); one that changes the
 * subject and leaves the parent's sender out was hung on another conversation.
 */
function otherConversation(reply: ArchiveRecord, parents: ArchiveRecord[]): Finding | null {
  const parent = parents[0]!;
  if (reply.facts.threadSubject === '' || parents.some((p) => p.facts.threadSubject === reply.facts.threadSubject)) return null;
  const mine = people(reply);
  if (parents.some((p) => p.facts.from === '' || mine.has(p.facts.from))) return null;
  // Its recipients were too many to keep them all (MAX_FACT_ENTRIES): the sender may be among the rest.
  if (reply.facts.recipientCount > reply.facts.recipients.length) return null;
  return finding(
    'other-conversation',
    `This message answers ${parent.messageId} by its In-Reply-To, but that message is about "${parent.subject ?? ''}", from ${parent.facts.from}, who is not among this one's people (${[...mine].slice(0, 4).join(', ')}), while this one is about "${reply.subject ?? ''}".`,
    { parent: parent.sha256, parentSubject: parent.subject, subject: reply.subject, parentPeople: [...people(parent)], people: [...mine] },
  );
}

function alteredQuote(pair: ReplyPair, parents: ArchiveRecord[]): Finding | null {
  const { reply } = pair;
  if (reply.facts.quoteGrams === '') return null;
  const quote = unpackGrams(reply.facts.quoteGrams);
  if (quote.length === 0) return null;
  const parentGrams = new Set(parents.flatMap((p) => unpackGrams(p.facts.textGrams)));
  const edits = quoteEdits(quote, parentGrams);
  if (edits.runs === 0) return null;
  // When the parent in the archive carries inconsistencies of its own and the reply does not, the
  // parent is the altered one; the reply quotes what it said. Not when a copy of the parent is
  // verified by its own signature (its text is proven, whatever else was found on it) or has no
  // inconsistency: the quote differs from every copy, that one too.
  const parentDoubted = parents.every((p) => p.facts.selfVerdict !== 'verified' && ownFlags(p).length > 0);
  if (parentDoubted && ownFlags(reply).length === 0) return null;
  const parent = parents[0]!;
  const evidence: Record<string, unknown> = {
    parent: parent.sha256,
    editedRuns: edits.runs,
    unmatchedGrams: edits.grams,
    comparedGrams: edits.compared,
  };
  if (typeof pair.replyText === 'string' && typeof pair.parentText === 'string')
    evidence.quoteDiff = diffRuns(comparableText(pair.parentText), comparableText(splitQuoted(pair.replyText).quoted));
  return finding(
    'quote-differs',
    `This reply quotes ${parent.messageId} with ${edits.runs === 1 ? 'a passage' : `${edits.runs} passages`} changed: ${edits.grams} of the ${edits.compared} four-word sequences of the quote are not in the archived message, each amid quoted text that matches it.`,
    evidence,
  );
}

/**
 * When a copy of the parent was sent, for choosing the earliest: its Date, unless the times its own
 * program wrote into it (archive-timestamps' trusted stamps) all lie more than CONTRADICT_SECONDS
 * from that Date. Then the Date was moved (archive-timestamps reports that copy), and a moved Date
 * must not make a copy look like the message a later reply answers.
 */
function sentAt(p: ArchiveRecord, formats: TimeFormats): number {
  if (p.dateEpoch === null) return Infinity;
  const stamps = trustedTimes(p, formats);
  if (stamps.length === 0 || stamps.some((t) => Math.abs(t - p.dateEpoch!) <= CONTRADICT_SECONDS)) return p.dateEpoch;
  return Math.min(...stamps);
}

function run({ pairs, formats }: { pairs: ReplyPair[]; formats: TimeFormats }): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  const byReply = new Map<string, ReplyPair[]>();
  for (const p of pairs) byReply.set(p.reply.sha256, [...(byReply.get(p.reply.sha256) ?? []), p]);
  for (const [sha, ps] of byReply) {
    const reply = ps[0]!.reply;
    const parents = ps.map((p) => p.parent);
    // A reply answers one of the messages carrying its In-Reply-To; when a program reused that ID,
    // the earliest of them is the one it may answer.
    const earliest = [...parents].sort((a, b) => sentAt(a, formats) - sentAt(b, formats))[0]!;
    const found = [
      beforeParent(reply, earliest, formats),
      otherConversation(reply, parents),
      alteredQuote(ps.find((p) => typeof p.replyText === 'string') ?? ps[0]!, parents),
    ].filter((f): f is Finding => f !== null);
    if (found.length) out.set(sha, found);
  }
  return out;
}

export const archiveThread: ArchiveCheck<{ pairs: ReplyPair[]; formats: TimeFormats }> = {
  id: ID,
  title: 'Replies and their parents',
  codes,
  run,
};
