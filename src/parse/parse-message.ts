// A message's bytes into ParsedMessage. The raw header list comes from our own reader (order,
// duplicates and folding kept); the body from our own one-pass MIME walk (mime-walk.ts), or, for
// the structures the walk declines, from mailparser, whose only import is here. Both give the same
// fields with the same meaning: decoded text and HTML, decoded addresses and subject, attachments
// with the SHA-256 of their decoded content.
import type { AddressObject, ParsedMail } from 'mailparser';
import type { Address, AttachmentInfo, ParsedMessage, RawHeader, StoredHtml } from '../model.ts';
import { firstHeader, readHeaderList, splitHeaderSection } from './header-section.ts';
import type { HeaderSplit, MessageLayout } from './header-section.ts';
import { readMailTime } from './mail-time.ts';
import { readReceivedHops } from './received.ts';
import { walkMime, WalkDeclined } from './mime-walk.ts';
import type { WalkResult } from './mime-walk.ts';
import { decodeAddressHeader, decodeSubject, toAddress } from './address-decode.ts';
import { readDocumentMetadata } from './document-metadata.ts';
import { MESSAGE_PDF_MS } from './pdf-sandbox.ts';
import { isSpaceCode } from '../common/text.ts';
import { guardMailparserHtml, MAX_HTML_DEPTH } from './html-text.ts';

/**
 * Above this many MIME boundaries the body tree is not handed to the MIME parser: no real mail nests
 * that deep (clients stop near 10 levels), and the parser's tree walk grows with depth. The headers
 * and the DKIM evidence are still read; the message gets a `parse/mime-too-deep` problem.
 */
export const MAX_MIME_BOUNDARIES = 200;

/**
 * A header section longer than this is not handed to the MIME parser either. Real header sections
 * stay under ~100 KB even after dozens of relays; megabyte headers are junk or attacks.
 */
export const MAX_HEADER_SECTION_BYTES = 1024 * 1024;

/** Bodies longer than this are stored cut (the raw bytes keep everything). */
export const MAX_BODY_TEXT_CHARS = 2 * 1024 * 1024;

/** Attachment checksums are SHA-256, the hash every record of ours uses; no link or HTML rewriting. */
const PARSER_OPTIONS = {
  skipImageLinks: true,
  skipTextLinks: true,
  skipTextToHtml: true,
  checksumAlgo: 'sha256',
  maxHtmlLengthToParse: MAX_BODY_TEXT_CHARS,
};

/**
 * mailparser, loaded when a message first needs it: the walk reads most bodies, and loading it with
 * what it loads (about 40 modules) cost each analysis thread some 0.2 CPU-s at its start.
 */
let mailparser: Promise<typeof import('mailparser')> | null = null;
const loadMailparser = (): Promise<typeof import('mailparser')> => {
  if (!mailparser) {
    // Before mailparser takes html-to-text's function: its HTML goes through the same depth limit.
    guardMailparserHtml();
    mailparser = import('mailparser');
  }
  return mailparser;
};

/** Which parser read the body: our walk, mailparser (declined by the walk), or none (not parsed). */
export type BodyParser = 'walk' | 'mailparser' | 'none';

export interface ReadMessage {
  parsed: ParsedMessage;
  layout: MessageLayout;
  bodyParser: BodyParser;
}

export async function parseMessage(bytes: Buffer): Promise<ParsedMessage> {
  return (await readMessage(bytes)).parsed;
}

/** Tests only: always use mailparser for the body, to compare it with the walk. */
export interface ReadOptions {
  bodyParser?: 'auto' | 'mailparser';
}

