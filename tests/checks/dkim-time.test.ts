import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/dkim-time.ts';
import { T0, codesOf, received, runCheck } from './fixtures.ts';

const HOUR = 3600;
const HEADERS = [
  received('mx.example.org', 'Tue, 1 Apr 2025 10:00:05 +0000'),
  'From: alice@example.com',
  'Date: Tue, 1 Apr 2025 10:00:00 +0000',
];

describe('dkim-time', () => {
  it('accepts a signature made seconds after the Date', async () => {
    expect(await runCheck(check, { headers: HEADERS, signatures: [{ domain: 'example.com', signTime: T0 + 2 }] })).toEqual([]);
  });

  it('ignores signatures without t=', async () => {
    expect(await runCheck(check, { headers: HEADERS, signatures: [{ domain: 'example.com', signTime: null }] })).toEqual([]);
  });

  it('accepts a Date up to a day away (a sender clock in the wrong zone)', async () => {
    const headers = [...HEADERS.slice(0, 2), 'Date: Tue, 1 Apr 2025 10:00:00 +1400'];
    expect(await runCheck(check, { headers, signatures: [{ domain: 'example.com', signTime: T0 }] })).toEqual([]);
  });

  it('reports a signature made days after the Date, saying Date was not signed', async () => {
    const findings = await runCheck(check, {
      headers: HEADERS,
      asOf: T0 + 3 * 24 * HOUR + 10,
      signatures: [{ domain: 'example.com', signTime: T0 + 3 * 24 * HOUR, signedHeaders: ['from', 'subject'] }],
    });
    expect(codesOf(findings)).toEqual(['dkim-time/far-from-date']);
    expect(findings[0]!.detail).toBe(
      'The DKIM signature of example.com (selector s1) was made at 2025-04-04T10:00:00Z, 3 days after the Date header (Tue, 1 Apr 2025 10:00:00 +0000); this signature does not cover the Date header.',
    );
    expect(findings[0]!.evidence).toMatchObject({ dateSigned: false, differenceSeconds: 3 * 24 * HOUR });
  });

  it('reports a signature made long before the Date (a Date moved forward)', async () => {
    const findings = await runCheck(check, { headers: HEADERS, signatures: [{ domain: 'example.com', signTime: T0 - 30 * HOUR }] });
    expect(codesOf(findings)).toEqual(['dkim-time/far-from-date']);
    expect(findings[0]!.detail).toContain('1 day 6 hours before the Date header');
    expect(findings[0]!.detail).toContain('this signature covers the Date header');
  });

  it('has nothing to compare t= with when the Date is missing or unreadable', async () => {
    const signatures = [{ domain: 'example.com', signTime: T0 - 30 * HOUR }];
    expect(await runCheck(check, { headers: HEADERS.slice(0, 2), signatures })).toEqual([]);
    expect(await runCheck(check, { headers: [...HEADERS.slice(0, 2), 'Date: soon'], signatures })).toEqual([]);
  });

  it('reports a signature dated after the message was received', async () => {
    const findings = await runCheck(check, { headers: HEADERS, signatures: [{ domain: 'example.com', signTime: T0 + 20 * HOUR }] });
    expect(codesOf(findings)).toEqual(['dkim-time/signed-in-future']);
    expect(findings[0]!.detail).toContain('from the top Received header');
    expect(findings[0]!.evidence).toMatchObject({ asOfSource: 'received', aheadSeconds: 20 * HOUR - 5 });
  });

  it('forgives 15 minutes of skew between signer and receiver', async () => {
    expect(await runCheck(check, { headers: HEADERS, signatures: [{ domain: 'example.com', signTime: T0 + 14 * 60 }] })).toEqual([]);
  });

  it('does not compare t= with an as-of time taken from t= itself', async () => {
    const signatures = [
      { domain: 'example.com', signTime: T0 },
      { domain: 'list.example.net', signTime: T0 + 2 * HOUR },
    ];
    expect(await runCheck(check, { headers: HEADERS.slice(1), asOf: T0, asOfSource: 'dkim-t', signatures })).toEqual([]);
  });

  it('reports each signature on its own', async () => {
    const signatures = [
      { domain: 'example.com', signTime: T0 + 2 },
      { domain: 'old.example.net', selector: 'k9', signTime: T0 - 400 * 24 * HOUR },
    ];
    const findings = await runCheck(check, { headers: HEADERS, signatures });
    expect(codesOf(findings)).toEqual(['dkim-time/far-from-date']);
    expect(findings[0]!.evidence).toMatchObject({ signer: 'old.example.net', selector: 'k9' });
  });
});
