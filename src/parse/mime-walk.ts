// One walk over a message's body: the MIME tree found by searching for boundary lines in the stored
// bytes (no copy, no stream), each text part decoded once, each attachment decoded only to be
// measured and hashed (then dropped), documents handed to the metadata reader. The results are
// mailparser's (simpleParser with our options) for every structure the walk takes: which parts are
// text or attachments, how text parts are joined, the HTML-only text, names and types. What it does
// not take (embedded messages, digests, delivery reports, ISO-2022-JP, broken trees) it declines,
// and parse-message.ts hands the message to mailparser instead.
// tests/parse/mime-walk.test.ts compares the two on every corpus message.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { AttachmentInfo, RawHeader } from '../model.ts';
import { DOCUMENT_SNIFF_BYTES, MAX_DOCUMENT_BYTES, describeUnreadDocument, mayBeDocument } from './document-metadata.ts';
import { decodeCharset } from './charset-decode.ts';
import { readHeaderList, splitHeaderSection } from './header-section.ts';
import type { LineRun } from './header-section.ts';
import { textOfHtml } from './html-text.ts';
import { decodeFlowed, decodeWords, headerLineValue, mimeTypeOfFileName, normalizeCharset, parseStructuredHeader } from './mime-words.ts';
import { decodeQuotedPrintable } from './quoted-printable.ts';

/** Deeper nesting than this is declined (mailparser then decides); real mail nests 2-4 levels. */
const MAX_DEPTH = 30;

/** mailparser's maxHtmlLengthToParse as we set it: longer HTML is not turned into text. */
export const MAX_HTML_TO_TEXT_CHARS = 2 * 1024 * 1024;

/**
 * A text part is decoded from its first this many bytes only: bodies are stored cut to 2 Mi
 * characters anyway (parse-message.ts), and a 150 MB text part must not become a 150 MB string.
 */
const MAX_TEXT_PART_BYTES = 8 * 1024 * 1024;

/** base64 attachments larger than this are decoded in slices, so no large decoded copy is held. */
const DECODE_SLICE_BYTES = 4 * 1024 * 1024;

export interface WalkResult {
  text: string | null;
  html: string | null;
  attachments: AttachmentInfo[];
  /**
   * The decoded content of the attachments that may be documents (mayBeDocument), by attachment
   * index, for readDocumentMetadata; every other attachment is hashed and measured, never held decoded.
   */
  documents: { index: number; content: Buffer }[];
  /** The runs of whole base64 lines that decoding the attachments found (decodeLines), as offsets into the walked body, in ascending order. */
  lineRuns: LineRun[];
  /** HTML parts turned into text only up to where they nest deeper than MAX_HTML_DEPTH (html-text.ts): each one's length and that point. */
  htmlCuts: { chars: number; cutAt: number }[];
}

export class WalkDeclined extends Error {
  override name = 'WalkDeclined';
}

const TEXT_TYPES = new Set(['text/plain', 'text/html']);

interface Part {
  headers: RawHeader[];
  body: Buffer;
  root: boolean;
}

interface TextNode {
  kind: 'text';
  contentType: string;
  content: string;
  root: boolean;
}

interface Tree {
  kind: 'multipart';
  contentType: string;
  children: (Tree | TextNode | null)[];
}

/** The first header of a kind, as mailsplit reads it: unfolded, UTF-8, not decoded. */
function first(headers: RawHeader[], key: string): string {
  const h = headers.find((x) => x.key === key);
  return h ? headerLineValue(Buffer.from(h.raw, 'latin1').toString('utf8')) : '';
}

/** The last header of a kind (mailparser keeps the last of a single-valued header). */
function last(headers: RawHeader[], key: string): string | null {
  for (let i = headers.length - 1; i >= 0; i--) {
    if (headers[i]!.key === key) return headerLineValue(Buffer.from(headers[i]!.raw, 'latin1').toString('utf8'));
  }
  return null;
}

