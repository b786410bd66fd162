import { describe, expect, it } from 'vitest';
import { archiveSigning, emptyProfiles, learnSigning } from '../../src/checks/archive-signing.ts';
import type { CopyRecord } from '../../src/checks/archive-copies.ts';
import type { Finding } from '../../src/model.ts';
import { place, record } from './archive-fixtures.ts';
import type { RecordSpec } from './archive-fixtures.ts';
import { received } from './fixtures.ts';

const day = (n: number): string => `Tue, ${n} Mar 2025 09:00:00 +0000`;
const body = (from: string, n: number): string[] => [
  `From: ${from}`,
  'To: bo@ministry.example',
  `Subject: Note ${n}`,
  `Date: ${day(1 + (n % 27))}`,
  `Message-ID: <n${n}@ministry.example>`,
];
/** Delivered on the ministry's own servers: submission then local delivery. */
const internal = (n: number): string[] => [
  received('mail.ministry.example', day(1 + (n % 27)).replace('09:00:00', '09:00:05'), 'mail.ministry.example'),
  'Received: from [10.0.0.7] by mail.ministry.example with ESMTPSA id x1; ' + day(1 + (n % 27)).replace('09:00:00', '09:00:02'),
  ...body('Ana <ana@ministry.example>', n),
];
/** Sent from a rented server straight to the ministry's MX. */
const rented = (n: number): string[] => [
  received('mx.ministry.example', day(1 + (n % 27)).replace('09:00:00', '09:00:05'), 'vps-1.hostcloud.test'),
  'Received: from [192.0.2.9] by vps-1.hostcloud.test with ESMTPSA id y1; ' + day(1 + (n % 27)).replace('09:00:00', '09:00:02'),
  ...body('Ana <ana@ministry.example>', n),
];
/** Submitted to the ministry's server, signed on the way out, received at a partner. */
const outbound = (n: number): string[] => [
  received('mx.partner.example', day(1 + (n % 27)).replace('09:00:00', '09:00:06'), 'out.ministry.example'),
  'Received: from [10.0.0.7] by mail.ministry.example with ESMTPSA id z1; ' + day(1 + (n % 27)).replace('09:00:00', '09:00:02'),
  ...body('Ana <ana@ministry.example>', n),
];

async function many(n: number, make: (i: number) => Promise<CopyRecord>): Promise<CopyRecord[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => make(i)));
}

function judge(archive: CopyRecord[], target: CopyRecord): Finding[] {
  const profiles = emptyProfiles();
  learnSigning([...archive, target], profiles);
  const out = archiveSigning.run({ records: [target], profiles }).get(target.sha256) ?? [];
  for (const f of out) expect(archiveSigning.codes[f.code]?.severity).toBe(f.severity);
  return out;
}

const inbox = [place('bo/INBOX', 'inbox')];
const MISSING = { check: 'dkim', code: 'dkim/missing-signature', severity: 'weak' as const, detail: 'x', evidence: {} };
const spec = (sha256: string, headers: string[], extra: Partial<RecordSpec> = {}): RecordSpec => ({
  sha256,
  headers,
  places: inbox,
  ...extra,
});

