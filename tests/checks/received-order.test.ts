import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/received-order.ts';
import { formatDuration } from '../../src/common/time.ts';
import { codesOf, received, runCheck } from './fixtures.ts';

const BODY_HEADERS = ['From: alice@example.com', 'Date: Tue, 1 Apr 2025 10:00:00 +0000'];

describe('received-order', () => {
  it('accepts hops whose times move forward from bottom to top', async () => {
    const headers = [
      received('mx.example.org', 'Tue, 1 Apr 2025 10:00:09 +0000'),
      received('relay.example.net', 'Tue, 1 Apr 2025 10:00:05 +0000'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:01 +0000'),
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('compares instants, not the clock faces of different zones', async () => {
    const headers = [
      received('mx.example.org', 'Tue, 1 Apr 2025 03:00:09 -0700'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 12:00:01 +0200'),
      ...BODY_HEADERS,
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('forgives clock skew up to 15 minutes', async () => {
    const headers = [
      received('mx.example.org', 'Tue, 1 Apr 2025 09:46:00 +0000'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:00 +0000'),
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('reports a hop stamped an hour before the hop below it (a zone written wrong)', async () => {
    const headers = [
      received('mx.example.org', 'Tue, 1 Apr 2025 10:00:09 +0100'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:01 +0000'),
      ...BODY_HEADERS,
    ];
    const findings = await runCheck(check, { headers });
    expect(codesOf(findings)).toEqual(['received-order/out-of-order']);
    expect(findings[0]!.detail).toContain('59 minutes before the hop below it by smtp.example.com');
    expect(findings[0]!.evidence).toMatchObject({
      laterHop: { index: 0, by: 'mx.example.org' },
      earlierHop: { index: 1 },
      differenceSeconds: -3592,
    });
  });

  it('reports a gap of more than 7 days between two hops', async () => {
    const headers = [
      received('mx.example.org', 'Fri, 11 Apr 2025 10:00:00 +0000'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:00 +0000'),
    ];
    const findings = await runCheck(check, { headers });
    expect(codesOf(findings)).toEqual(['received-order/impossible-gap']);
    expect(findings[0]!.detail).toContain('10 days after the hop below it');
  });

  it('accepts a 5-day retry queue', async () => {
    const headers = [
      received('mx.example.org', 'Sun, 6 Apr 2025 09:00:00 +0000'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:00 +0000'),
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('allows any delay before a mailbox fetch (fetchmail over POP3)', async () => {
    const headers = [
      'Received: from pop.example.org by laptop.local with POP3 (fetchmail-6.4.37); Thu, 1 May 2025 08:00:00 +0200',
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:00 +0000'),
    ];
    expect(await runCheck(check, { headers })).toEqual([]);
  });

  it('notes a hop with no time and one with an unreadable time, and compares across them', async () => {
    const headers = [
      received('mx.example.org', 'Tue, 1 Apr 2025 08:00:00 +0000'),
      'Received: from relay.example.net by gw.example.org with SMTP id 77',
      received('relay.example.net', 'the day after yesterday'),
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:00 +0000'),
    ];
    const findings = await runCheck(check, { headers });
    expect(codesOf(findings)).toEqual([
      'received-order/unparseable-time',
      'received-order/unparseable-time',
      'received-order/out-of-order',
    ]);
    expect(findings[0]!.detail).toBe(
      'The time in the Received header by relay.example.net (number 3 from the top) cannot be read: "the day after yesterday".',
    );
    expect(findings[1]!.detail).toBe('The Received header by gw.example.org (number 2 from the top) has no time stamp.');
    expect(findings[0]!.severity).toBe('info');
  });

  it('reads a folded Received header', async () => {
    const headers = [
      'Received: from relay.example.net (relay.example.net [192.0.2.7])\r\n\tby mx.example.org with ESMTPS id 4Xy1\r\n\tfor <bob@example.org>; Tue, 1 Apr 2025 08:00:00 +0000',
      received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:00 +0000'),
    ];
    expect(codesOf(await runCheck(check, { headers }))).toEqual(['received-order/out-of-order']);
  });

  it('finds nothing in a message without Received headers', async () => {
    expect(await runCheck(check, { headers: BODY_HEADERS })).toEqual([]);
  });

  it('describes durations in words', async () => {
    expect(formatDuration(-3592, 'prose')).toBe('59 minutes');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 5 * 60, 'prose')).toBe('3 days 4 hours');
    expect(formatDuration(12, 'prose')).toBe('12 seconds');
  });
});