/** Splits a multipart body at its boundary lines (RFC 2046 5.1.1, as mailsplit reads them). */
function splitParts(body: Buffer, boundary: string): Buffer[] {
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  let closed = false;
  for (let at = body.indexOf(dash); at !== -1; at = body.indexOf(dash, at + 1)) {
    if (at > 0 && body[at - 1] !== 0x0a && body[at - 1] !== 0x0d) continue;
    let end = at + dash.length;
    let close = false;
    if (body[end] === 0x2d && body[end + 1] === 0x2d) {
      close = true;
      end += 2;
    }
    // Only a line break (or the end) may follow; mailsplit allows no trailing whitespace.
    let next: number;
    if (end === body.length) next = end;
    else if (body[end] === 0x0a) next = end + 1;
    else if (body[end] === 0x0d && body[end + 1] === 0x0a) next = end + 2;
    else if (body[end] === 0x0d) next = end + 1;
    else continue;
    // The line break before a boundary belongs to the boundary.
    let contentEnd = at;
    if (contentEnd > 0 && body[contentEnd - 1] === 0x0a) contentEnd--;
    if (contentEnd > 0 && body[contentEnd - 1] === 0x0d) contentEnd--;
    if (partStart !== -1) parts.push(body.subarray(partStart, Math.max(partStart, contentEnd)));
    if (close) {
      closed = true;
      break;
    }
    partStart = next;
  }
  if (!closed) throw new WalkDeclined('multipart without a closing boundary');
  return parts;
}

/**
 * base64 text as mailparser's decoder (libbase64) reads it: characters outside the alphabet are
 * dropped (Node's decoder would read '-' and '_' as the URL-safe alphabet). Padding in the middle,
 * which that decoder reads chunk by chunk, is declined; so is a byte outside ASCII, which that
 * decoder does not simply drop (it gave one byte more than Node's for a 0xC1 among the letters).
 */
function base64Text(body: Buffer, from = 0, to = body.length): string {
  // Searched within [from, to) only: a search of the whole rest of the body, slice after slice,
  // read a large attachment several times over.
  const urlSafe = checkBase64(body.subarray(from, to));
  // Node makes the string twice as fast from 'ascii' as from 'latin1' (311 against 713 µs for 1.5 MB).
  const s = body.toString('ascii', from, to);
  return urlSafe ? s.replace(/[-_]/g, '') : s;
}

/**
 * The declines of base64Text, on the bytes: a byte outside ASCII, a letter of the alphabet after
 * padding. Returns whether the text holds '-' or '_', which are to be dropped before Node decodes.
 */
function checkBase64(range: Buffer): boolean {
  if (!isAscii(range)) throw new WalkDeclined('base64 text with a byte outside ASCII');
  const eq = range.indexOf(0x3d);
  if (eq !== -1 && /[A-Za-z0-9+/]/.test(range.toString('latin1', eq))) throw new WalkDeclined('base64 padding inside the data');
  return range.indexOf(0x2d) !== -1 || range.indexOf(0x5f) !== -1;
}

/**
 * base64 text turned into a string at once, at most: a longer string is a large object to V8, which
 * counts it against the old generation, and a worker that made one for each 1 MB attachment ran a
 * full collection every ten or so (about 90 a worker over the mixed dump of bench/dumps.ts).
 */
const BASE64_CHUNK_CHARS = 64 * 1024;

/**
 * The decoded bytes of a base64 body, the same as Buffer.from(base64Text(body), 'base64') (which the
 * declines come from). A long body laid out as encoders write it (lines of one length, a multiple
 * of 4, ending in one kind of line break) is decoded a run of whole lines at a time; a run that
 * decodes to fewer bytes than its lines' characters promise held something outside the alphabet,
 * and the body is then decoded at once, as before.
 */
export function decodeBase64(body: Buffer): Buffer {
  return decodeBase64Measured(body).bytes;
}

/** The lines decodeLines decoded run by run: the body's first `bytes` bytes, lines of `stride` bytes ending in CRLF when `crlf`, else in a line feed. */
type DecodedLines = { bytes: number; stride: number; crlf: boolean };

/** decodeBase64, and the lines of the body decodeLines decoded run by run (null when it did not decode by lines). */
function decodeBase64Measured(body: Buffer): { bytes: Buffer; lines: DecodedLines | null } {
  return (body.length > BASE64_CHUNK_CHARS ? decodeLines(body) : null) ?? { bytes: Buffer.from(base64Text(body), 'base64'), lines: null };
}

