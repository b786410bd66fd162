// An attached document cannot have been written after the message that carries it: the bytes were
// attached before the message was sent and have not changed since (they are the archive's evidence).
// A document whose own created or modified time is later than every time the message carries (its
// Date and the first server's Received stamp) was made after the fact and slipped into the message.
// A document edited later and sent again in a later message is fine: that message is later still.
import type { CheckInput, DocumentMetadata, Finding, MessageCheck } from '../model.ts';
import { CLOCK_SKEW_SECONDS, formatDuration, formatTime } from '../common/time.ts';

const ID = 'attachment-times';

/**
 * How much later than the message a document's own time may be. Besides clock skew, programs get
 * the zone of these times wrong: ODF and many PDF producers write local time without a zone, and
 * some OOXML writers label local time as UTC, so a time may be off by the widest zone offset
 * (14 hours). A document made after the fact is usually days or months later.
 */
export const DOCUMENT_TIME_TOLERANCE_SECONDS = 14 * 3600 + CLOCK_SKEW_SECONDS;

const codes = {
  [`${ID}/created-after-message`]: {
    severity: 'weak' as const,
    meaning: `An attached document says it was created later than the message that carries it was sent (its Date and the first Received stamp), beyond ${formatDuration(DOCUMENT_TIME_TOLERANCE_SECONDS, 'prose')} for clocks and zones: the document did not exist when the message was sent.`,
  },
  [`${ID}/modified-after-message`]: {
    severity: 'weak' as const,
    meaning: `An attached document says it was last modified later than the message that carries it was sent (its Date and the first Received stamp), beyond ${formatDuration(DOCUMENT_TIME_TOLERANCE_SECONDS, 'prose')} for clocks and zones: the attached file is not the one that was sent.`,
  },
};

/** The times the message carries that say when it existed: its Date, and the earliest Received stamp. */
function messageTimes(input: CheckInput): { date: number | null; hop: { epoch: number; by: string | null } | null } {
  let hop: { epoch: number; by: string | null } | null = null;
  for (const h of input.parsed.received) if (h.epoch !== null && (hop === null || h.epoch < hop.epoch)) hop = { epoch: h.epoch, by: h.by };
  return { date: input.parsed.dateEpoch, hop };
}

function describeSent(date: number | null, hop: { epoch: number; by: string | null } | null): string {
  const parts: string[] = [];
  if (date !== null) parts.push(`its Date says ${formatTime(date, 'iso')}`);
  if (hop) parts.push(`the first server${hop.by ? `, ${hop.by},` : ''} received it at ${formatTime(hop.epoch, 'iso')}`);
  return parts.join('; ');
}

function documentName(filename: string | null, d: DocumentMetadata): string {
  return filename ? `"${filename}"` : `${d.format} document`;
}

export const check: MessageCheck = {
  id: ID,
  title: 'Attached documents against the message time',
  codes,
  run(input: CheckInput): Finding[] {
    const { date, hop } = messageTimes(input);
    const candidates = [date, hop?.epoch ?? null].filter((t): t is number => t !== null);
    if (candidates.length === 0) return [];
    // The latest of the message's own times: a wrong Date alone never makes a document look late.
    const sent = Math.max(...candidates);
    const out: Finding[] = [];
    input.parsed.attachments.forEach((a, index) => {
      const d = a.document;
      if (!d) return;
      const late = (t: number | null): number | null => (t !== null && t - sent > DOCUMENT_TIME_TOLERANCE_SECONDS ? t - sent : null);
      const createdLate = late(d.created);
      const modifiedLate = late(d.modified);
      if (createdLate === null && modifiedLate === null) return;
      const which = createdLate !== null ? 'created' : 'modified';
      const time = (which === 'created' ? d.created : d.modified)!;
      const by = (createdLate ?? modifiedLate)!;
      out.push({
        check: ID,
        code: `${ID}/${which}-after-message`,
        severity: 'weak',
        detail: `The attached ${documentName(a.filename, d)} says it was ${which === 'created' ? 'created' : 'last modified'} at ${formatTime(time, 'iso')}${d.timesWithoutZone ? ' (written without a zone)' : ''}, ${formatDuration(by, 'prose')} after this message was sent (${describeSent(date, hop)}).`,
        evidence: {
          attachment: index,
          filename: a.filename,
          contentSha256: a.sha256,
          format: d.format,
          created: d.created,
          modified: d.modified,
          timesWithoutZone: d.timesWithoutZone,
          date,
          firstHop: hop,
          secondsAfter: by,
          toleranceSeconds: DOCUMENT_TIME_TOLERANCE_SECONDS,
        },
      });
    });
    return out;
  },
};
