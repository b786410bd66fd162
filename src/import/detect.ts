// Content sniffing: what the first bytes of a file say it is. Names lie (mbox files are often
// called `inbox`, junk is often called `.eml`), so the readers' registry asks these first.

import { MAX_FROM_LINE_BYTES } from './limits.ts';

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

/**
 * Whether the bytes start with an RFC 5322 header block: every line up to the first blank line (or
 * the end of the sniffed bytes) is a header field or a folded continuation, and at least one field
 * is a common mail header. A text file that starts "Note: ..." is not mail.
 */
export function looksLikeMessage(head: Buffer): boolean {
  const blank = /\r?\n\r?\n/.exec(head.toString('latin1'));
  const block = head.toString('latin1', 0, blank ? blank.index : head.length);
  if (block.includes('\0')) return false;
  const lines = block.split(/\r?\n/);
  // The last line may be cut by the sniff window; judge only complete lines unless it is the only one.
  const complete = blank || lines.length === 1 ? lines : lines.slice(0, -1);
  let known = false;
  for (const [i, line] of complete.entries()) {
    if (i > 0 && (line.startsWith(' ') || line.startsWith('\t'))) continue;
    const field = FIELD.exec(line);
    if (!field) return false;
    if (MAIL_HEADERS.has((field[1] ?? '').toLowerCase())) known = true;
  }
  return known;
}

// Formats an investigator may hand us that we do not read; naming them helps more than "not mail".
const OTHER_FORMATS: { name: string; magic: Buffer; at?: number }[] = [
  { name: 'gzip', magic: Buffer.from([0x1f, 0x8b]) },
  { name: 'bzip2', magic: Buffer.from('BZh') },
  { name: 'xz', magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'zstd', magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]) },
  { name: '7-Zip', magic: Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { name: 'RAR', magic: Buffer.from('Rar!\x1a\x07', 'latin1') },
  { name: 'Outlook PST/OST', magic: Buffer.from('!BDN') },
  { name: 'OLE2 (Outlook .msg or Office)', magic: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) },
  { name: 'tar', magic: Buffer.from('ustar'), at: 257 },
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