/** The run-by-run decoding of decodeBase64; null when the body is not laid out for it (then decoded at once); throws base64Text's declines. */
export function decodeBase64Lines(body: Buffer): Buffer | null {
  return decodeLines(body)?.bytes ?? null;
}

/**
 * decodeBase64Lines, and the whole lines it decoded run by run. Each run decoded to exactly the
 * bytes its lines' characters promise, so every byte before a line's break is a character of the
 * alphabet: those lines hold no line break but their own.
 */
function decodeLines(body: Buffer): { bytes: Buffer; lines: DecodedLines | null } | null {
  // base64Text's declines, the same; text it rewrites goes its way. After the first padding there
  // is no letter of the alphabet, so what follows it is decoded with the rest, as it would be at once.
  if (checkBase64(body)) return null;
  const eq = body.indexOf(0x3d);
  const firstBreak = body.indexOf(0x0a);
  const crlf = firstBreak > 0 && body[firstBreak - 1] === 0x0d;
  const lineChars = firstBreak - (crlf ? 1 : 0);
  if (firstBreak === -1 || lineChars < 4 || lineChars % 4 !== 0) return null;
  const stride = firstBreak + 1;
  const limit = eq === -1 ? body.length : eq;
  const lines = Math.floor(limit / stride);
  for (let k = 0, at = lineChars; k < lines; k++, at += stride)
    if (crlf ? body[at] !== 0x0d || body[at + 1] !== 0x0a : body[at] !== 0x0a) return null;
  const out = Buffer.allocUnsafe(Math.ceil((body.length * 3) / 4) + 3);
  const perRun = Math.max(1, Math.floor(BASE64_CHUNK_CHARS / stride));
  let written = 0;
  for (let k = 0; k < lines; k += perRun) {
    const run = Math.min(perRun, lines - k);
    const n = out.write(body.toString('latin1', k * stride, (k + run) * stride), written, 'base64');
    if (n !== (run * lineChars * 3) / 4) return null;
    written += n;
  }
  written += out.write(body.toString('latin1', lines * stride), written, 'base64');
  return { bytes: out.subarray(0, written), lines: lines > 0 ? { bytes: lines * stride, stride, crlf } : null };
}

/**
 * `value.replace(/\([^)]*\)/g, '')` in one pass: each '(' up to the first ')' after it removed. The
 * expression, tried again from every '(' with no ')' after it, took time in the square of their number.
 */
export function withoutComments(value: string): string {
  let out = '';
  let from = 0;
  for (let open = value.indexOf('('); open !== -1; open = value.indexOf('(', from)) {
    const close = value.indexOf(')', open + 1);
    if (close === -1) break;
    out += value.slice(from, open);
    from = close + 1;
  }
  return out + value.slice(from);
}

