// The forms of a message's text that archive checks compare: whitespace-insensitive text, the text
// of an HTML part, the part a reply quotes, and the word 4-grams of each. Not a check.
import { sha256Hex } from '../common/sha256.ts';

/** Whitespace of any kind (line breaks, non-breaking spaces, tabs) collapsed to one space, trimmed. */
export function normaliseText(text: string | null): string {
  // Speed, same result as replacing every run of whitespace: a run that is one plain space already
  // is its replacement, and is skipped (the lookahead) instead of replaced. 5 times faster on prose.
  return (text ?? '').replace(/(?! (?![\s\u00a0\u200b]))[\s\u00a0\u200b]+/g, ' ').trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The text a reader sees in an HTML part: scripts, styles and tags removed, block ends as line
 * breaks, the common entities decoded. Enough to compare two copies' HTML; not a renderer.
 */
export function htmlToText(html: string | null): string {
  if (!html) return '';
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** A short stable hash of a text (hex, 64 bits of SHA-256): equal texts, equal hashes. */
export function hashText(text: string): string {
  return text === '' ? '' : sha256Hex(text).slice(0, 16);
}

/**
 * Where the quoted part of a reply starts: a line quoted with ">", a separator such as
 * "-----Original Message-----" (in the languages of the common clients), or an attribution line
 * ("On … wrote:", "Am … schrieb …:", "Le … a écrit :", "El … escribió:").
 */
const SEPARATOR =
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message|weitergeleitete nachricht|message transféré)\s*-{2,}\s*$/i;
const ATTRIBUTION = /^\s*(on\b.{4,200}\bwrote|am\b.{4,200}\bschrieb.{0,80}|le\b.{4,200}\ba écrit|el\b.{4,200}\bescribió)\s*:\s*$/i;
const OUTLOOK_FROM = /^\s*\*?(from|von|de|da|van)\s*:\*?\s+\S/i;
const OUTLOOK_SENT = /^\s*\*?(sent|gesendet|envoyé|enviado|inviato|verzonden|date|datum)\s*:\*?\s+\S/i;

/** The text of a reply split into what its author wrote and what it quotes. */
export function splitQuoted(text: string | null): { own: string; quoted: string } {
  const lines = (text ?? '').replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lead = leadOf(line);
    if (lead === GREATER_THAN) {
      // Everything quoted with ">" below this point, markers removed; unquoted lines between are the author's.
      const quoted = lines
        .slice(i)
        .filter((l) => leadOf(l) === GREATER_THAN)
        .map((l) => l.replace(/^(\s*>)+ ?/, ''));
      const own = [...lines.slice(0, i), ...lines.slice(i).filter((l) => leadOf(l) !== GREATER_THAN)];
      return { own: own.join('\n'), quoted: quoted.join('\n') };
    }
    if ((lead === HYPHEN && SEPARATOR.test(line)) || (ATTRIBUTION_LEADS.has(lead) && ATTRIBUTION.test(line))) {
      // "On … wrote:" above "> " lines: only those are quoted (the reply may go on below them).
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      if (next !== undefined && leadOf(next) === GREATER_THAN) continue;
      return { own: lines.slice(0, i).join('\n'), quoted: skipHeaderBlock(lines.slice(i + 1)).join('\n') };
    }
    if (OUTLOOK_FROM_LEADS.has(lead) && OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 4).some((l) => OUTLOOK_SENT.test(l))) {
      return { own: lines.slice(0, i).join('\n'), quoted: skipHeaderBlock(lines.slice(i)).join('\n') };
    }
  }
  return { own: lines.join('\n'), quoted: '' };
}

/**
 * Speed, same results: every expression above that splits a text (and ATTRIBUTION_START below)
 * starts with `^\s*` and then one of a few characters, so a line whose first character that `\s`
 * does not match is none of them is not tested. These are those characters (ASCII letters in
 * lower case: the expressions ignore case, and without the u flag only ASCII letters fold to them).
 */
const GREATER_THAN = 0x3e;
const HYPHEN = 0x2d;
const ATTRIBUTION_LEADS = new Set([0x6f, 0x61, 0x6c, 0x65]); // o a l e: on, am, le, el
const OUTLOOK_FROM_LEADS = new Set([0x2a, 0x66, 0x76, 0x64]); // * f v d: from, von, de, da, van

/** The first character of a line that `\s` does not match, ASCII letters in lower case; -1 for a blank line. */
function leadOf(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (!isSpace(c)) return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return -1;
}

