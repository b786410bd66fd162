// The forms of a message's text that archive checks compare: whitespace-insensitive text, the text
// of an HTML part, the part a reply quotes, and the word 4-grams of each. Not a check.
import { sha256Hex } from '../common/sha256.ts';
import { isSpaceCode as isSpace } from '../common/text.ts';

/** Whitespace of any kind (line breaks, non-breaking spaces, tabs) collapsed to one space, trimmed. */
export function normaliseText(text: string | null): string {
  // Speed, same result as replacing every run of whitespace: a run that is one plain space already
  // is its replacement, and is skipped (the lookahead) instead of replaced. 5 times faster on prose.
  return (text ?? '').replace(/(?! (?![\s\u00a0\u200b]))[\s\u00a0\u200b]+/g, ' ').trim();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** htmlToText's replacements, in order (withoutHiddenBlocks does the first two, replaceBeforeLastTagEnd the next two). */
const HIDDEN_BLOCK_OPEN = /<(script|style|head)\b/gi;
const LINE_BREAK_TAG = /<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b[^>]*>/gi;
const TAG = /<[^>]*>/g;
const ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;

/** Where HTML starts what withoutHiddenBlocks removes: "<!--", or "<script", "<style" or "<head" (any case) before a character that is no letter, digit or "_". */
const HIDDEN_BLOCK_START = /<(?:!--|(?:script|style|head)\b)/i;

/**
 * The text a reader sees in an HTML part: scripts, styles and tags removed, block ends as line
 * breaks, the common entities decoded. Enough to compare two copies' HTML; not a renderer.
 * The same as the replacements `/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi`, `/<!--[\s\S]*?-->/g`,
 * LINE_BREAK_TAG, TAG (each to a space, the third to a line break) and ENTITY, in that order, but in
 * time linear in the HTML's length: each of those expressions, tried where nothing closes what it
 * opened, read on to the end of the text, and did so again from the next opening.
 */
export function htmlToText(html: string | null): string {
  if (!html) return '';
  const shown = withoutHiddenBlocks(html);
  return replaceBeforeLastTagEnd(replaceBeforeLastTagEnd(shown, LINE_BREAK_TAG, '\n'), TAG, ' ').replace(ENTITY, decodeEntity);
}

/**
 * `s` with what `/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi` and then `/<!--[\s\S]*?-->/g` match
 * replaced by a space each. Where an element or a comment is not closed, the expressions read to
 * the end of the text from each opening: 40,000 "<script>" or "<!-- " took over a second, and the
 * time grew with the square of their number. Here a name whose closing tag is not found after one
 * opening is not looked for again (no later opening can find one), nor is "-->" after one comment
 * that has none: each search reads the text once.
 */
function withoutHiddenBlocks(s: string): string {
  let out = '';
  let from = 0;
  const unclosed = new Set<string>();
  HIDDEN_BLOCK_OPEN.lastIndex = 0;
  for (let open = HIDDEN_BLOCK_OPEN.exec(s); open !== null; open = HIDDEN_BLOCK_OPEN.exec(s)) {
    const name = open[1]!.toLowerCase();
    if (unclosed.has(name)) continue;
    const close = CLOSING_TAGS[name]!;
    close.lastIndex = HIDDEN_BLOCK_OPEN.lastIndex;
    if (close.exec(s) === null) {
      unclosed.add(name);
      continue;
    }
    out += s.slice(from, open.index) + ' ';
    from = close.lastIndex;
    HIDDEN_BLOCK_OPEN.lastIndex = from;
  }
  const shown = out + s.slice(from);
  let result = '';
  let rest = 0;
  for (let at = shown.indexOf('<!--'); at !== -1; at = shown.indexOf('<!--', rest)) {
    // "-->" after the opening's four characters: "<!-->" is not a comment of its own.
    const end = shown.indexOf('-->', at + 4);
    if (end === -1) break;
    result += shown.slice(rest, at) + ' ';
    rest = end + 3;
  }
  return result + shown.slice(rest);
}

/** `</name>` of each name as the backreference `<\/\1\s*>` reads it (any case; whitespace before ">"). */
const CLOSING_TAGS: Record<string, RegExp> = {
  script: /<\/script\s*>/gi,
  style: /<\/style\s*>/gi,
  head: /<\/head\s*>/gi,
};

/**
 * `s.replace(pattern, replacement)` for an expression that matches from "<" to the first ">" after
 * it: one tried after the last ">" of the text can only fail, and read to the end of the text first
 * ("<br <br <br …" without a ">" took time in the square of its length). So only the text up to the
 * last ">" is given to it, where every try ends at the next ">".
 */
function replaceBeforeLastTagEnd(s: string, pattern: RegExp, replacement: string): string {
  const last = s.lastIndexOf('>');
  if (last === -1) return s;
  return s.slice(0, last + 1).replace(pattern, replacement) + s.slice(last + 1);
}

/** An entity `m` (`&e;`) as its character, or as it is written when it names none. */
function decodeEntity(m: string, e: string): string {
  if (e[0] === '#') {
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
  }
  return ENTITIES[e.toLowerCase()] ?? m;
}

/**
 * normaliseText(htmlToText(html)), in one pass over the characters: a tag is whitespace (htmlToText
 * makes it a space or a line break, and normaliseText collapses either), an entity its character.
 * The five replacements and the whitespace expression took 140-144 µs of a bench HTML part (28 KB);
 * this 85-87 µs. HTML with a comment or a script, style or head element (which the first two
 * replacements remove before the tags are read, even where it starts inside a tag) goes through
 * those two (withoutHiddenBlocks) first, then through the same pass.
 */
export function normalisedHtmlText(html: string | null): string {
  if (!html) return '';
  return collapseMarkup(HIDDEN_BLOCK_START.test(html) ? withoutHiddenBlocks(html) : html);
}

/**
 * What stops collapseMarkup's copying: whitespace other than a space (1), "<" and "&" (2). A table,
 * so that the test of a character is one load and a branch seldom taken: a loop that branched on
 * each space took 2.3 times as long on prose.
 */
const STOPS = new Uint8Array(0x10000);

/** The text of collapseMarkup so far, and whether whitespace came after it. */
interface Collapsed {
  text: string;
  space: boolean;
}

/**
 * The characters of HTML `s` read as htmlToText's last three replacements read them, with each run
 * of whitespace (what `\s` matches, and U+200B) as one space and none at either end.
 */
function collapseMarkup(s: string): string {
  const to: Collapsed = { text: '', space: false };
  let unclosed = false; // no tag other than a line break ends after here
  const lastTagEnd = s.lastIndexOf('>');
  let from = 0; // the characters from here on are not written yet
  for (let i = nextStop(s, 0); i < s.length; i = nextStop(s, i)) {
    const c = s.charCodeAt(i);
    let end = i + 1;
    if (c === LESS_THAN) {
      const lineBreak = isLineBreakTag(s, i + 1);
      end = (lineBreak || !unclosed) && i < lastTagEnd ? tagEnd(s, i, lineBreak) : -1;
      if (end === -1) {
        // Not a tag: kept as it is written.
        unclosed = true; // after a line break's tag that nothing ends, no ">" at all
        i++;
        continue;
      }
      append(to, s, from, i);
      to.space = true;
    } else if (c === AMPERSAND) {
      end = entityEnd(s, i);
      if (end === -1) {
        i++;
        continue;
      }
      append(to, s, from, i);
      // String: ENTITIES inherits from Object.prototype, so "&constructor;" gives the function
      // Object, which replace writes as its source text; so must this.
      const decoded = String(decodeEntity(s.slice(i, end), s.slice(i + 1, end - 1)));
      for (let k = 0; k < decoded.length; k++) {
        if (isCollapsed(decoded.charCodeAt(k))) to.space = true;
        else {
          if (to.space && to.text !== '') to.text += ' ';
          to.space = false;
          to.text += decoded[k];
        }
      }
    } else {
      // Whitespace other than a space, or a second space: the run of whitespace it is in.
      append(to, s, from, i);
      to.space = true;
      while (end < s.length && isCollapsed(s.charCodeAt(end))) end++;
    }
    from = end;
    i = end;
  }
  append(to, s, from, s.length);
  return to.text;
}

/**
 * The first place from i on where s has a character in STOPS or a space after a space (or its
 * length). A function of its own: the same loop inside collapseMarkup made it 115 µs, not 85.
 */
function nextStop(s: string, i: number): number {
  let previous = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (STOPS[c] !== 0 || ((c ^ SPACE) | (previous ^ SPACE)) === 0) return i;
    previous = c;
  }
  return i;
}