function decodeBody(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return decodeBase64(body);
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/**
 * A part's decoded content hashed and measured, without holding a large decoded copy: `content` is
 * the decoded bytes when they were decoded whole (small enough), so that a document among them is
 * not decoded a second time for its metadata; null when they were decoded in slices.
 */
function hashDecoded(
  body: Buffer,
  encoding: string,
): { sha256: string; size: number; head: Buffer; content: Buffer | null; lines: DecodedLines | null } {
  const h = createHash('sha256');
  if (encoding !== 'base64' || body.length <= DECODE_SLICE_BYTES) {
    const { bytes: d, lines } = encoding === 'base64' ? decodeBase64Measured(body) : { bytes: decodeBody(body, encoding), lines: null };
    h.update(d);
    return { sha256: h.digest('hex'), size: d.length, head: d.subarray(0, DOCUMENT_SNIFF_BYTES), content: d, lines };
  }
  // Slices cut after a line break; base64 characters left over (not a multiple of 4) carry on.
  let size = 0;
  let carry = '';
  let head: Buffer | null = null;
  for (let from = 0; from < body.length;) {
    let to = Math.min(body.length, from + DECODE_SLICE_BYTES);
    if (to < body.length) {
      const nl = body.lastIndexOf(0x0a, to);
      if (nl > from) to = nl + 1;
    }
    const clean = carry + base64Text(body, from, to).replace(/[^A-Za-z0-9+/=]/g, '');
    const whole = clean.length - (clean.length % 4);
    carry = clean.slice(whole);
    const d = Buffer.from(clean.slice(0, whole), 'base64');
    head ??= Buffer.from(d.subarray(0, DOCUMENT_SNIFF_BYTES));
    size += d.length;
    h.update(d);
    from = to;
  }
  if (carry) {
    const d = Buffer.from(carry, 'base64');
    size += d.length;
    h.update(d);
  }
  return { sha256: h.digest('hex'), size, head: head ?? Buffer.alloc(0), content: null, lines: null };
}

interface Walk {
  /** The walked body: every part's bytes lie in it, and lineRuns are offsets into it. */
  body: Buffer;
  lineRuns: LineRun[];
  attachments: AttachmentInfo[];
  documents: WalkResult['documents'];
  hasText: boolean;
  hasHtml: boolean;
  boundaries: number;
}

function walkPart(part: Part, parentType: string | null, depth: number, w: Walk): Tree | TextNode | null {
  if (depth > MAX_DEPTH) throw new WalkDeclined('nesting too deep');
  const h = part.headers;
  const disposition = parseStructuredHeader(first(h, 'content-disposition'));
  const typeHeader = first(h, 'content-type');
  if (parentType === 'multipart/digest') throw new WalkDeclined('digest');
  let contentTypeHeader = typeHeader;
  if (!h.some((x) => x.key === 'content-type')) {
    const ext = (disposition.params.filename ?? '').split('.').pop() ?? '';
    contentTypeHeader =
      disposition.params.filename && ext && ext !== disposition.params.filename
        ? mimeTypeOfFileName(ext)
        : /^attachment$/i.test(disposition.value)
          ? 'application/octet-stream'
          : 'text/plain';
  }
  const type = parseStructuredHeader(contentTypeHeader);
  const contentType = (type.value || '').toLowerCase().trim() || (part.root ? 'text/plain' : '');
  if (!contentType) throw new WalkDeclined('empty content type');
  if (contentType === 'message/rfc822' || contentType === 'message/delivery-status' || contentType === 'message/global') {
    throw new WalkDeclined(contentType);
  }
  if (contentType.startsWith('multipart/')) {
    const boundary = type.params.boundary;
    if (!boundary) throw new WalkDeclined('multipart without boundary');
    if (++w.boundaries > 200) throw new WalkDeclined('too many boundaries');
    const children = splitParts(part.body, boundary).map((raw) => {
      const split = splitHeaderSection(raw);
      if (!split.hasBody && raw.length > 0) throw new WalkDeclined('part without a blank line');
      const list = readHeaderList(raw, split);
      if (list.strayLines > 0) throw new WalkDeclined('stray lines in part headers');
      return walkPart({ headers: list.headers, body: raw.subarray(split.bodyStart), root: false }, contentType, depth + 1, w);
    });
    return { kind: 'multipart', contentType, children };
  }

  const encodingRaw = withoutComments(first(h, 'content-transfer-encoding')).toLowerCase().trim();
  const encoding = encodingRaw === 'base64' || encodingRaw === 'quoted-printable' ? encodingRaw : 'binary';
  let dispositionValue = (disposition.value || '').toLowerCase().trim();
  if (dispositionValue) dispositionValue = decodeWords(dispositionValue);
  let effective = dispositionValue;
  if (effective && effective !== 'attachment' && effective !== 'inline') effective = 'attachment';
  if (!effective) effective = TEXT_TYPES.has(contentType) ? 'inline' : 'attachment';
  const isAttachment = !TEXT_TYPES.has(contentType) || effective !== 'inline';

  if (isAttachment) {
    const rawName = disposition.params.filename || type.params.name || '';
    const fileName = rawName ? decodeWords(rawName) : null;
    let reportedType = contentType;
    if (contentType === 'application/octet-stream' && fileName) reportedType = mimeTypeOfFileName(fileName) || 'application/octet-stream';
    const contentId = last(h, 'content-id');
    const measured = hashDecoded(part.body, encoding);
    if (measured.lines) {
      const start = part.body.byteOffset - w.body.byteOffset;
      w.lineRuns.push({ start, end: start + measured.lines.bytes, stride: measured.lines.stride, crlf: measured.lines.crlf });
    }
    const document = mayBeDocument(measured.head, fileName, reportedType);
    // A document small enough to read keeps its content for its metadata: the bytes decoded for the
    // hash, or, when those were decoded in slices (over DECODE_SLICE_BYTES of base64), decoded whole now.
    if (document && measured.size <= MAX_DOCUMENT_BYTES)
      w.documents.push({ index: w.attachments.length, content: measured.content ?? decodeBody(part.body, encoding) });
    w.attachments.push({
      filename: fileName,
      contentType: reportedType,
      size: measured.size,
      sha256: measured.sha256,
      disposition: dispositionValue || null,
      contentId: contentId || null,
      document:
        document && measured.size > MAX_DOCUMENT_BYTES
          ? describeUnreadDocument(measured.size, measured.head, fileName, reportedType)
          : null,
    });
    return null;
  }

  if (contentType === 'text/plain') w.hasText = true;
  else w.hasHtml = true;
  let bytes = decodeBody(part.body.length > MAX_TEXT_PART_BYTES * 2 ? part.body.subarray(0, MAX_TEXT_PART_BYTES * 2) : part.body, encoding);
  if (bytes.length > MAX_TEXT_PART_BYTES) bytes = bytes.subarray(0, MAX_TEXT_PART_BYTES);
  if ((type.params.format ?? '').toLowerCase().trim() === 'flowed') {
    const delSp = (type.params.delsp ?? '').toLowerCase().trim() === 'yes';
    bytes = Buffer.from(decodeFlowed(bytes.toString('latin1'), delSp), 'latin1');
  }
  const charset = type.params.charset || 'utf-8';
  let content: string | null = null;
  if (!['ascii', 'usascii', 'utf8'].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))) {
    const normalised = normalizeCharset(charset);
    if (/^jis|^iso-?2022-?jp/i.test(normalised)) throw new WalkDeclined('ISO-2022-JP text');
    content = decodeCharset(bytes, normalised);
  }
  content ??= bytes.toString('utf8');
  return { kind: 'text', contentType, content: content.replace(/\r?\n/g, '\n'), root: part.root };
}

