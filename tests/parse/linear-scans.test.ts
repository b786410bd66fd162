// Header values read by small scanners instead of expressions that, tried again from every
// position, took time in the square of a long run: each scanner gives the expression's result on
// seeded strings built from the characters that steer it, and reads a megabyte at once.
import { describe, expect, it } from 'vitest';
import { addressesIn } from '../../src/checks/message-facts.ts';
import { listIdDomain, organisationalDomain } from '../../src/common/org-domain.ts';
import { withoutComments } from '../../src/parse/mime-walk.ts';
import { decodeFlowed } from '../../src/parse/mime-words.ts';
import { firstAddressIn } from '../../src/parse/parse-message.ts';
import { stringsFrom } from '../helpers/seeded-random.ts';

const MEGABYTE = 1024 * 1024;

describe('addressesIn (archive facts)', () => {
  const byExpression = (v: string) => (v.match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? []).map((a) => a.toLowerCase().replace(/\.$/, ''));
  it('gives what the expression gives', () => {
    for (const s of stringsFrom(1, ['a', 'B', '@', '.', ' ', '<', '>', ',', ';', ':', '"', '(', ')', '\t', '\u00a0', 'é'], 20_000, 16))
      expect(addressesIn(s), JSON.stringify(s)).toEqual(byExpression(s));
    expect(addressesIn('Bob <Bob@Example.org.>, x@y; @a a@ a@@b')).toEqual(['bob@example.org', 'x@y', 'a@@b']);
  });
  it('reads a megabyte without an @ in one pass', () => {
    expect(addressesIn('é'.repeat(MEGABYTE))).toEqual([]);
  });
});

describe('firstAddressIn (address headers the parsers could not read)', () => {
  const byExpression = (raw: string) => {
    const m = /<([^<>@\s]+@[^<>\s]+)>|([^\s<>,;"]+@[^\s<>,;"]+)/.exec(raw);
    return m ? (m[1] ?? m[2])! : null;
  };
  it('gives what the expression gives', () => {
    for (const s of stringsFrom(2, ['a', '@', '<', '>', ' ', ',', ';', '"', ':', '.', '\t', '\u2003'], 30_000, 14))
      expect(firstAddressIn(s), JSON.stringify(s)).toBe(byExpression(s));
    expect(firstAddressIn('Undisclosed: a <b@c> d@e')).toBe('b@c');
    expect(firstAddressIn('"x" d@e <b@c>')).toBe('d@e');
  });
  it('reads a megabyte without an @ in one pass', () => {
    expect(firstAddressIn('a:'.repeat(MEGABYTE / 2))).toBeNull();
    expect(firstAddressIn('<a'.repeat(MEGABYTE / 2))).toBeNull();
  });
});

describe('listIdDomain', () => {
  const byExpression = (listId: string) => {
    const m = /<([^<>\s]+)>/.exec(listId) ?? /([a-z0-9.-]+\.[a-z]{2,})/i.exec(listId);
    return m ? organisationalDomain(m[1]!) : null;
  };
  it('gives what the expressions give', () => {
    for (const s of stringsFrom(3, ['a', 'Z', '1', '.', '-', ' ', '<', '>', '_', 'é', 'ab', '.org', '.c'], 30_000, 12))
      expect(listIdDomain(s), JSON.stringify(s)).toBe(byExpression(s));
    expect(listIdDomain('Team <team.lists.example.org>')).toBe('example.org');
    expect(listIdDomain('team.lists.example.co.uk')).toBe('example.co.uk');
    expect(listIdDomain(null)).toBeNull();
  });
  it('reads a megabyte with no name in it in one pass', () => {
    expect(listIdDomain('a.'.repeat(MEGABYTE / 2))).toBeNull();
    expect(listIdDomain('a'.repeat(MEGABYTE))).toBeNull();
  });
});

describe('withoutComments (Content-Transfer-Encoding)', () => {
  it("gives what `replace(/\\([^)]*\\)/g, '')` gives", () => {
    for (const s of stringsFrom(4, ['(', ')', 'a', ' ', 'base64'], 20_000, 14))
      expect(withoutComments(s), JSON.stringify(s)).toBe(s.replace(/\([^)]*\)/g, ''));
    expect(withoutComments('base64 (the usual)')).toBe('base64 ');
  });
  it('reads a megabyte of unclosed comments in one pass', () => {
    expect(withoutComments('(('.repeat(MEGABYTE / 2))).toBe('(('.repeat(MEGABYTE / 2));
  });
});

describe('decodeFlowed (libmime 5.4.6)', () => {
  // libmime 5.4.4 tested the whole paragraph read so far with two expressions at each soft line
  // break: a part of 800 KB of " \n" took 270 s to analyse.
  it('joins a megabyte of soft line breaks in one pass', () => {
    expect(decodeFlowed('a \nb \nc\n', false)).toBe('a b c');
    expect(decodeFlowed('a \n'.repeat(512 * 1024), false)).toBe('a '.repeat(512 * 1024));
    expect(decodeFlowed('a \n'.repeat(512 * 1024), true)).toBe('a'.repeat(512 * 1024));
  });
});
