// The Date header is written by the sender's mail program when the message is sent; the bottom
// Received hop is stamped by the first server that took it. A back- or forward-dated Date (the
// classic edit to fit a story) lands on the wrong side of that stamp.
import type { CheckInput, Finding, MessageCheck, ReceivedHop } from '../model.ts';
import { CLOCK_SKEW_SECONDS, formatDuration, formatTime } from '../common/time.ts';

const ID = 'date-consistency';

/**
 * How long a message may wait between the Date its program wrote and the first server. A program
 * that is offline keeps the message in its outbox with the Date of the send click: a laptop shut over
 * a long weekend or a trip. Beyond a week, a Date set back by hand is the likelier explanation.
 */
export const MAX_OUTBOX_DELAY_SECONDS = 7 * 24 * 3600;

/** The bottom-most Received hop with a readable time: the first server that took the message. */
function firstTimedHop(hops: ReceivedHop[]): ReceivedHop | null {
  let first: ReceivedHop | null = null;
  for (const hop of hops) {
    if (hop.epoch !== null && (first === null || hop.index > first.index)) first = hop;
  }
  return first;
}

function finding(code: string, severity: 'info' | 'weak', detail: string, evidence: Record<string, unknown>): Finding {
  return { check: ID, code: `${ID}/${code}`, severity, detail, evidence };
}

export const check: MessageCheck = {
  id: ID,
  title: 'Date header against the first Received hop',
  codes: {
    [`${ID}/after-first-hop`]: {
      severity: 'weak',
      meaning: `The Date header is later than the first server's Received time by more than clock skew explains (${formatDuration(CLOCK_SKEW_SECONDS, 'prose')}).`,
    },
    [`${ID}/long-before-first-hop`]: {
      severity: 'weak',
      meaning: `The Date header is more than ${formatDuration(MAX_OUTBOX_DELAY_SECONDS, 'prose')} earlier than the first server's Received time, longer than a message plausibly waits in an outbox.`,
    },
    [`${ID}/impossible-date`]: {
      severity: 'weak',
      meaning:
        'The Date header names a day or time that does not exist (31 February, a weekday that does not match the date): mail programs write dates from the clock, so such a date was written or edited by hand.',
    },
    [`${ID}/missing`]: {
      severity: 'info',
      meaning: 'The message has no Date header, which every sent message should carry.',
    },
    [`${ID}/unparseable`]: {
      severity: 'info',
      meaning: 'The Date header cannot be read as a date, so it cannot be compared with other times.',
    },
  },
  run({ parsed }: CheckInput): Finding[] {
    const written = parsed.dateRaw ?? parsed.headers.find((h) => h.key === 'date')?.value ?? null;
    if (written === null) {
      return [finding('missing', 'info', 'The message has no Date header.', { date: null })];
    }
    const impossible = parsed.dateProblem
      ? [
          finding('impossible-date', 'weak', `The Date header "${written}" cannot be a real date: ${parsed.dateProblem}.`, {
            date: written,
            problem: parsed.dateProblem,
          }),
        ]
      : [];
    if (parsed.dateEpoch === null) {
      return impossible.length > 0
        ? impossible
        : [finding('unparseable', 'info', `The Date header "${written}" cannot be read as a date.`, { date: written })];
    }
    return [...impossible, ...compareWithFirstHop(parsed, written, parsed.dateEpoch)];
  },
};

function compareWithFirstHop(parsed: CheckInput['parsed'], written: string, date: number): Finding[] {
  const hop = firstTimedHop(parsed.received);
  if (hop === null || hop.epoch === null) return []; // nothing to compare with; received-order reports why
  const difference = date - hop.epoch;
  const evidence = {
    date: written,
    dateUtc: formatTime(date, 'iso'),
    firstHop: { index: hop.index, by: hop.by, time: hop.time, zone: hop.zone },
    differenceSeconds: difference,
  };
  const by = hop.by ?? 'an unnamed host';
  if (difference > CLOCK_SKEW_SECONDS) {
    return [
      finding(
        'after-first-hop',
        'weak',
        `The Date header (${written}) is ${formatDuration(difference, 'prose')} later than the time the first server, ${by}, received the message (${formatTime(hop.epoch, 'iso')}).`,
        { ...evidence, toleranceSeconds: CLOCK_SKEW_SECONDS },
      ),
    ];
  }
  if (-difference > MAX_OUTBOX_DELAY_SECONDS) {
    return [
      finding(
        'long-before-first-hop',
        'weak',
        `The Date header (${written}) is ${formatDuration(difference, 'prose')} earlier than the time the first server, ${by}, received the message (${formatTime(hop.epoch, 'iso')}).`,
        { ...evidence, limitSeconds: MAX_OUTBOX_DELAY_SECONDS },
      ),
    ];
  }
  return [];
}