export async function readMessage(bytes: Buffer, options: ReadOptions = {}): Promise<ReadMessage> {
  const problems: ParsedMessage['problems'] = [];
  const split = splitHeaderSection(bytes);
  const { headers, strayLines } = readHeaderList(bytes, split);
  if (!split.hasBody)
    problems.push({ code: 'parse/no-body', reason: 'no blank line ends the headers: the message has no body or was cut short' });
  if (strayLines > 0)
    problems.push({ code: 'parse/stray-header-lines', reason: `${strayLines} line(s) in the header section are not headers` });
  if (headers.length === 0) problems.push({ code: 'parse/no-headers', reason: 'no header could be read' });
  if (bytes.includes(0)) problems.push({ code: 'parse/nul-bytes', reason: 'the message contains NUL bytes, which RFC 5322 forbids' });
  if (!isValidUtf8(bytes.subarray(0, split.headerEnd))) {
    problems.push({ code: 'parse/8bit-headers', reason: 'the headers contain bytes that are not valid UTF-8 (raw 8-bit text)' });
  }

  let mail: ParsedMail | null = null;
  let walked: WalkResult | null = null;
  const body = bodyReading(bytes, split);
  if (body === 'header-too-large') {
    problems.push({
      code: 'parse/header-too-large',
      reason: `the header section is ${split.headerEnd} bytes; bodies and decoded headers were not parsed`,
    });
  } else if (body === 'mime-too-deep') {
    problems.push({
      code: 'parse/mime-too-deep',
      reason: `more than ${MAX_MIME_BOUNDARIES} MIME boundaries declared; the body tree was not parsed`,
    });
  } else {
    if (options.bodyParser !== 'mailparser') walked = tryWalk(bytes, headers, split);
    if (!walked) {
      mail = await readWithMailparser(bytes, problems);
    }
  }
  const bodyParser: BodyParser = walked ? 'walk' : mail ? 'mailparser' : 'none';
  const layout: MessageLayout = { split, strayLines, lineRuns: walked?.lineRuns ?? [] };
  const parsed = walked ? fromWalk(bytes, headers, walked, problems) : fromMailparser(headers, mail, problems);
  const documents = walked ? walked.documents : (mail?.attachments ?? []).map((a, index) => ({ index, content: a.content }));
  await readAttachedDocuments(parsed.attachments, documents);
  return { parsed, layout, bodyParser };
}

/** Whether the body is read, and if not, why (the limits above). */
function bodyReading(bytes: Buffer, split: HeaderSplit): 'read' | 'header-too-large' | 'mime-too-deep' {
  if (split.headerEnd > MAX_HEADER_SECTION_BYTES) return 'header-too-large';
  if (countBoundaries(bytes) > MAX_MIME_BOUNDARIES) return 'mime-too-deep';
  return 'read';
}

/** The walk's reading of the body, or null where it declines the structure (mailparser reads it then). */
function tryWalk(bytes: Buffer, headers: RawHeader[], split: HeaderSplit): WalkResult | null {
  try {
    return walkMime(headers, bytes.subarray(split.bodyStart));
  } catch (err) {
    if (err instanceof WalkDeclined) return null;
    throw err;
  }
}

/**
 * The decoded HTML body that readMessage gives a message whose body the walk reads (its
 * `parsed.html`), read again from the bytes, without the rest of the analysis (no document is read);
 * `undefined` when the walk declines the body (readMessage's HTML then came from mailparser). The
 * store keeps the HTML only of those (src/store/stored-html.ts), so that the bytes are not stored
 * twice; storedHtmlText reads what it hands out. The walk decodes and hashes the attachments as it
 * passes them: about a millisecond per megabyte, paid only when a screen or a comparison of copies
 * asks for a message's HTML.
 */
export function htmlFromBytes(bytes: Buffer): string | null | undefined {
  const split = splitHeaderSection(bytes);
  if (bodyReading(bytes, split) !== 'read') return null;
  const walked = tryWalk(bytes, readHeaderList(bytes, split).headers, split);
  return walked ? cut(walked.html) : undefined;
}

/** The HTML of a message as the store hands it out: as stored, or read again from its bytes. */
export function storedHtmlText(stored: StoredHtml): string | null {
  if (stored === null) return null;
  return 'html' in stored ? stored.html : (htmlFromBytes(stored.bytes) ?? null);
}

/**
 * mailparser's reading of the whole message. Where it cannot turn an HTML part into text (too deep
 * for html-text.ts, too long, or html-to-text failed), it fails the whole message: the message is
 * then read again without turning HTML into text, and the problem says so.
 */
