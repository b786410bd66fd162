// Received headers (RFC 5321 4.4) turned into hops: who handed the message to whom, and when.
import type { RawHeader, ReceivedHop } from '../model.ts';
import { mailTimeZone, parseMailTime } from './mail-time.ts';

export function readReceivedHops(headers: RawHeader[]): ReceivedHop[] {
  return headers
    .filter((h) => h.key === 'received')
    .map((h, index) => {
      const value = h.value;
      const semi = value.lastIndexOf(';');
      const clauses = semi === -1 ? value : value.slice(0, semi);
      const timeText = semi === -1 ? null : value.slice(semi + 1).trim();
      const epoch = parseMailTime(timeText);
      return {
        index,
        from: clause(clauses, 'from'),
        by: clause(clauses, 'by'),
        time: epoch === null ? null : new Date(epoch * 1000).toISOString(),
        epoch,
        zone: epoch === null ? null : mailTimeZone(timeText),
        raw: h.raw,
      };
    });
}

function clause(text: string, word: string): string | null {
  const m = new RegExp(`(?:^|\\s)${word}\\s+([^\\s;()]+)`, 'i').exec(text);
  return m ? m[1]!.toLowerCase() : null;
}