/** Appends s[a, b), characters and single spaces: a space at either end is only whitespace pending. */
function append(to: Collapsed, s: string, a: number, b: number): void {
  if (a < b && s.charCodeAt(a) === SPACE) {
    to.space = true;
    a++;
  }
  if (a >= b) return;
  const trailing = s.charCodeAt(b - 1) === SPACE;
  if (to.space && to.text !== '') to.text += ' ';
  to.text += s.slice(a, trailing ? b - 1 : b);
  to.space = trailing;
}

const SPACE = 0x20;
const LESS_THAN = 0x3c;
const GREATER_THAN_SIGN = 0x3e;
const AMPERSAND = 0x26;
const SEMICOLON = 0x3b;

/** What normaliseText collapses: what `\s` matches, and U+200B. */
function isCollapsed(c: number): boolean {
  return c === 0x200b || isSpace(c);
}

for (let c = 0; c < STOPS.length; c++) if (c !== SPACE && isCollapsed(c)) STOPS[c] = 1;
STOPS[LESS_THAN] = STOPS[AMPERSAND] = 2;

/**
 * Where the tag that starts at s[i] ("<") ends, or -1 if no ">" closes it. A line break's tag ends
 * at the first ">" (LINE_BREAK_TAG); another at the first ">" that no line break's tag inside it
 * took (TAG reads the text in which LINE_BREAK_TAG has replaced those). collapseMarkup asks only
 * where a ">" follows: a "<" after the last one is no tag, without reading to the end of the text
 * for each ("<br <br <br …" without a ">" took time in the square of its length).
 */