async function readWithMailparser(bytes: Buffer, problems: ParsedMessage['problems']): Promise<ParsedMail | null> {
  const { simpleParser } = await loadMailparser();
  let why: string;
  try {
    return await simpleParser(bytes, PARSER_OPTIONS as Parameters<typeof simpleParser>[1]);
  } catch (err) {
    const message = (err as Error).message;
    if (!HTML_TEXT_FAILURE.test(message)) {
      problems.push({ code: 'parse/mime-error', reason: `the MIME parser failed: ${message}` });
      return null;
    }
    why = message.startsWith('HTML too long')
      ? `it is longer than ${MAX_BODY_TEXT_CHARS} characters`
      : `it nests more than ${MAX_HTML_DEPTH} elements deep, or the converter failed on it`;
  }
  try {
    const mail = await simpleParser(bytes, { ...PARSER_OPTIONS, skipHtmlToText: true } as Parameters<typeof simpleParser>[1]);
    problems.push({
      code: 'parse/html-not-converted',
      reason: `an HTML part could not be turned into text (${why}); the rest of the body was read, without that text`,
    });
    return mail;
  } catch (err) {
    problems.push({ code: 'parse/mime-error', reason: `the MIME parser failed: ${(err as Error).message}` });
    return null;
  }
}

/** The errors mailparser reports for an HTML part it could not turn into text (and for nothing else). */
const HTML_TEXT_FAILURE = /^(Failed to parse HTML|HTML too long for parsing)/;

/** Fills in what the attached documents say about themselves (document-metadata.ts). */
async function readAttachedDocuments(attachments: AttachmentInfo[], documents: { index: number; content: Buffer }[]): Promise<void> {
  const pdfUntil = performance.now() + MESSAGE_PDF_MS;
  const read = await Promise.all(
    documents.map(({ index, content }) => {
      const a = attachments[index];
      return a ? readDocumentMetadata(content, a.filename, a.contentType, pdfUntil) : Promise.resolve(null);
    }),
  );
  documents.forEach(({ index }, i) => {
    const a = attachments[index];
    if (a) a.document = read[i] ?? null;
  });
}

/** The Date and the ids of a message, read from its root headers the same way whichever parser read the body. */
function dateAndIds(
  headers: RawHeader[],
): Pick<ParsedMessage, 'dateRaw' | 'dateEpoch' | 'dateProblem' | 'messageId' | 'inReplyTo' | 'references'> {
  const dateRaw = firstHeader(headers, 'date');
  const messageId = firstHeader(headers, 'message-id');
  // One reading gives both (the date was read twice, once for each, at about 15 µs a reading).
  const date = readMailTime(dateRaw);
  return {
    dateRaw,
    dateEpoch: date.epoch,
    dateProblem: date.problem,
    messageId: messageId ? messageId.trim() : null,
    inReplyTo: firstHeader(headers, 'in-reply-to'),
    references: (firstHeader(headers, 'references') ?? '').split(/\s+/).filter((s) => s.length > 0),
  };
}

/** The message-level fields read from the root headers, as mailparser decodes them. */
function fromWalk(_bytes: Buffer, headers: RawHeader[], walked: WalkResult, problems: ParsedMessage['problems']): ParsedMessage {
  for (const c of walked.htmlCuts)
    problems.push({
      code: 'parse/html-too-deep',
      reason: `the HTML part of ${c.chars} characters nests more than ${MAX_HTML_DEPTH} elements deep from character ${c.cutAt} on; its text was made from the characters before`,
    });
  const all = (key: string) => headers.filter((h) => h.key === key);
  const lastOf = (key: string) => all(key).slice(-1);
  const list = (hs: RawHeader[], key: string): Address[] =>
    addresses(
      [],
      firstHeader(headers, key),
      hs.flatMap((h) => decodeAddressHeader(h.raw)),
    );
  return {
    headers,
    from: list(lastOf('from'), 'from'),
    sender: list(lastOf('sender'), 'sender'),
    replyTo: list(lastOf('reply-to'), 'reply-to'),
    to: list(all('to'), 'to'),
    cc: list(all('cc'), 'cc'),
    ...dateAndIds(headers),
    subject: decodeSubject(lastOf('subject')[0]?.raw ?? null) ?? firstHeader(headers, 'subject'),
    listId: firstHeader(headers, 'list-id'),
    received: readReceivedHops(headers),
    mailer: firstHeader(headers, 'x-mailer') ?? firstHeader(headers, 'user-agent'),
    text: cut(walked.text),
    html: cut(walked.html),
    attachments: walked.attachments,
    problems,
  };
}

