import { describe, expect, it } from 'vitest';
import { check } from '../../src/checks/date-consistency.ts';
import { codesOf, received, runCheck } from './fixtures.ts';

const HOPS = [received('mx.example.org', 'Tue, 1 Apr 2025 10:05:00 +0000'), received('smtp.example.com', 'Tue, 1 Apr 2025 10:00:30 +0000')];

function withDate(date: string | null, hops = HOPS): string[] {
  return [...hops, 'From: alice@example.com', ...(date === null ? [] : [`Date: ${date}`])];
}

describe('date-consistency', () => {
  it('accepts a Date seconds before the first hop', async () => {
    expect(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 10:00:00 +0000') })).toEqual([]);
  });

  it('compares against the bottom hop, across time zones', async () => {
    expect(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 12:00:00 +0200') })).toEqual([]);
    expect(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 06:00:20 -0400') })).toEqual([]);
  });

  it('forgives a sender clock up to 15 minutes fast', async () => {
    expect(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 10:15:00 +0000') })).toEqual([]);
  });

  it('reports a Date later than the first hop (written after it was sent)', async () => {
    const findings = await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 11:00:30 +0000') });
    expect(codesOf(findings)).toEqual(['date-consistency/after-first-hop']);
    expect(findings[0]!.detail).toBe(
      'The Date header (Tue, 1 Apr 2025 11:00:30 +0000) is 1 hour later than the time the first server, smtp.example.com, received the message (2025-04-01T10:00:30Z).',
    );
    expect(findings[0]!.evidence).toMatchObject({ differenceSeconds: 3600, firstHop: { index: 1, by: 'smtp.example.com' } });
  });

  it('reports a Date written in the wrong zone (the +0200 clock face read as UTC)', async () => {
    expect(codesOf(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 12:00:00 +0000') }))).toEqual([
      'date-consistency/after-first-hop',
    ]);
  });

  it('accepts an outbox that waited a few days', async () => {
    expect(await runCheck(check, { headers: withDate('Fri, 28 Mar 2025 18:00:00 +0000') })).toEqual([]);
  });

  it('reports a Date more than 7 days before the first hop', async () => {
    const findings = await runCheck(check, { headers: withDate('Mon, 17 Mar 2025 10:00:00 +0000') });
    expect(codesOf(findings)).toEqual(['date-consistency/long-before-first-hop']);
    expect(findings[0]!.detail).toContain('is 15 days earlier than');
  });

  it('skips hops without a readable time when finding the first hop', async () => {
    const hops = [...HOPS, 'Received: from laptop by smtp.example.com with ESMTPSA; sometime'];
    expect(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025 10:00:00 +0000', hops) })).toEqual([]);
  });

  it('notes a missing Date', async () => {
    const findings = await runCheck(check, { headers: withDate(null) });
    expect(codesOf(findings)).toEqual(['date-consistency/missing']);
    expect(findings[0]!.severity).toBe('info');
  });

  it('notes an unreadable Date', async () => {
    const findings = await runCheck(check, { headers: withDate('next Tuesday, around noon') });
    expect(codesOf(findings)).toEqual(['date-consistency/unparseable']);
    expect(findings[0]!.detail).toContain('"next Tuesday, around noon"');
  });

  it('reads a folded Date header', async () => {
    expect(await runCheck(check, { headers: withDate('Tue, 1 Apr 2025\r\n 10:00:00 +0000') })).toEqual([]);
  });

  it('has nothing to compare without Received hops', async () => {
    expect(await runCheck(check, { headers: withDate('Mon, 1 Apr 2030 10:00:00 +0000', []) })).toEqual([]);
  });
});
