// comparableText, sampleGrams, comparableGrams, normaliseText and splitQuoted were rewritten for speed (issue 8): the stored facts of a database
// made before must still compare with new ones, so the outputs must be the same. The reference below
// is the code as it was before (commit a9d5fcd), run against the new code on fuzzed texts built from
// the pieces that steer it: quote markers, attributions (also wrapped and after blank lines), quoted
// header blocks, separators, case-changing letters (final sigma, dotted capital I), odd whitespace.
import { describe, expect, it } from 'vitest';
import {
  comparableGrams,
  comparableLineGrams,
  comparableText,
  GRAM_WORDS,
  linesOf,
  normaliseText,
  packGrams,
  quotedLines,
  sampleGrams,
  splitQuoted,
  unpackGrams,
} from '../../src/checks/text-forms.ts';
import { randomFrom } from '../helpers/seeded-random.ts';

const SEPARATOR =
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message|weitergeleitete nachricht|message transféré)\s*-{2,}\s*$/i;
const ATTRIBUTION = /^\s*(on\b.{4,200}\bwrote|am\b.{4,200}\bschrieb.{0,80}|le\b.{4,200}\ba écrit|el\b.{4,200}\bescribió)\s*:\s*$/i;
const QUOTED_HEADER =
  /^\s*\*?(from|von|de|da|van|sent|gesendet|envoyé|enviado|inviato|verzonden|date|datum|to|an|à|para|a|aan|cc|subject|betreff|objet|asunto|oggetto|onderwerp)\s*:\*?\s/i;

function referenceComparableText(text: string | null): string {
  const lines = (text ?? '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/^(\s*>)+ ?/, ''));
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (SEPARATOR.test(line) || ATTRIBUTION.test(line)) continue;
    if (i + 1 < lines.length && ATTRIBUTION.test(`${line.trimEnd()} ${lines[i + 1]!.trim()}`)) {
      i++;
      continue;
    }
    const headerish = QUOTED_HEADER.test(line);
    const neighbour = QUOTED_HEADER.test(lines[i - 1] ?? '') || QUOTED_HEADER.test(lines[i + 1] ?? '');
    if (headerish && neighbour) continue;
    kept.push(line);
  }
  return kept.join('\n');
}

// splitQuoted as it was before the test of each line's first character (commit 4cd313e).
const OUTLOOK_FROM = /^\s*\*?(from|von|de|da|van)\s*:\*?\s+\S/i;
const OUTLOOK_SENT = /^\s*\*?(sent|gesendet|envoyé|enviado|inviato|verzonden|date|datum)\s*:\*?\s+\S/i;

function referenceSkipHeaderBlock(lines: string[]): string[] {
  let i = 0;
  while (i < lines.length && i < 12 && (lines[i]!.trim() === '' || /^\s*\*?[\p{L} -]{2,20}\s*:\*?(\s|$)/u.test(lines[i]!))) i++;
  return lines.slice(i);
}

function referenceSplitQuoted(text: string | null): { own: string; quoted: string } {
  const lines = (text ?? '').replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*>/.test(line)) {
      const quoted = lines
        .slice(i)
        .filter((l) => /^\s*>/.test(l))
        .map((l) => l.replace(/^(\s*>)+ ?/, ''));
      const own = [...lines.slice(0, i), ...lines.slice(i).filter((l) => !/^\s*>/.test(l))];
      return { own: own.join('\n'), quoted: quoted.join('\n') };
    }
    if (SEPARATOR.test(line) || ATTRIBUTION.test(line)) {
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      if (next !== undefined && /^\s*>/.test(next)) continue;
      return { own: lines.slice(0, i).join('\n'), quoted: referenceSkipHeaderBlock(lines.slice(i + 1)).join('\n') };
    }
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 4).some((l) => OUTLOOK_SENT.test(l))) {
      return { own: lines.slice(0, i).join('\n'), quoted: referenceSkipHeaderBlock(lines.slice(i)).join('\n') };
    }
  }
  return { own: lines.join('\n'), quoted: '' };
}

function referenceSampleGrams(text: string, limit: number): number[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length > 0 && words.length < GRAM_WORDS) return [referenceFnv1a(words.join(' '))];
  const out: number[] = [];
  for (let i = 0; i + GRAM_WORDS <= words.length && out.length < limit; i++)
    out.push(referenceFnv1a(words.slice(i, i + GRAM_WORDS).join(' ')));
  return out;
}

function referenceFnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const LINES = [
  '',
  '   ',
  '\t',
  '> quoted line',
  '>> deeper > quote',
  ' >not a space after',
  'On Mon, 3 Jun 2024 at 10:00, Anna Berg <anna@example.org> wrote:',
  'On Mon, 3 Jun 2024 at 10:00, Anna Berg',
  '<anna@example.org> wrote:',
  'on',
  'On',
  'one more line that starts like on',
  'Am 03.06.2024 um 10:00 schrieb Jonas Keller:',
  'Le lundi 3 juin 2024, Claire a écrit :',
  'El lun, 3 jun 2024, Pablo escribió:',
  'Elle a dit: bonjour',
  'Amsterdam is lovely',
  '-----Original Message-----',
  '---------- Forwarded message ---------',
  'From: Anna Berg',
  '*From:* Anna Berg',
  'Sent: Monday, June 3, 2024 10:00',
  'To: Jonas',
  'Subject: Re: budget',
  'Cc: team',
  'Betreff: Haushalt',
  'a: b',
  'Date: today',
  'The budget is ready, see attached.',
  'Straße ΟΔΟΣ İSTANBUL ǅemal 42 x²',
  'ΣΑΣ. Σ Σa aΣ',
  'numbers 1 2 3 4 5 6 7 8 9 10',
  'word',
  'non\u00a0breaking\u200bspace',
  'line\u2028separator',
  'emoji 😀 ok 😀😀 done',
  'punctuation!!! ... ??? -- ;;',
  // Led by whitespace that only \s knows, or by a character that only looks like one (U+200B is not \s).
  '\u00a0> quoted after a no-break space',
  '\u3000On Mon, 3 Jun 2024, Anna wrote:',
  '\ufeff-----Original Message-----',
  '\u2003*From:* Anna Berg',
  '\u200b> not a quote: a zero-width space is no whitespace',
  '\u1680\u202f\u205fSent: Monday',
  '\u000bOn\u000c',
  'ON TUESDAY JONAS WROTE:',
  'Von: Jonas',
  'FROM: ANNA',
];