function fromMailparser(headers: RawHeader[], mail: ParsedMail | null, problems: ParsedMessage['problems']): ParsedMessage {
  return {
    headers,
    from: addresses(flatten(mail?.from), firstHeader(headers, 'from')),
    sender: addressesOfHeader(mail, 'sender', firstHeader(headers, 'sender')),
    replyTo: addresses(flatten(mail?.replyTo), firstHeader(headers, 'reply-to')),
    to: addresses(flatten(mail?.to), firstHeader(headers, 'to')),
    cc: addresses(flatten(mail?.cc), firstHeader(headers, 'cc')),
    ...dateAndIds(headers),
    subject: mail?.subject ?? firstHeader(headers, 'subject'),
    listId: firstHeader(headers, 'list-id'),
    received: readReceivedHops(headers),
    mailer: firstHeader(headers, 'x-mailer') ?? firstHeader(headers, 'user-agent'),
    text: cut(mail?.text ?? null),
    html: mail && typeof mail.html === 'string' ? cut(mail.html) : null,
    attachments: (mail?.attachments ?? []).map((a): AttachmentInfo => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
      sha256: a.checksum,
      disposition: a.contentDisposition ?? null,
      contentId: a.contentId ?? null,
      document: null,
    })),
    problems,
  };
}

/** An attachment cut out of a message's stored bytes, decoded, for download. */
export interface ExtractedAttachment {
  content: Buffer;
  sha256: string;
}

/**
 * The decoded attachment whose SHA-256 is `sha256` (as parseMessage recorded it), or null when the
 * bytes hold none. Found by its hash, so the order in which parts are listed does not matter.
 */
export async function extractAttachment(raw: Buffer, sha256: string, hintIndex: number): Promise<ExtractedAttachment | null> {
  const { simpleParser } = await loadMailparser();
  const mail = await simpleParser(raw, { ...PARSER_OPTIONS, skipHtmlToText: true } as Parameters<typeof simpleParser>[1]);
  const found = mail.attachments.map((a) => ({ content: a.content, sha256: a.checksum }));
  const hinted = found[hintIndex];
  if (hinted && hinted.sha256 === sha256) return hinted;
  return found.find((a) => a.sha256 === sha256) ?? null;
}

function cut(s: string | null): string | null {
  if (s === null) return null;
  return s.length > MAX_BODY_TEXT_CHARS ? s.slice(0, MAX_BODY_TEXT_CHARS) : s;
}

const BOUNDARY_PARAM = Buffer.from('boundary=');
/** The bytes before its `=`. */
const WORD_BYTES = BOUNDARY_PARAM.length - 1;
const EQUALS = 0x3d;
/** `=` signs after which countBoundaries searches for the whole word instead. */
const DENSE_EQUALS = 1024;

/**
 * How many times `boundary=` occurs in the bytes, counted up to one past MAX_MIME_BOUNDARIES. Case
 * variants are rare enough; a lower bound is all the limit needs.
 *
 * Speed, same count: the search jumps from `=` to `=` (memchr) and looks at the eight bytes before
 * each, as `=` ends the word and occurs nowhere else in it, so occurrences never overlap. On the
 * bench's mixed messages (115 KB on average) that took 5 µs a message where a search for the whole
 * word took 50-75 µs, a seventh of their parse. Text dense with `=` (quoted-printable of another
 * script: one every three bytes) would make the jumps slower than that search: past DENSE_EQUALS
 * of them, the rest of the bytes is searched for the word.
 */
