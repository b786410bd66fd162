// A mailbox whose messages were rewritten on their way into the dump (an export that re-encoded
// every body), beside another person's mailbox holding the same messages as delivered: imported
// for real, signed with the test corpus's keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StoredVerdict, compose, deliver, sign, tempDump } from '../helpers/mail-dump.ts';

const dump = tempDump('lt-rewritten-');

const SIGNERS: [string, string][] = [
  ['example-news.org', 'sel2024'],
  ['ministry.example', 'mail'],
  ['example-nevvs.org', 'sel1'],
];
const MESSAGES = 24;
/** The one message of anna's mailbox that was also edited (a figure changed). */
const EDITED = 7;

/** What the export did to each of anna's messages: the body re-encoded as quoted-printable ("=" becomes "=3D"). */
function reencode(message: string): string {
  const cut = message.indexOf('\r\n\r\n');
  const body = Buffer.from(message.slice(cut + 4), 'utf8');
  let qp = '';
  for (const b of body) qp += b >= 0x80 || b === 0x3d ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  return `${message.slice(0, cut)}\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${qp}`;
}

const verdictOf = (file: string): StoredVerdict => dump.verdictOf(file);

beforeAll(async () => {
  const files: Record<string, string> = {};
  for (let n = 0; n < MESSAGES; n++) {
    const [domain, selector] = SIGNERS[n % SIGNERS.length]!;
    const date = new Date(Date.UTC(2025, 3, 1 + n, 9));
    const plain = compose({
      from: `Partner ${n} <p${n}@${domain}>`,
      to: ['anna@org.example', 'tom@org.example'],
      subject: `Report ${n}`,
      date,
      messageId: `<r${n}@${domain}>`,
      body: `Hello both,\n\nthe budget for month ${n}: total = ${1000 + n} euros.\n\nBest,\nP.\n`,
    });
    const signed = await sign(plain, domain, selector, date);
    const at = new Date(date.getTime() + 5000);
    files[`tom/INBOX/${n}.eml`] = deliver(signed, 'tom@org.example', 'mx.org.example', at);
    const anna = reencode(deliver(signed, 'anna@org.example', 'mx.org.example', at));
    files[`anna/INBOX/${n}.eml`] = n === EDITED ? anna.replace(`${1000 + n} euros`, `${9000 + n} euros`) : anna;
  }
  await dump.import(files, Date.UTC(2025, 6, 1) / 1000);
}, 60_000);

afterAll(() => dump.remove());

describe('a mailbox rewritten on its way into the dump', () => {
  it('verifies the copies as delivered', () => {
    for (let n = 0; n < MESSAGES; n++) expect(verdictOf(`tom/INBOX/${n}.eml`).verdict).toBe('verified');
  });

  it('says the re-encoded copies are unverifiable, not tampered, and why', () => {
    for (let n = 0; n < MESSAGES; n++) {
      if (n === EDITED) continue;
      const v = verdictOf(`anna/INBOX/${n}.eml`);
      expect(v.verdict, `anna/INBOX/${n}.eml`).toBe('unverifiable');
      expect(v.reasons[0]).toBe('archive-export/rewritten-mailbox');
      expect(v.reasons).toContain('dkim/body-hash-mismatch');
    }
  });

  it('still calls the copy that was also edited tampered: it differs from the verified copy', () => {
    const v = verdictOf(`anna/INBOX/${EDITED}.eml`);
    expect(v.verdict).toBe('tampered');
    expect(v.reasons[0]).toBe('archive-copies/differs-from-verified');
  });
});