function tagEnd(s: string, i: number, lineBreak: boolean): number {
  let inner = false;
  for (let k = i + 1; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === GREATER_THAN_SIGN) {
      if (!inner) return k + 1;
      inner = false;
    } else if (c === LESS_THAN) {
      if (!lineBreak && !inner && isLineBreakTag(s, k + 1)) inner = true;
    }
  }
  return -1;
}

/** Whether LINE_BREAK_TAG's name and word boundary, `(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b` (any case), start at s[k]. */
function isLineBreakTag(s: string, k: number): boolean {
  if (lowerAt(s, k) === 0x62) return lowerAt(s, k + 1) === 0x72 && !isWordCharacter(s.charCodeAt(k + 2)); // br
  if (s.charCodeAt(k) !== 0x2f) return false; // "/"
  switch (lowerAt(s, k + 1)) {
    case 0x70: // p
      return !isWordCharacter(s.charCodeAt(k + 2));
    case 0x64: // div
      return lowerAt(s, k + 2) === 0x69 && lowerAt(s, k + 3) === 0x76 && !isWordCharacter(s.charCodeAt(k + 4));
    case 0x74: // tr
      return lowerAt(s, k + 2) === 0x72 && !isWordCharacter(s.charCodeAt(k + 3));
    case 0x6c: // li
      return lowerAt(s, k + 2) === 0x69 && !isWordCharacter(s.charCodeAt(k + 3));
    case 0x68: {
      const d = s.charCodeAt(k + 2); // h1 to h6
      return d >= 0x31 && d <= 0x36 && !isWordCharacter(s.charCodeAt(k + 3));
    }
    default:
      return false;
  }
}

/** The character at s[k] with ASCII letters in lower case (no other character becomes one of them). */
function lowerAt(s: string, k: number): number {
  return s.charCodeAt(k) | 0x20;
}