/** What `\s` matches: ECMAScript's WhiteSpace and LineTerminator characters. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Drops the "From: / Sent: / To: / Subject:" block a client writes above the text it quotes. */
function skipHeaderBlock(lines: string[]): string[] {
  let i = 0;
  while (i < lines.length && i < 12 && (lines[i]!.trim() === '' || /^\s*\*?[\p{L} -]{2,20}\s*:\*?(\s|$)/u.test(lines[i]!))) i++;
  return lines.slice(i);
}

/** Header lines of a quoted message block in the common clients' languages (To:, Cc:, Subject:, …). */
const QUOTED_HEADER =
  /^\s*\*?(from|von|de|da|van|sent|gesendet|envoyé|enviado|inviato|verzonden|date|datum|to|an|à|para|a|aan|cc|subject|betreff|objet|asunto|oggetto|onderwerp)\s*:\*?\s/i;

/**
 * A text as quotes are compared: quote markers removed, and the lines a mail program writes around
 * what it quotes dropped (attribution lines, "Original Message" separators, quoted header blocks),
 * since each program writes those its own way and in its own place. What remains is what people wrote.
 */
export function comparableText(text: string | null): string {
  const kept: string[] = [];
  eachComparableLine(text, (line) => {
    kept.push(line);
    return true;
  });
  return kept.join('\n');
}

/**
 * Hands the lines of comparableText to `take`, one at a time, until it returns false: a caller that
 * needs only the start (the grams) stops there, and the lines after it are never tested.
 */
function eachComparableLine(text: string | null, take: (line: string) => boolean): void {
  const lines = (text ?? '').replace(/\r\n?/g, '\n').split('\n');
  // Speed, same result: each line's quote markers are removed and QUOTED_HEADER tested once (not up
  // to three times), when the line or its successor is first looked at; ATTRIBUTION is tried only
  // where it can match: it needs a line starting with one of its words, or an empty line that the
  // wrapped-attribution test joins to the next one.
  const header: boolean[] = [];
  let ready = 0;
  const prepare = (i: number): void => {
    for (; ready <= i && ready < lines.length; ready++) {
      if (leadOf(lines[ready]!) === GREATER_THAN) lines[ready] = lines[ready]!.replace(/^(\s*>)+ ?/, '');
      header.push(QUOTED_HEADER.test(lines[ready]!));
    }
  };
  for (let i = 0; i < lines.length; i++) {
    prepare(i + 1);
    const line = lines[i]!;
    const lead = leadOf(line);
    const attribution = ATTRIBUTION_LEADS.has(lead) && ATTRIBUTION_START.test(line);
    if ((lead === HYPHEN && SEPARATOR.test(line)) || (attribution && ATTRIBUTION.test(line))) continue;
    // A long attribution wrapped over two lines (format=flowed, a narrow client); -1: a blank line.
    if ((attribution || lead === -1) && i + 1 < lines.length && ATTRIBUTION.test(`${line.trimEnd()} ${lines[i + 1]!.trim()}`)) {
      i++;
      continue;
    }
    if (header[i] && (header[i - 1] === true || header[i + 1] === true)) continue;
    if (!take(line)) return;
  }
}

/**
 * sampleGrams(comparableText(text), limit), reading only as much of the text as the grams need:
 * words never span lines (a line break is not a word character), and lower case is decided within a
 * line (the final-sigma rule looks no further than a line break), so the words of the joined,
 * lower-cased text are the words of each kept line, lower-cased, in order.
 */
export function comparableGrams(text: string | null, limit: number): number[] {
  const need = wordsNeeded(limit);
  const words: string[] = [];
  eachComparableLine(text, (line) => {
    firstWords(line.toLowerCase(), need, words);
    return words.length < need;
  });
  return gramsOf(words, limit);
}

/** What every ATTRIBUTION match starts with (same flags, so the same letters and word boundary). */
const ATTRIBUTION_START = /^\s*(on|am|le|el)\b/i;

/** Words as compared: lower case letters and digits of any script; quote markers and punctuation dropped. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Word 4-grams of a text, as 32-bit hashes, at most `limit` from the start: re-wrapped or re-quoted
 * text still matches, and one changed word changes the four grams around it. Four words keep a
 * one-line quote comparable; a text of fewer words gives one gram of all of them.
 */
export const GRAM_WORDS = 4;

export function sampleGrams(text: string, limit: number): number[] {
  // Speed, same result as hashing each gram's words joined by spaces: the words are split off only
  // as far as the grams need (at least GRAM_WORDS, to tell a short text), and hashed in place.
  return gramsOf(firstWords(text.toLowerCase(), wordsNeeded(limit)), limit);
}

/** Words that `limit` grams need: at least GRAM_WORDS, to tell a short text. */
function wordsNeeded(limit: number): number {
  return Math.max(limit + GRAM_WORDS - 1, GRAM_WORDS);
}

