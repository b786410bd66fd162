import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/duplicate-headers.ts';
import { codesOf, received, runCheck } from './fixtures.ts';

const ORIGINAL = [
  received('mx.example.org', 'Tue, 1 Apr 2025 10:00:05 +0000'),
  'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from:to:subject:date; bh=abc; b=def',
  'From: Alice <alice@example.com>',
  'To: bob@example.org',
  'Subject: Quarterly figures',
  'Date: Tue, 1 Apr 2025 10:00:00 +0000',
];

describe('duplicate-headers', () => {
  it('finds nothing when every header occurs once', async () => {
    expect(await runCheck(check, { headers: ORIGINAL, signatures: [{ domain: 'example.com' }] })).toEqual([]);
  });

  it('reports a Subject added above the signed one as an unsigned copy', async () => {
    const findings = await runCheck(check, {
      headers: ['Subject: Wire the money today', ...ORIGINAL],
      signatures: [{ domain: 'example.com', signedHeaders: ['from', 'to', 'subject', 'date'] }],
    });
    expect(codesOf(findings)).toEqual(['duplicate-headers/unsigned-copy']);
    expect(findings[0]!.severity).toBe('strong');
    expect(findings[0]!.detail).toContain('Wire the money today');
    expect(findings[0]!.evidence).toMatchObject({ header: 'Subject', occurrences: 2, signedCopies: 1, unsigned: [{ index: 0 }] });
  });

  it('accepts both copies when the signature lists the name twice', async () => {
    const headers = [...ORIGINAL, 'To: carol@example.org'];
    expect(
      await runCheck(check, { headers, signatures: [{ domain: 'example.com', signedHeaders: ['from', 'to', 'to', 'subject'] }] }),
    ).toEqual([]);
  });

  it('accepts an over-signed name (listed more often than it occurs)', async () => {
    const headers = [...ORIGINAL, 'Cc: dan@example.org', 'Cc: erin@example.org'];
    expect(await runCheck(check, { headers, signatures: [{ domain: 'example.com', signedHeaders: ['from', 'cc', 'cc', 'cc'] }] })).toEqual(
      [],
    );
  });

  it('counts the best covering signature when there are several', async () => {
    const headers = ['From: Mallory <mallory@example.com>', ...ORIGINAL];
    const signatures = [
      { domain: 'example.com', signedHeaders: ['from', 'subject'] },
      { domain: 'esp.example.net', signedHeaders: ['from', 'from', 'subject'] },
    ];
    expect(await runCheck(check, { headers, signatures })).toEqual([]);
  });

  it('does not let a signature that could not be parsed cover anything', async () => {
    const headers = ['Subject: Wire the money today', ...ORIGINAL];
    const findings = await runCheck(check, { headers, signatures: [{ domain: 'example.com', result: 'permerror' }] });
    expect(codesOf(findings)).toEqual(['duplicate-headers/repeated-singleton']);
    expect(findings[0]!.detail).toContain('no DKIM signature covers them');
  });

  it('reports a repeated From on an unsigned message', async () => {
    const findings = await runCheck(check, { headers: ['From: ceo@example.com', ...ORIGINAL] });
    expect(codesOf(findings)).toEqual(['duplicate-headers/repeated-singleton']);
    expect(findings[0]!.severity).toBe('weak');
    expect(findings[0]!.detail).toContain('the message is not signed');
  });

  it('reports a repeated singleton that the signature does not list', async () => {
    const headers = [...ORIGINAL, 'Reply-To: a@example.com', 'Reply-To: b@attacker.example'];
    const findings = await runCheck(check, { headers, signatures: [{ domain: 'example.com', signedHeaders: ['from', 'subject'] }] });
    expect(codesOf(findings)).toEqual(['duplicate-headers/repeated-singleton']);
    expect(findings[0]!.evidence).toMatchObject({ header: 'Reply-To', occurrences: 2 });
  });

  it('matches names case-insensitively and quotes folded values unfolded', async () => {
    const headers = ['SUBJECT: Wire the money\r\n today', ...ORIGINAL];
    const findings = await runCheck(check, { headers, signatures: [{ domain: 'example.com', signedHeaders: ['From', 'Subject'] }] });
    expect(codesOf(findings)).toEqual(['duplicate-headers/unsigned-copy']);
    expect(findings[0]!.detail).toContain('"Wire the money today"');
  });

  it('ignores headers every hop adds again, even when signed once', async () => {
    const headers = [
      received('mx2.example.org', 'Tue, 1 Apr 2025 10:00:09 +0000'),
      'Authentication-Results: mx2.example.org; none',
      'Authentication-Results: mx.example.org; none',
      ...ORIGINAL,
    ];
    expect(await runCheck(check, { headers, signatures: [{ domain: 'example.com', signedHeaders: ['from', 'received'] }] })).toEqual([]);
  });

  it('ignores repeated headers that may repeat (Comments, Keywords)', async () => {
    expect(await runCheck(check, { headers: ['Keywords: a', 'Keywords: b', ...ORIGINAL] })).toEqual([]);
  });

  it('handles a message without headers', async () => {
    expect(await runCheck(check, { headers: [] })).toEqual([]);
  });
});