/**
 * Walks the body of a message whose header list is `headers`; `body` starts after the blank line.
 * Throws WalkDeclined for a structure it leaves to mailparser.
 */
export function walkMime(headers: RawHeader[], body: Buffer): WalkResult {
  const w: Walk = { body, lineRuns: [], attachments: [], documents: [], hasText: false, hasHtml: false, boundaries: 0 };
  const tree = walkPart({ headers, body, root: true }, null, 0, w);
  const text: string[] = [];
  const html: string[] = [];
  const htmlCuts: WalkResult['htmlCuts'] = [];
  const visit = (node: Tree | TextNode | null, alternative: boolean): void => {
    if (!node) return;
    if (node.kind === 'text') {
      if (node.content === '') return;
      if (node.contentType === 'text/plain') {
        text.push(node.content);
        // mailparser adds the text as HTML here; with text-to-HTML off that is an empty string.
        if (!alternative && w.hasHtml) html.push('');
      } else {
        if ((!alternative && w.hasText) || (node.root && !w.hasText)) {
          if (node.content.length > MAX_HTML_TO_TEXT_CHARS) throw new WalkDeclined('HTML too long to convert');
          const converted = textOfHtml(node.content);
          if (converted.cutAt !== null) htmlCuts.push({ chars: node.content.length, cutAt: converted.cutAt });
          text.push(converted.text);
        }
        html.push(node.content);
      }
      return;
    }
    const inAlternative = alternative || node.contentType === 'multipart/alternative';
    for (const c of node.children) visit(c, inAlternative);
  };
  visit(tree, false);
  return {
    text: text.length ? text.join('\n') : null,
    html: html.length ? html.join('<br/>\n') : null,
    attachments: w.attachments,
    documents: w.documents,
    lineRuns: w.lineRuns,
    htmlCuts,
  };
}
