// The zone a Date value ends with (a fact of the archive fingerprint): read from the end, with the
// result of the expression it replaces, which took time in the square of the value's length.
import { describe, expect, it } from 'vitest';
import { dateZoneOf } from '../../src/checks/message-facts.ts';
import { stringsFrom } from '../helpers/seeded-random.ts';

const EXPRESSION = /([+-]\d{4}|\b[A-Z]{1,5})\s*(\([^)]*\))?\s*$/;
const byExpression = (date: string): string => EXPRESSION.exec(date)?.[1] ?? '';

describe('dateZoneOf', () => {
  it('reads the zone of real Date values', () => {
    expect(dateZoneOf('Mon, 1 Jun 2020 10:00:00 +0200')).toBe('+0200');
    expect(dateZoneOf('Mon, 1 Jun 2020 10:00:00 -0700 (PDT)')).toBe('-0700');
    expect(dateZoneOf('Mon, 1 Jun 2020 10:00:00 GMT')).toBe('GMT');
    expect(dateZoneOf('Mon, 1 Jun 2020 10:00:00 +0000 (Coordinated Universal Time) ')).toBe('+0000');
    expect(dateZoneOf('1 Jun 2020 10:00 EDT(x(y)')).toBe('EDT');
    expect(dateZoneOf('1 Jun 2020 10:00')).toBe('');
    expect(dateZoneOf('1 Jun 2020 10:00 ABCDEF')).toBe('');
    expect(dateZoneOf('1 Jun 2020 10:00 xGMT')).toBe('');
    expect(dateZoneOf('')).toBe('');
  });

  it('agrees with the expression on 50,000 seeded values', () => {
    const pieces = [
      '+0000',
      '-0800',
      '+12',
      'EST',
      'GMT',
      'ABCDEF',
      'A',
      'Z',
      'a',
      '_',
      '1',
      'x',
      '(',
      ')',
      '(PST)',
      ' ',
      ' ',
      '\t',
      '\u00a0',
      '+',
      '-',
      '0',
    ];
    for (const s of stringsFrom(61206, pieces, 50_000, 12)) expect(dateZoneOf(s), JSON.stringify(s)).toBe(byExpression(s));
  });

  it('reads a megabyte of hostile Date values in one pass', () => {
    expect(dateZoneOf(`Mon, 1 Jun 2020 10:00:00 ${'A('.repeat(500_000)}`)).toBe('');
    expect(dateZoneOf(`Mon, 1 Jun 2020 10:00:00 +0000${' '.repeat(1_000_000)}x`)).toBe('');
    expect(dateZoneOf(`Mon, 1 Jun 2020 10:00:00 +0000${'('.repeat(1_000_000)})`)).toBe('+0000');
    expect(dateZoneOf(`${'( '.repeat(500_000)})`)).toBe('');
  });
});
