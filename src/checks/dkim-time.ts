// A signature's t= is written by the signing server, usually seconds after the sender's program set
// the Date header. When Date is not among the signed headers, t= is the only time a forger cannot
// move; a signature lifted from another message also carries that message's time.
import type { AsOfSource, CheckInput, Finding, MessageCheck, SignatureCheck } from '../model.ts';
import { CLOCK_SKEW_SECONDS, formatDuration, formatTime } from '../common/time.ts';

const ID = 'dkim-time';

/**
 * Largest distance between t= and Date that ordinary sending explains: a client clock set to the
 * wrong zone (up to 14 hours off) or a message held in an outbox overnight. A Date moved by days, or
 * a signature from another day's message, lies beyond it. Outboxes held longer (date-consistency
 * allows a week before the first hop) also land here: a weak finding a reviewer can clear.
 */
export const DKIM_DATE_LIMIT_SECONDS = 24 * 3600;

/** Where the as-of time came from, in words. */
const AS_OF_WORDS: Record<AsOfSource, string> = {
  received: 'top Received header',
  'dkim-t': 'DKIM signing time',
  date: 'Date header',
  import: 'import time',
};

function describeSignature(sig: SignatureCheck): string {
  return `DKIM signature of ${sig.domain} (selector ${sig.selector})`;
}

function farFromDate(sig: SignatureCheck, signTime: number, date: number, dateRaw: string): Finding | null {
  const difference = signTime - date;
  if (Math.abs(difference) <= DKIM_DATE_LIMIT_SECONDS) return null;
  const dateSigned = sig.signedHeaders.some((h) => h.trim().toLowerCase() === 'date');
  const side = difference > 0 ? 'after' : 'before';
  return {
    check: ID,
    code: `${ID}/far-from-date`,
    severity: 'weak',
    detail: `The ${describeSignature(sig)} was made at ${formatTime(signTime, 'iso')}, ${formatDuration(difference, 'prose')} ${side} the Date header (${dateRaw}); this signature ${dateSigned ? 'covers' : 'does not cover'} the Date header.`,
    evidence: {
      signer: sig.domain,
      selector: sig.selector,
      signTime: formatTime(signTime, 'iso'),
      date: dateRaw,
      differenceSeconds: difference,
      limitSeconds: DKIM_DATE_LIMIT_SECONDS,
      dateSigned,
    },
  };
}

export const check: MessageCheck = {
  id: ID,
  title: 'DKIM signing time against Date and the verification time',
  codes: {
    [`${ID}/far-from-date`]: {
      severity: 'weak',
      meaning: `A DKIM signature's time (t=) is more than ${formatDuration(DKIM_DATE_LIMIT_SECONDS, 'prose')} away from the Date header.`,
    },
    [`${ID}/signed-in-future`]: {
      severity: 'weak',
      meaning: `A DKIM signature's time (t=) is later than the time the message is verified as of, by more than clock skew explains (${formatDuration(CLOCK_SKEW_SECONDS, 'prose')}).`,
    },
  },
  run({ parsed, verification }: CheckInput): Finding[] {
    const findings: Finding[] = [];
    for (const sig of verification.signatures) {
      if (sig.signTime === null) continue;
      if (parsed.dateEpoch !== null) {
        const f = farFromDate(sig, sig.signTime, parsed.dateEpoch, parsed.dateRaw ?? formatTime(parsed.dateEpoch, 'iso'));
        if (f) findings.push(f);
      }
      // When the as-of time was itself taken from a t=, comparing t= with it proves nothing.
      const ahead = sig.signTime - verification.asOf;
      if (verification.asOfSource !== 'dkim-t' && ahead > CLOCK_SKEW_SECONDS) {
        findings.push({
          check: ID,
          code: `${ID}/signed-in-future`,
          severity: 'weak',
          detail: `The ${describeSignature(sig)} claims to have been made at ${formatTime(sig.signTime, 'iso')}, ${formatDuration(ahead, 'prose')} after the message's own time (${formatTime(verification.asOf, 'iso')}, from the ${AS_OF_WORDS[verification.asOfSource]}).`,
          evidence: {
            signer: sig.domain,
            selector: sig.selector,
            signTime: formatTime(sig.signTime, 'iso'),
            asOf: formatTime(verification.asOf, 'iso'),
            asOfSource: verification.asOfSource,
            aheadSeconds: ahead,
            toleranceSeconds: CLOCK_SKEW_SECONDS,
          },
        });
      }
    }
    return findings;
  },
};