function makeText(random: () => number): string {
  const n = Math.floor(random() * 40);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let line = LINES[Math.floor(random() * LINES.length)]!;
    if (random() < 0.2) line = '> ' + line;
    if (random() < 0.1) line = line.toUpperCase();
    if (random() < 0.1) line = '  ' + line + '  ';
    parts.push(line);
  }
  const breaks = ['\n', '\r\n', '\r'];
  return parts.map((p) => p + breaks[Math.floor(random() * breaks.length)]!).join('');
}

describe('text forms: the faster code gives the same outputs as before', () => {
  const random = randomFrom(8);
  const texts = [null, '', 'one', 'one two three', 'one two three four', ...Array.from({ length: 4000 }, () => makeText(random))];

  it('comparableText', () => {
    for (const text of texts) expect(comparableText(text)).toBe(referenceComparableText(text));
  });

  it('normaliseText', () => {
    const reference = (text: string | null): string => (text ?? '').replace(/[\s\u00a0\u200b]+/g, ' ').trim();
    const odd = [' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u200b', ' \u200b', '\u2028', '\ufeff', 'a', 'bc'];
    const random = randomFrom(9);
    const mixed = Array.from({ length: 3000 }, () =>
      Array.from({ length: Math.floor(random() * 30) }, () => odd[Math.floor(random() * odd.length)]!).join(''),
    );
    for (const text of [...texts, ...mixed]) expect(normaliseText(text)).toBe(reference(text));
  });

  it('splitQuoted', () => {
    for (const text of texts) expect(splitQuoted(text)).toEqual(referenceSplitQuoted(text));
  });

  it('sampleGrams, for limits from none to more grams than the text has', () => {
    for (const text of texts) {
      const t = text ?? '';
      for (const limit of [0, 1, 2, 3, 5, 150, 300, 600]) expect(sampleGrams(t, limit)).toEqual(referenceSampleGrams(t, limit));
    }
  });

  it('comparableGrams, which stops reading the text once it has the words its grams need', () => {
    for (const text of texts)
      for (const limit of [0, 1, 2, 3, 5, 20, 150, 300])
        expect(comparableGrams(text, limit)).toEqual(referenceSampleGrams(referenceComparableText(text), limit));
  });

  it('lines split once for the message facts: quotedLines and comparableLineGrams as splitQuoted and comparableGrams', () => {
    for (const text of texts) {
      const lines = linesOf(text);
      expect(lines).toEqual((text ?? '').split(/\r\n?|\n/));
      const quoted = referenceSplitQuoted(text).quoted;
      expect(quotedLines(lines).join('\n')).toBe(quoted);
      expect(comparableLineGrams(quotedLines(lines), 150)).toEqual(referenceSampleGrams(referenceComparableText(quoted), 150));
      expect(comparableLineGrams(lines, 300)).toEqual(referenceSampleGrams(referenceComparableText(text), 300));
      // The lines are read, not changed: the second set of grams sees the same text as the first.
      expect(lines).toEqual(linesOf(text));
    }
  });

  it('the fuzzed texts reach the cases that differ (attributions dropped, grams cut at the limit)', () => {
    // A check of the test itself: without these, equal outputs would prove little.
    const dropped = texts.filter((t) => t !== null && referenceComparableText(t).split('\n').length < t.split(/\r\n?|\n/).length).length;
    const cut = texts.filter((t) => (t ?? '').split(/[^\p{L}\p{N}]+/u).length > 160).length;
    expect(dropped).toBeGreaterThan(1000);
    expect(cut).toBeGreaterThan(100);
    // splitQuoted's three ways to find a quote are all taken, and led by odd whitespace too.
    const split = texts.map((t) => referenceSplitQuoted(t).quoted);
    expect(split.filter((q) => q !== '').length).toBeGreaterThan(1000);
    const odd = ['\u00a0', '\u3000', '\ufeff', '\u2003', '\u1680', '\u000b'];
    const led = texts.filter((t) => t !== null && t.split(/\r\n?|\n/).some((l) => odd.includes(l[0] ?? '')));
    expect(led.filter((t) => referenceSplitQuoted(t).quoted !== '').length).toBeGreaterThan(100);
  });
});

describe('packed grams (as message_grams stores them)', () => {
  it('are four big-endian bytes a gram in base64, as databases made before hold them', () => {
    // Every byte position holds a distinct non-zero value in some gram: a byte packGrams left unwritten
    // (its buffer is not zero-filled) would show.
    const grams = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x01020304, 0xfedcba98];
    expect(packGrams(grams)).toBe(Buffer.from('00000000000000017fffffff80000000ffffffff01020304fedcba98', 'hex').toString('base64'));
    expect(unpackGrams(packGrams(grams))).toEqual(grams);
    expect(packGrams([])).toBe('');
  });
});
