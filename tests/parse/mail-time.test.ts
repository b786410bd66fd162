import { describe, expect, it } from 'vitest';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
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

describe('readMailTime computed directly gives what luxon gives', () => {
  const pick = <T>(rng: ReturnType<typeof xoroshiro128plus>, xs: readonly T[]): T => xs[uniformInt(rng, 0, xs.length - 1)]!;
  const WEEKDAYS = ['', 'Mon, ', 'Tue, ', 'Wed, ', 'Thu, ', 'Fri, ', 'Sat, ', 'Sun, ', 'sun,', 'Foo, '];
  const DAYS = ['0', '1', '01', '9', '28', '29', '30', '31', '32'];
  const MONTHS = ['Jan', 'Feb', 'feb', 'Mar', 'Apr', 'Jun', 'Sep', 'Dec', 'DEC', 'Foo'];
  const YEARS = ['70', '99', '00', '49', '50', '100', '0999', '1000', '1900', '1969', '1970', '2000', '2023', '2024', '2100', '9999'];
  const TIMES = ['0:00', '00:00', '9:05', '23:59:59', '23:59:60', '24:00', '24:00:00', '12:60', '12:00:61', '10:00:00', '25:00'];
  const ZONES = [
    '',
    ' +0000',
    ' -0000',
    ' +0530',
    ' -1200',
    ' +1400',
    ' +1460',
    ' +2400',
    ' -0059',
    ' +02:00',
    ' GMT',
    ' UT',
    ' UTC',
    ' Z',
    ' EST',
    ' PDT',
    ' CEST',
    ' XYZ',
    ' +0200 (CEST)',
  ];

  it('on 20,000 generated dates, real and impossible, with every kind of zone', () => {
    const rng = xoroshiro128plus(5322);
    let direct = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = `${pick(rng, WEEKDAYS)}${pick(rng, DAYS)} ${pick(rng, MONTHS)} ${pick(rng, YEARS)} ${pick(rng, TIMES)}${pick(rng, ZONES)}`;
      const luxon = readMailTime(text, { luxonOnly: true });
      expect(readMailTime(text), text).toEqual(luxon);
      if (luxon.epoch !== null && luxon.problem === null) direct++;
    }
    // A check of the test itself: many generated dates are real ones without a problem, the case the
    // direct reading is for (those with a named zone or hour 24 still go to luxon).
    expect(direct).toBeGreaterThan(1500);
  });

  it('on every day of four years, at a time and zone that move it across midnight', () => {
    for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
      const d = new Date(t);
      const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
      const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
      for (const text of [
        `${day}, ${d.getUTCDate()} ${month} ${d.getUTCFullYear()} 23:30:00 -0700`,
        `${d.getUTCDate()} ${month} ${d.getUTCFullYear()} 00:15 +1300`,
      ])
        expect(readMailTime(text), text).toEqual(readMailTime(text, { luxonOnly: true }));
    }
  });
});
