// The time a message is verified as of: the message's own time, never today (../shared/DESIGN.md, 'Data flow').
import type { AsOfSource, ParsedMessage } from '../model.ts';

/**
 * The topmost Received hop is written by the receiving system when the message arrived; it is
 * the most trustworthy time a dump offers. Without it, the earliest DKIM t= (written by the
 * signer), then the Date header (written by the sender's client), then the import time.
 */
export function chooseAsOf(parsed: ParsedMessage, signTimes: (number | null)[], now: number): { asOf: number; source: AsOfSource } {
  const top = parsed.received.find((h) => h.epoch !== null);
  if (top?.epoch !== undefined && top.epoch !== null) return { asOf: top.epoch, source: 'received' };
  const times = signTimes.filter((t): t is number => t !== null && t > 0);
  if (times.length) return { asOf: Math.min(...times), source: 'dkim-t' };
  if (parsed.dateEpoch !== null) return { asOf: parsed.dateEpoch, source: 'date' };
  return { asOf: now, source: 'import' };
}
