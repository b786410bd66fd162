// Each relay adds its Received header on top of the ones below, stamped with the time it took the
// message in; read bottom (oldest) to top (newest), the stamps must move forward. A forger who writes
// or edits hops by hand gets zones wrong and leaves hops in the wrong order or days apart.
import type { CheckInput, Finding, MessageCheck, ReceivedHop } from '../model.ts';
import { CLOCK_SKEW_SECONDS, formatDuration, formatTime } from '../common/time.ts';

const ID = 'received-order';

/**
 * Longest plausible wait between two hops. RFC 5321 4.5.4.1 suggests a sender keep retrying for
 * 4-5 days before it gives up; 7 days leaves room for skew and a second queue on the way. A longer
 * gap is not delivery but a stamp written later or edited.
 */
export const MAX_HOP_GAP_SECONDS = 7 * 24 * 3600;

/**
 * Hops that record a mailbox being fetched (fetchmail and the like: "with POP3", "with IMAP"), not a
 * relay: the owner may fetch weeks later, so no gap limit applies to the gap ending at such a hop.
 */
const RETRIEVAL_HOP = /\bwith\s+(POP3?|IMAP4?|IMAPS)\b/i;

/** How a hop is named in a sentence: its `by` host, and its place counted from the top. */
function describeHop(hop: ReceivedHop): string {
  return `Received header by ${hop.by ?? 'an unnamed host'} (number ${hop.index + 1} from the top)`;
}

function hopEvidence(hop: ReceivedHop): Record<string, unknown> {
  return { index: hop.index, by: hop.by, time: hop.time, zone: hop.zone };
}

function unparseable(hop: ReceivedHop): Finding {
  const semicolon = hop.raw.lastIndexOf(';');
  const written = semicolon >= 0 ? hop.raw.slice(semicolon + 1).trim() : null;
  return {
    check: ID,
    code: `${ID}/unparseable-time`,
    severity: 'info',
    detail: written ? `The time in the ${describeHop(hop)} cannot be read: "${written}".` : `The ${describeHop(hop)} has no time stamp.`,
    evidence: { hop: hop.index, by: hop.by, written },
  };
}

export const check: MessageCheck = {
  id: ID,
  title: 'Order of the Received hops',
  codes: {
    [`${ID}/out-of-order`]: {
      severity: 'weak',
      meaning: `A Received hop is stamped earlier than the hop below it by more than clock skew explains (${formatDuration(CLOCK_SKEW_SECONDS, 'prose')}).`,
    },
    [`${ID}/impossible-gap`]: {
      severity: 'weak',
      meaning: `Two consecutive Received hops are more than ${formatDuration(MAX_HOP_GAP_SECONDS, 'prose')} apart, longer than mail servers keep retrying.`,
    },
    [`${ID}/unparseable-time`]: {
      severity: 'info',
      meaning: 'A Received header has no time stamp or one that cannot be read, so it cannot be placed in order.',
    },
  },
  run({ parsed }: CheckInput): Finding[] {
    const findings: Finding[] = [];
    let previous: ReceivedHop | null = null; // the nearest timed hop below
    for (const hop of [...parsed.received].sort((a, b) => b.index - a.index)) {
      if (hop.epoch === null) {
        findings.push(unparseable(hop));
        continue;
      }
      if (previous !== null && previous.epoch !== null) {
        const step = hop.epoch - previous.epoch;
        const evidence = { earlierHop: hopEvidence(previous), laterHop: hopEvidence(hop), differenceSeconds: step };
        if (step < -CLOCK_SKEW_SECONDS) {
          findings.push({
            check: ID,
            code: `${ID}/out-of-order`,
            severity: 'weak',
            detail: `The ${describeHop(hop)} is stamped ${formatTime(hop.epoch, 'iso')}, ${formatDuration(step, 'prose')} before the hop below it by ${previous.by ?? 'an unnamed host'} (${formatTime(previous.epoch, 'iso')}), although a hop is always added after the one below it.`,
            evidence: { ...evidence, toleranceSeconds: CLOCK_SKEW_SECONDS },
          });
        } else if (step > MAX_HOP_GAP_SECONDS && !RETRIEVAL_HOP.test(hop.raw)) {
          findings.push({
            check: ID,
            code: `${ID}/impossible-gap`,
            severity: 'weak',
            detail: `The ${describeHop(hop)} is stamped ${formatTime(hop.epoch, 'iso')}, ${formatDuration(step, 'prose')} after the hop below it by ${previous.by ?? 'an unnamed host'} (${formatTime(previous.epoch, 'iso')}), longer than mail servers keep retrying.`,
            evidence: { ...evidence, limitSeconds: MAX_HOP_GAP_SECONDS },
          });
        }
      }
      previous = hop;
    }
    return findings;
  },
};
