// Archive-wide: a reply cannot be written before the message it answers.
import type { ArchiveCheck, ArchiveRecord, CodeDoc, Finding } from '../model.ts';

/** Clocks of two senders' machines can disagree by minutes; more than this is not skew. */
export const REPLY_SKEW_TOLERANCE_S = 15 * 60;

const codes: Record<string, CodeDoc> = {
  'archive-thread/reply-before-parent': {
    severity: 'weak',
    meaning: 'The message answers (In-Reply-To) a message of the archive whose Date is later than its own, beyond clock skew.',
  },
};

function run(pairs: { reply: ArchiveRecord; parent: ArchiveRecord }[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  // A reply answers one of the messages carrying its In-Reply-To; when a program reused that ID,
  // the earliest of them is the one it may answer.
  const earliest = new Map<string, { reply: ArchiveRecord; parent: ArchiveRecord }>();
  for (const p of pairs) {
    const seen = earliest.get(p.reply.sha256);
    if (!seen || (p.parent.dateEpoch ?? Infinity) < (seen.parent.dateEpoch ?? Infinity)) earliest.set(p.reply.sha256, p);
  }
  for (const { reply, parent } of earliest.values()) {
    if (reply.dateEpoch === null || parent.dateEpoch === null) continue;
    const early = parent.dateEpoch - reply.dateEpoch;
    if (early <= REPLY_SKEW_TOLERANCE_S) continue;
    const f: Finding = {
      check: 'archive-thread',
      code: 'archive-thread/reply-before-parent',
      severity: 'weak',
      detail: `This reply is dated ${reply.dateHeader}, ${formatSpan(early)} before the message it answers (${parent.messageId}, dated ${parent.dateHeader}).`,
      evidence: { parent: parent.sha256, parentDate: parent.dateEpoch, replyDate: reply.dateEpoch, secondsEarly: early },
    };
    out.set(reply.sha256, [...(out.get(reply.sha256) ?? []), f]);
  }
  return out;
}

function formatSpan(s: number): string {
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  if (s < 172800) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86400)} days`;
}

export const archiveThread: ArchiveCheck<{ reply: ArchiveRecord; parent: ArchiveRecord }[]> = {
  id: 'archive-thread',
  title: 'Replies and their parents',
  codes,
  run,
};
