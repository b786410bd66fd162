// The archive checks that learn platforms: embedded times, program fingerprints, look-alike domains.
import { describe, expect, it } from 'vitest';
import { archiveTimestamps, learnTimeFormats } from '../../src/checks/archive-timestamps.ts';
import { archiveFingerprint, emptyFingerprints, learnFingerprints } from '../../src/checks/archive-fingerprint.ts';
import { archiveLookalike, knownDomains, learnDomains } from '../../src/checks/archive-lookalike.ts';
import { decideVerdict } from '../../src/verdict/decide-verdict.ts';
import type { CopyRecord } from '../../src/checks/archive-copies.ts';
import { record } from './archive-fixtures.ts';

const T = Date.UTC(2024, 0, 16, 8, 36, 33) / 1000;
const mailDate = (epoch: number): string => new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');

/** An Outlook message id: a counter, then the FILETIME of the moment it was written, as hex words. */
function outlookId(epoch: number, n: number): string {
  const ticks = (BigInt(epoch) + 11_644_473_600n) * 10_000_000n;
  const hex = ticks.toString(16).padStart(16, '0');
  return `<${n.toString(16).padStart(4, '0')}${hex.slice(0, 8)}$${hex.slice(8)}$3c4bf7a8$@ministry.example>`;
}

function outlook(n: number, dateEpoch: number, idEpoch = dateEpoch, mailer = 'X-Mailer: Microsoft Outlook 16.0'): Promise<CopyRecord> {
  return record({
    sha256: `o${n}`,
    headers: [
      'From: Tom <tom@ministry.example>',
      'To: ana@ministry.example',
      `Subject: n${n}`,
      `Date: ${mailDate(dateEpoch)}`,
      `Message-ID: ${outlookId(idEpoch, n)}`,
      mailer,
    ],
  });
}

function k9(
  n: number,
  id = `<${['f47ac10b', '58cc', '4372', 'a567', `0e02b2c3d${String(n).padStart(3, '0')}`].join('-')}@ministry.example>`,
  mailer = 'User-Agent: K-9 Mail for Android',
): Promise<CopyRecord> {
  return record({
    sha256: `k${n}`,
    headers: [
      'From: Ana <ana@ministry.example>',
      'To: tom@ministry.example',
      `Subject: k${n}`,
      `Date: ${mailDate(T + n * 3600)}`,
      `Message-ID: ${id}`,
      mailer,
    ],
  });
}

const many = (n: number, make: (i: number) => Promise<CopyRecord>): Promise<CopyRecord[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => make(i)));

describe('archive-timestamps', () => {
  it('reports a Date moved away from the time the program wrote into the Message-ID, once the format is learned', async () => {
    const usual = await many(22, (i) => outlook(i, T + i * 86400));
    const moved = await outlook(99, T + 4 * 86400, T);
    const formats = learnTimeFormats([...usual, moved]);
    const out = archiveTimestamps.run({ records: [moved, usual[3]!], formats });
    expect(out.get('o99')!.map((f) => f.code)).toEqual(['archive-timestamps/contradicts-date']);
    expect(out.get('o99')![0]!.detail).toContain('4 days before the Date header');
    expect(out.has('o3')).toBe(false);
    // Not learned from too few messages.
    expect(archiveTimestamps.run({ records: [moved], formats: learnTimeFormats([...usual.slice(0, 5), moved]) }).size).toBe(0);
  });
});

describe('archive-fingerprint', () => {
  it("reports a message whose mailer header is one program's and whose Message-ID is another's", async () => {
    const archive = [...(await many(22, (i) => outlook(i, T + i * 60))), ...(await many(22, (i) => k9(i)))];
    const forged = await k9(77, undefined, 'X-Mailer: Microsoft Outlook 16.0');
    const profiles = emptyFingerprints();
    learnFingerprints([...archive, forged], profiles);
    const out = archiveFingerprint.run({ records: [forged, archive[0]!, archive[30]!], profiles });
    expect(out.get('k77')!.map((f) => f.code)).toContain('archive-fingerprint/platform-mismatch');
    expect(out.get('k77')!.find((f) => f.code === 'archive-fingerprint/platform-mismatch')!.detail).toMatch(
      /"Microsoft Outlook #".*Message-ID shape.*"K-# Mail for Android"/,
    );
    expect(out.has('o0')).toBe(false);
    expect(out.has('k30')).toBe(false);
  });

  it("notes a sender's first message from a new program without flagging it", async () => {
    const archive = await many(22, (i) => outlook(i, T + i * 60));
    const phone = await record({
      sha256: 'p',
      headers: [
        'From: Tom <tom@ministry.example>',
        'To: ana@ministry.example',
        'Subject: from the phone',
        `Date: ${mailDate(T)}`,
        'Message-ID: <A2AD8393-9041-4E0F-90EE-426551F430D7@ministry.example>',
        'X-Mailer: iPhone Mail (20F66)',
      ],
    });
    const profiles = emptyFingerprints();
    learnFingerprints([...archive, phone], profiles);
    const out = archiveFingerprint.run({ records: [phone], profiles });
    expect(out.get('p')!.map((f) => [f.code, f.severity])).toEqual([['archive-fingerprint/new-client', 'info']]);
  });
});

describe('archive-lookalike', () => {
  it('reports a rare From domain that imitates a frequent correspondent, and keeps its signature from verifying the message', async () => {
    const archive = await many(25, (i) => outlook(i, T + i * 60));
    const fake = await record({
      sha256: 'f',
      headers: ['From: Tom <tom@ministry-office.example>', 'To: ana@ministry.example', 'Subject: urgent', `Date: ${mailDate(T)}`],
      signatures: [{ domain: 'ministry-office.example' }],
    });
    const counts = learnDomains([...archive, fake]);
    const out = archiveLookalike.run({ records: [fake, archive[0]!], counts, known: knownDomains(counts) });
    const f = out.get('f')!;
    expect(f.map((x) => x.code)).toEqual(['archive-lookalike/from']);
    expect(f[0]!.detail).toContain('looks like ministry.example');
    expect(out.has('o0')).toBe(false);
    const proof = { check: 'dkim', code: 'dkim/pass', severity: 'info' as const, detail: 'It verifies.', evidence: {}, signature: 0 };
    expect(decideVerdict([proof]).verdict).toBe('verified');
    expect(decideVerdict([proof, ...f]).verdict).toBe('suspicious');
  });
});