function gramsOf(words: string[], limit: number): number[] {
  if (words.length > 0 && words.length < GRAM_WORDS) return [hashWords(words, 0, words.length)];
  const out: number[] = [];
  for (let i = 0; i + GRAM_WORDS <= words.length && out.length < limit; i++) out.push(hashWords(words, i, GRAM_WORDS));
  return out;
}

/**
 * Appends to `words` the words of a text as `/[\p{L}\p{N}]+/gu` finds them, until it holds `limit`, by
 * a loop over the characters: ASCII decided by its code, any other code point by that expression
 * once (then remembered). The expression itself, run word by word, took most of sampleGrams' time.
 */
function firstWords(text: string, limit: number, words: string[] = []): string[] {
  const n = text.length;
  let start = -1;
  for (let i = 0; i < n && words.length < limit;) {
    const c = text.charCodeAt(i);
    let width = 1;
    let word: boolean;
    if (c < 0x80) word = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a);
    else {
      const cp = text.codePointAt(i)!;
      width = cp > 0xffff ? 2 : 1;
      word = isWordCodePoint(cp);
    }
    if (word && start === -1) start = i;
    else if (!word && start !== -1) {
      words.push(text.slice(start, i));
      start = -1;
    }
    i += width;
  }
  if (start !== -1 && words.length < limit) words.push(text.slice(start));
  return words;
}

const WORD_CHARACTER = /^[\p{L}\p{N}]$/u;
const wordCodePoints = new Map<number, boolean>();

function isWordCodePoint(cp: number): boolean {
  let word = wordCodePoints.get(cp);
  if (word === undefined) {
    word = WORD_CHARACTER.test(String.fromCodePoint(cp));
    if (wordCodePoints.size < 65_536) wordCodePoints.set(cp, word);
  }
  return word;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 0x20;

/**
 * 32-bit FNV-1a over the UTF-16 code units of words[start .. start+count) joined by single spaces:
 * fast and stable; collisions only blur a comparison.
 */
function hashWords(words: string[], start: number, count: number): number {
  let h = FNV_OFFSET;
  for (let w = start; w < start + count; w++) {
    if (w > start) h = Math.imul(h ^ SPACE, FNV_PRIME) >>> 0;
    const s = words[w]!;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** A list of 32-bit numbers as base64 (4 bytes each): how grams are stored. */
export function packGrams(grams: number[]): string {
  const b = Buffer.alloc(grams.length * 4);
  grams.forEach((g, i) => b.writeUInt32BE(g, i * 4));
  return b.toString('base64');
}

export function unpackGrams(packed: string): number[] {
  const b = Buffer.from(packed, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(b.readUInt32BE(i));
  return out;
}

/** Reply and forward prefixes of the common clients and languages, and list tags such as "[team]". */
const SUBJECT_PREFIX = /^\s*((re|aw|sv|vs|antw|ref|rif|r|fw|fwd|wg|tr|rv|enc|doorst)\s*(\[\d+\])?\s*:|\[[^\]]{1,40}\])\s*/i;

/** The subject a thread keeps: prefixes and list tags removed, lower case, whitespace collapsed. */
export function threadSubject(subject: string | null): string {
  let s = normaliseText(subject);
  for (let i = 0; i < 10; i++) {
    const next = s.replace(SUBJECT_PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.toLowerCase();
}

/**
 * Where a text (as word 4-grams) has words that another lacks, in runs of at most `maxRun` grams
 * flanked by `flank` matching grams on each side: a word or two changed amid text that otherwise
 * matches. Unmatched text at either end (a footer, a signature) is not flanked and does not count,
 * but with `atStart` a run at the very start followed by matching text does (the first words changed).
 */
export function flankedEdits(
  grams: number[],
  other: Set<number>,
  maxRun: number,
  flank: number,
  options: { atStart?: boolean } = {},
): { runs: number; grams: number; compared: number } {
  const found = grams.map((g) => other.has(g));
  let runs = 0;
  let count = 0;
  for (let i = 0; i < found.length;) {
    if (found[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < found.length && !found[j]) j++;
    const before = found.slice(Math.max(0, i - flank), i).filter(Boolean).length;
    const after = found.slice(j, j + flank).filter(Boolean).length;
    // At the very start a run has nothing before it; with `atStart` matching text after it suffices.
    const flanked = before === flank || (options.atStart === true && i === 0);
    if (j - i <= maxRun && flanked && after === flank) {
      runs++;
      count += j - i;
    }
    i = j;
  }
  return { runs, grams: count, compared: found.length };
}