/** `\w`: ASCII letters, digits and "_" (NaN, past the end, is none). */
function isWordCharacter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Where ENTITY's match that starts at s[i] ("&") ends, or -1 if none does. */
function entityEnd(s: string, i: number): number {
  let k = i + 1;
  if (s.charCodeAt(k) === 0x23) {
    // "#x" and hex digits, or "#" and decimal digits ("#x" followed by no hex digit matches neither).
    const hex = (s.charCodeAt(k + 1) | 0x20) === 0x78;
    k += hex ? 2 : 1;
    const digits = k;
    while (hex ? isHexDigit(s.charCodeAt(k)) : isDigit(s.charCodeAt(k))) k++;
    return k > digits && s.charCodeAt(k) === SEMICOLON ? k + 1 : -1;
  }
  while ((s.charCodeAt(k) | 0x20) >= 0x61 && (s.charCodeAt(k) | 0x20) <= 0x7a) k++;
  return k > i + 1 && s.charCodeAt(k) === SEMICOLON ? k + 1 : -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
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
  const lines = linesOf(text);
  const at = quoteStart(lines);
  if (at === null) return { own: lines.join('\n'), quoted: '' };
  if (at.marked) {
    const own = [...lines.slice(0, at.line), ...lines.slice(at.line).filter((l) => leadOf(l) !== GREATER_THAN)];
    return { own: own.join('\n'), quoted: quotedLinesFrom(lines, at).join('\n') };
  }
  return { own: lines.slice(0, at.line).join('\n'), quoted: quotedLinesFrom(lines, at).join('\n') };
}

/**
 * The lines of splitQuoted(text).quoted, from linesOf(text): message facts need only those, and
 * share the lines with comparableLineGrams (one split of the text instead of four).
 */
export function quotedLines(lines: readonly string[]): string[] {
  const at = quoteStart(lines);
  return at === null ? [] : quotedLinesFrom(lines, at);
}

/** A text's lines, as every function here reads them: split at CRLF, CR or LF. */
export function linesOf(text: string | null): string[] {
  const t = text ?? '';
  // Speed, same result: the expression, finding no CR, read the whole text for nothing (13 µs of 23 KB).
  return (t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t).split('\n');
}

/**
 * Where the quoted part starts: at `line`, a line quoted with ">" (`marked`: the ">" lines from
 * there, markers removed, are quoted), or a separator or attribution line (the lines after it),
 * or an Outlook header block (the lines from it), either less the header block at its top.
 */
interface QuoteStart {
  line: number;
  marked: boolean;
  from: number;
}

function quoteStart(lines: readonly string[]): QuoteStart | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lead = leadOf(line);
    if (lead === GREATER_THAN) return { line: i, marked: true, from: i };
    // Speed, same result: SEPARATOR ends with "-", ATTRIBUTION with ":", before any trailing whitespace.
    const tail = lead === HYPHEN || ATTRIBUTION_LEADS.has(lead) ? tailOf(line) : -1;
    if (
      (lead === HYPHEN && tail === HYPHEN && SEPARATOR.test(line)) ||
      (tail === COLON && ATTRIBUTION_LEADS.has(lead) && ATTRIBUTION.test(line))
    ) {
      // "On … wrote:" above "> " lines: only those are quoted (the reply may go on below them).
      const next = lines.slice(i + 1).find((l) => l.trim() !== '');
      if (next !== undefined && leadOf(next) === GREATER_THAN) continue;
      return { line: i, marked: false, from: i + 1 };
    }
    if (OUTLOOK_FROM_LEADS.has(lead) && OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 4).some((l) => OUTLOOK_SENT.test(l))) {
      return { line: i, marked: false, from: i };
    }
  }
  return null;
}

function quotedLinesFrom(lines: readonly string[], at: QuoteStart): string[] {
  if (!at.marked) return skipHeaderBlock(lines.slice(at.from));
  // Everything quoted with ">" below this point, markers removed; unquoted lines between are the author's.
  return lines
    .slice(at.line)
    .filter((l) => leadOf(l) === GREATER_THAN)
    .map(withoutQuoteMarkers);
}

/**
 * Speed, same results: every expression above that splits a text (and ATTRIBUTION_START below)
 * starts with `^\s*` and then one of a few characters, so a line whose first character that `\s`
 * does not match is none of them is not tested. These are those characters (ASCII letters in
 * lower case: the expressions ignore case, and without the u flag only ASCII letters fold to them).
 */
const GREATER_THAN = 0x3e;
const HYPHEN = 0x2d;
const COLON = 0x3a;
const ATTRIBUTION_LEADS = new Set([0x6f, 0x61, 0x6c, 0x65]); // o a l e: on, am, le, el
const OUTLOOK_FROM_LEADS = new Set([0x2a, 0x66, 0x76, 0x64]); // * f v d: from, von, de, da, van

