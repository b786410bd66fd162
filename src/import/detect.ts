// Content sniffing: what the first bytes of a file say it is. Names lie (mbox files are often
// called `inbox`, junk is often called `.eml`), so the readers' registry asks these first.

import { MAX_FROM_LINE_BYTES, SNIFF_BYTES } from './limits.ts';

const DAY_OR_MONTH = /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/;
const CLOCK = /\b\d{1,2}:\d{2}(?::\d{2})?\b/;
const YEAR = /\b(?:19|20)\d{2}\b/;

/**
 * Whether a line (with or without its line break) is an mbox From_ separator, e.g.
 * `From MAILER-DAEMON Fri Jul  8 12:08:34 2011`, Thunderbird's `From - Thu Jan 01 ...`, Takeout's
 * `From 1234@xxx Wed Mar 02 10:20:30 +0000 2022`. A date is required so that an unescaped body
 * line such as "From here on..." does not split a message.
 */
export function isFromLine(line: Buffer): boolean {
  if (line.length < 5 || line.length > MAX_FROM_LINE_BYTES) return false;
  if (line[0] !== 0x46 || line.toString('latin1', 0, 5) !== 'From ') return false;
  const text = line.toString('latin1').replace(/\r?\n$/, '');
  const match = /^From \S*\s+(.*)$/.exec(text);
  if (!match) return false;
  const date = match[1] ?? '';
  return DAY_OR_MONTH.test(date) && CLOCK.test(date) && YEAR.test(date);
}

/** An mbox starts with a From_ line. */
export function looksLikeMbox(head: Buffer): boolean {
  const end = head.indexOf(0x0a);
  return isFromLine(end === -1 ? head : head.subarray(0, end + 1));
}

/** Local file header, or the end record of an empty archive. */
export function looksLikeZip(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b) return false;
  const tag = head.readUInt16LE(2);
  return tag === 0x0403 || tag === 0x0605 || tag === 0x0807;
}

// Header names that nearly every stored message carries at least one of.
const MAIL_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'received',
  'return-path',
  'delivered-to',
  'mime-version',
  'content-type',
  'reply-to',
  'sender',
  'in-reply-to',
  'references',
  'dkim-signature',
  'arc-seal',
  'authentication-results',
  'x-mailer',
  'user-agent',
  'x-received',
]);
const FIELD = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;
/** A header name as mail software writes them (letters, digits, dashes), e.g. X-MS-Exchange-Organization-SCL. */
const MAIL_LIKE_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
/**
 * The lines of the sniffed bytes, read only as far as the caller goes (the header section, not the
 * whole window: splitting all of it took most of the sniff's time on small messages). When the
 * window cut the bytes (`cut`), the last line may be cut too, and is given only when it is the only one.
 */
function* sniffedLines(text: string, cut: boolean): Generator<string> {
  // Any line break a damaged or converted file may have: CRLF, LF, LF CR (a botched conversion), CR.
  const breaks = /\r\n|\n\r|\n|\r/g;
  let at = 0;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
    yield text.slice(at, m.index);
    at = m.index + m[0].length;
  }
  if (!cut || at === 0) yield text.slice(at);
}

/**
 * Header lines that may be damaged (a NUL, stray bytes) inside a run of good ones: one in ten,
 * at least one. Damaged mail is evidence to analyse; a file that is mostly not headers is not mail.
 */
const DAMAGED_LINE_SHARE = 0.1;

/**
 * Whether the bytes start like a message: a run of header fields (folded lines allowed) from the
 * first byte. The run may end at a blank line, at a body line when the blank line is missing, or
 * at the end of the sniffed bytes; line breaks may be CRLF, LF, CR or LF CR; a NUL or other damage
 * in a few lines does not disqualify it. It is mail when the run holds a common mail header (two
 * fields when no blank line ends it), or when the whole window is fields named like mail headers,
 * most of them X- (a message whose first 8 KB are vendor headers). Text that starts "Note: ..."
 * then goes on in prose, images, PDFs and other binary files are not mail.
 */
export function looksLikeMessage(head: Buffer): boolean {
  const lines = sniffedLines(head.toString('latin1'), head.length >= SNIFF_BYTES);
  let fields = 0;
  let damaged = 0;
  let known = false;
  let mailLikeNames = 0;
  let xNames = 0;
  let ending: 'blank' | 'other' | 'window' = 'window';
  let i = -1;
  for (const line of lines) {
    i++;
    if (line === '') {
      ending = 'blank';
      break;
    }
    if (i > 0 && (line.startsWith(' ') || line.startsWith('\t'))) continue;
    const field = FIELD.exec(line);
    const name = field?.[1];
    if (name === undefined || line.includes('\0')) {
      // A NUL inside a field is damage; a line with no field at all ends the run (the body, or not mail).
      if (name === undefined && !line.includes('\0')) {
        ending = 'other';
        break;
      }
      damaged++;
      if (name === undefined) continue;
    }
    fields++;
    if (MAIL_HEADERS.has(name.toLowerCase())) known = true;
    if (MAIL_LIKE_NAME.test(name)) mailLikeNames++;
    if (/^x-/i.test(name)) xNames++;
  }
  if (fields === 0 || damaged > Math.max(1, Math.floor((fields + damaged) * DAMAGED_LINE_SHARE))) return false;
  if (ending === 'blank') return known;
  if (ending === 'other') return known && fields >= 2;
  // Nothing but fields as far as we looked.
  return known || (fields >= 10 && mailLikeNames === fields && xNames * 2 >= fields);
}

// Formats an investigator may hand us that we do not read; naming them helps more than "not mail".
const OTHER_FORMATS: { name: string; magic: Buffer; at?: number }[] = [
  { name: 'bzip2', magic: Buffer.from('BZh') },
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: '7-Zip', magic: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { name: 'RAR', magic: Buffer.from('Rar!\x1a\x07', 'latin1') },
  { name: 'Outlook PST/OST', magic: Buffer.from('!BDN') },
  { name: 'OLE2 (Outlook .msg or Office)', magic: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) },
];

/** The name of a known non-mail container format, or null. */
export function detectOtherFormat(head: Buffer): string | null {
  for (const format of OTHER_FORMATS) {
    const at = format.at ?? 0;
    if (head.length >= at + format.magic.length && head.subarray(at, at + format.magic.length).equals(format.magic)) {
      return format.name;
    }
  }
  return null;
}