describe('archive-signing', () => {
  it('calls unsigned mail normal on a route where the domain does not sign, and explains the missing signature', async () => {
    const usual = await many(12, (i) => record(spec(`u${i}`, internal(i))));
    const f = judge(usual, await record(spec('t', internal(40), { selfFindings: [MISSING] })));
    expect(f.map((x) => [x.code, x.explains])).toEqual([['archive-signing/unsigned-route', ['dkim/missing-signature']]]);
    expect(f[0]!.detail).toMatch(
      /^Mail from ministry\.example delivered on its own servers is usually unsigned in this archive \(13 of 13 messages/,
    );
  });

  it("never calls unsigned mail normal when it entered from another organisation's server", async () => {
    const spoofs = await many(12, (i) => record(spec(`s${i}`, rented(i))));
    expect(judge(spoofs, await record(spec('t', rented(40))))).toEqual([]);
  });

  it('reports unsigned mail of a domain whose own mail is nearly always signed, with the numbers', async () => {
    const signed = await many(22, (i) =>
      record(spec(`o${i}`, outbound(i), { signatures: [{ domain: 'ministry.example', selector: 's2024' }], selfVerdict: 'verified' })),
    );
    const f = judge(signed, await record(spec('t', rented(40))));
    expect(f.map((x) => x.code)).toEqual(['archive-signing/unsigned']);
    expect(f[0]!.detail).toContain('ministry.example signed 22 of its 22 messages sent through its own servers');
    // The domain's own servers are learned from its verified mail: a partner mailbox's copy of such
    // a message submitted to them is "own", and unsigned there is reported too.
    expect(judge(signed, await record(spec('u', outbound(41))))[0]!.code).toBe('archive-signing/unsigned');
  });

  it("learns the domain's own servers from its mail that verifies once a gateway's marks are removed, headers included", async () => {
    const at = (n: number, t: string) => day(1 + (n % 27)).replace('09:00:00', t);
    /** Written on a hosted suite and delivered there, unsigned. */
    const onSuite = (n: number): string[] => [
      received('smtp.suite.example', at(n, '09:00:05'), 'smtp.suite.example'),
      'Received: from [10.0.0.7] by smtp.suite.example with ESMTPSA id s1; ' + at(n, '09:00:02'),
      ...body('Ana <ana@ministry.example>', n),
    ];
    /** Submitted to the suite, signed there, received at a partner whose gateway marked it. */
    const fromSuite = (n: number): string[] => [
      received('mx.partner.example', at(n, '09:00:06'), 'out.suite.example'),
      'Received: from [10.0.0.7] by smtp.suite.example with ESMTPSA id s2; ' + at(n, '09:00:02'),
      ...body('Ana <ana@ministry.example>', n),
    ];
    const marked = (verified: boolean) =>
      many(4, async (i) => {
        const r = await record(
          spec(`m${i}`, fromSuite(i), {
            signatures: [{ domain: 'ministry.example', result: 'fail', bodyHash: 'fail', headerSignature: 'fail' }],
            selfVerdict: 'tampered',
          }),
        );
        r.facts = { ...r.facts, marksCoverAll: true, marksVerified: verified };
        return r;
      });
    const unsigned = await many(12, (i) => record(spec(`u${i}`, onSuite(i))));
    const target = await record(spec('t', onSuite(40), { selfFindings: [MISSING] }));
    expect(judge([...(await marked(true)), ...unsigned], target).map((x) => x.code)).toEqual(['archive-signing/unsigned-route']);
    // Only the body hash checked (the key unknown or replaced): no signer proven, the suite not the domain's.
    expect(judge([...(await marked(false)), ...unsigned], target)).toEqual([]);
  });

  it('reports a retired weak key among strong ones, not a domain that only ever used a weak key', async () => {
    const strong = await many(22, (i) =>
      record(spec(`k${i}`, outbound(i), { signatures: [{ domain: 'ministry.example', selector: 's2024' }] })),
    );
    const weak = (sha: string) =>
      record(spec(sha, outbound(45), { signatures: [{ domain: 'ministry.example', selector: 'mail2016', keyBits: 512 }] }));
    const f = judge(strong, await weak('t'));
    expect(f.map((x) => x.code)).toEqual(['archive-signing/weak-key-retired']);
    expect(f[0]!.detail).toContain('this one carries only mail2016, a 512-bit key');
    const weakOnly = await many(22, (i) =>
      record(spec(`w${i}`, outbound(i), { signatures: [{ domain: 'ministry.example', selector: 'mail2016', keyBits: 512 }] })),
    );
    expect(judge(weakOnly, await weak('t'))).toEqual([]);
  });

  it("reports a third party's signature on mail of a domain that signs its own, not a provider it always uses", async () => {
    const own = await many(22, (i) => record(spec(`k${i}`, outbound(i), { signatures: [{ domain: 'ministry.example' }] })));
    const third = await record(spec('t', outbound(50), { signatures: [{ domain: 'sender.example' }] }));
    expect(judge(own, third).map((x) => x.code)).toEqual(['archive-signing/foreign-signer']);
    const newsletters = await many(22, (i) => record(spec(`n${i}`, outbound(i), { signatures: [{ domain: 'sender.example' }] })));
    expect(judge(newsletters, third)).toEqual([]);
  });
});