/**
 * The line without its quote markers: what `line.replace(/^(\s*>)+ ?/, '')` leaves, found by a loop.
 * The expression keeps one entry on V8's backtracking stack for each marker, and a line of 2 MiB of
 * ">" overflowed it ("Maximum call stack size exceeded"): the whole analysis of the message failed.
 */
export function withoutQuoteMarkers(line: string): string {
  let end = -1;
  for (let i = 0; ; i++) {
    while (i < line.length && isSpace(line.charCodeAt(i))) i++;
    if (line.charCodeAt(i) !== GREATER_THAN) break;
    end = i + 1;
  }
  if (end === -1) return line;
  return line.slice(line.charCodeAt(end) === SPACE ? end + 1 : end);
}

/** The first character of a line that `\s` does not match, ASCII letters in lower case; -1 for a blank line. */
function leadOf(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (!isSpace(c)) return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return -1;
}

/** The last character of a line that `\s` does not match; -1 for a blank line. */
function tailOf(line: string): number {
  for (let i = line.length - 1; i >= 0; i--) {
    const c = line.charCodeAt(i);
    if (!isSpace(c)) return c;
  }
  return -1;
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
  eachComparableLine(linesOf(text), (line) => {
    kept.push(line);
    return true;
  });
  return kept.join('\n');
}

/**
 * Hands the lines of comparableText to `take`, one at a time, until it returns false: a caller that
 * needs only the start (the grams) stops there, and the lines after it are never tested.
 */
function eachComparableLine(lines: readonly string[], take: (line: string) => boolean): void {
  // Speed, same result: each line's quote markers are removed and QUOTED_HEADER tested once (not up
  // to three times), when the line or its successor is first looked at; ATTRIBUTION is tried only
  // where it can match: it needs a line starting with one of its words, or an empty line that the
  // wrapped-attribution test joins to the next one.
  const unquoted: string[] = [];
  const header: boolean[] = [];
  const prepare = (i: number): void => {
    for (let j = unquoted.length; j <= i && j < lines.length; j++) {
      const line = leadOf(lines[j]!) === GREATER_THAN ? withoutQuoteMarkers(lines[j]!) : lines[j]!;
      unquoted.push(line);
      // Speed, same result: QUOTED_HEADER needs a colon.
      header.push(line.includes(':') && QUOTED_HEADER.test(line));
    }
  };
  for (let i = 0; i < lines.length; i++) {
    prepare(i + 1);
    const line = unquoted[i]!;
    const lead = leadOf(line);
    const attribution = ATTRIBUTION_LEADS.has(lead) && ATTRIBUTION_START.test(line);
    if ((lead === HYPHEN && SEPARATOR.test(line)) || (attribution && ATTRIBUTION.test(line))) continue;
    // A long attribution wrapped over two lines (format=flowed, a narrow client); -1: a blank line,
    // which joined to the next line starts where the next line does (so only with one of ATTRIBUTION's leads).
    const wrapped = i + 1 < lines.length && (attribution || (lead === -1 && ATTRIBUTION_LEADS.has(leadOf(unquoted[i + 1]!))));
    if (wrapped && ATTRIBUTION.test(`${line.trimEnd()} ${unquoted[i + 1]!.trim()}`)) {
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
  return comparableLineGrams(linesOf(text), limit);
}

/**
 * comparableGrams of the text whose linesOf are `lines`. An empty list reads as one empty line, as
 * linesOf('') is: neither has words.
 */
export function comparableLineGrams(lines: readonly string[], limit: number): number[] {
  const need = wordsNeeded(limit);
  const words: string[] = [];
  eachComparableLine(lines, (line) => {
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
  // Speed, same result as writeUInt32BE for each (a quarter of the time): every byte is written.
  const b = Buffer.allocUnsafe(grams.length * 4);
  for (let i = 0, at = 0; i < grams.length; i++, at += 4) {
    const g = grams[i]!;
    b[at] = g >>> 24;
    b[at + 1] = (g >>> 16) & 0xff;
    b[at + 2] = (g >>> 8) & 0xff;
    b[at + 3] = g & 0xff;
  }
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
