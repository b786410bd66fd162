import { describe, expect, it } from 'vitest';
import { parseMailTime, readMailTime } from '../../src/parse/mail-time.ts';

const utc = (y: number, mo: number, d: number, h = 10, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;

describe('readMailTime (strict RFC 5322 with luxon)', () => {
  it('reads standard and obsolete forms the same way on every machine', () => {
    expect(parseMailTime('Tue, 1 Apr 2025 10:00:00 +0000')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue, 01 Apr 2025 12:00:00 +0200 (CEST)')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('1 Apr 99 10:00:00 EST')).toBe(utc(1999, 4, 1, 15));
    expect(parseMailTime('Tue, 1 Apr 25 10:00 GMT')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue, 1 Apr 2025 10:00:00 UT')).toBe(utc(2025, 4, 1));
    // Honest variants strict RFC 5322 refuses: lower case, no space after the comma, a colon in
    // the offset, a one-digit hour, a European zone abbreviation, no zone at all (read as UTC).
    expect(parseMailTime('tue, 1 apr 2025 10:00:00 +0000')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue,1 Apr 2025 10:00:00 +0000')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue, 1 Apr 2025 12:00:00 +02:00')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue, 1 Apr 2025 9:00:00 -0100')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue, 1 Apr 2025 12:00:00 CEST')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Tue, 1 Apr 2025 10:00:00')).toBe(utc(2025, 4, 1));
    expect(parseMailTime('Wed, 31 Dec 2025 23:59:60 +0000')).toBe(utc(2025, 12, 31, 23, 59, 59));
  });

  it('reports a date that cannot exist instead of moving it to another day', () => {
    expect(readMailTime('Sat, 31 Feb 2025 10:00:00 +0000')).toEqual({
      epoch: null,
      problem: '31 Feb 2025 10:00:00 is not a date and time that exists',
    });
    expect(readMailTime('Thu, 29 Feb 2024 10:00:00 +0000').problem).toBeNull();
    expect(readMailTime('Fri, 1 Apr 2025 25:00:00 +0000').epoch).toBeNull();
    // A wrong weekday: the digits are still read, and the mismatch is said.
    const w = readMailTime('Wed, 1 Apr 2025 10:00:00 +0000');
    expect(w.epoch).toBe(utc(2025, 4, 1));
    expect(w.problem).toBe('"Wed" is not the weekday of 1 Apr 2025, which is a Tuesday');
  });

  it('gives nothing for text that is no date', () => {
    expect(readMailTime('yesterday')).toEqual({ epoch: null, problem: null });
    expect(readMailTime(null)).toEqual({ epoch: null, problem: null });
    expect(readMailTime('Tue, 1 Foo 2025 10:00:00 +0000').problem).toBeNull();
    expect(parseMailTime('Tue, 1 Foo 2025 10:00:00 +0000')).toBeNull();
  });
});