export function countBoundaries(bytes: Buffer): number {
  let n = 0;
  let equals = 0;
  for (let at = bytes.indexOf(EQUALS); at !== -1 && n <= MAX_MIME_BOUNDARIES; at = bytes.indexOf(EQUALS, at + 1)) {
    if (++equals > DENSE_EQUALS) return n + countWord(bytes, at - WORD_BYTES, MAX_MIME_BOUNDARIES - n);
    if (at >= WORD_BYTES && bytes.compare(BOUNDARY_PARAM, 0, WORD_BYTES, at - WORD_BYTES, at) === 0) n++;
  }
  return n;
}

/** Occurrences of `boundary=` from `from` on (a negative start is the start), up to one past `limit`. */
function countWord(bytes: Buffer, from: number, limit: number): number {
  let n = 0;
  for (
    let at = bytes.indexOf(BOUNDARY_PARAM, Math.max(0, from));
    at !== -1 && n <= limit;
    at = bytes.indexOf(BOUNDARY_PARAM, at + BOUNDARY_PARAM.length)
  )
    n++;
  return n;
}

function isValidUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

function flatten(obj: AddressObject | AddressObject[] | undefined): Address[] {
  if (!obj) return [];
  const list = Array.isArray(obj) ? obj : [obj];
  const out: Address[] = [];
  const walk = (v: { name?: string; address?: string; group?: unknown[] }): void => {
    if (v.group) for (const g of v.group) walk(g as typeof v);
    else if (v.address !== undefined || v.name) out.push(toAddress(v.name ?? '', v.address ?? ''));
  };
  for (const o of list) for (const v of o.value) walk(v);
  return out;
}

/** Without the MIME parser's view (too deep, too large), fall back to the bare addr-spec. */
function addresses(parsed: Address[], raw: string | null, walked?: Address[]): Address[] {
  if (walked) parsed = walked;
  if (parsed.length > 0 || raw === null) return parsed;
  const address = firstAddressIn(raw);
  return address === null ? [] : [toAddress('', address)];
}

/** Characters of a bare address (none of `\s<>,;"`). */
const bare = (c: string): boolean => !'<>,;"'.includes(c) && !isSpaceCode(c.charCodeAt(0));

/**
 * The address `/<([^<>@\s]+@[^<>\s]+)>|([^\s<>,;"]+@[^\s<>,;"]+)/` finds first in `raw` (its first
 * or second group), or null, in one pass. The expression, tried from every position of a long run
 * without an '@', took time in the square of its length (32,000 characters: 0.8 s).
 */
export function firstAddressIn(raw: string): string | null {
  for (let i = 0; i < raw.length;) {
    if (raw[i] === '<') {
      const angled = angledAddressAt(raw, i);
      if (angled !== null) return angled;
      i++;
    } else if (bare(raw[i]!)) {
      // A bare address is the whole run, if an '@' inside it has a character on either side; if not
      // from the run's start, then from nowhere in it.
      let end = i + 1;
      let at = -1;
      for (; end < raw.length && bare(raw[end]!); end++) if (at === -1 && raw[end] === '@') at = end;
      if (at !== -1 && at < end - 1) return raw.slice(i, end);
      i = end;
    } else i++;
  }
  return null;
}

/** `<local@domain>` at `open` (a '<'): the address, or null. Each part runs to a stop character. */
function angledAddressAt(raw: string, open: number): string | null {
  let at = open + 1;
  while (at < raw.length && !'<>@'.includes(raw[at]!) && !isSpaceCode(raw.charCodeAt(at))) at++;
  if (at === open + 1 || raw[at] !== '@') return null;
  let close = at + 1;
  while (close < raw.length && !'<>'.includes(raw[close]!) && !isSpaceCode(raw.charCodeAt(close))) close++;
  if (close === at + 1 || raw[close] !== '>') return null;
  return raw.slice(open + 1, close);
}

function addressesOfHeader(mail: ParsedMail | null, key: string, raw: string | null): Address[] {
  const v = mail?.headers.get(key) as AddressObject | undefined;
  return addresses(flatten(v && typeof v === 'object' && 'value' in v ? v : undefined), raw);
}
