// The organisation's receiving gateway marks the external mail it lets in, from GATEWAY_MARKING on
// (list mail too, since generator version 4): `[EXTERNAL] ` at the very start of the subject,
// a caution notice at the top of the first plain-text part and on a line after the first HTML
// part's <body> line. It works on the message as the MX's milters left it (after their
// Authentication-Results), so what the mailbox stores carries the marks and the sender's DKIM
// signatures no longer verify over it. The stored lines are left as they were: the marks are whole
// lines added (quoted-printable as the part is); only a base64 part is decoded, marked and encoded
// again whole, in lines of 76, as gateways rebuild such a part.
import libqp from 'libqp';
import { CRLF, encodeBase64, encodeQuotedPrintable, fieldName, fieldValue, type RawMessage } from './mime.ts';
import { GATEWAY_MARKING } from './world.ts';

export const GATEWAY_SUBJECT_TAG = '[EXTERNAL]';

/** The notice above the text, with the empty line after it. */
export const GATEWAY_NOTICE_LINES: readonly string[] = [
  'CAUTION: This email originated from outside Aldermoor. Do not click links',
  'or open attachments unless you recognise the sender and know the content',
  'is safe.',
  '',
];

/** The notice in the HTML, one line after the <body> line. */
export const GATEWAY_HTML_NOTICE =
  '<p style="color:#9c0006">CAUTION: This email originated from outside Aldermoor. Do not click links or open attachments unless you recognise the sender and know the content is safe.</p>';

/** Whether the policy applies to a message the MX takes in from outside at `at` (every one, list mail too, from GATEWAY_MARKING on). */
export function gatewayMarks(_message: RawMessage, at: number): boolean {
  return at >= GATEWAY_MARKING;
}

export interface Marked {
  message: RawMessage;
  /** The honest tags: `gateway-mark`, and `gateway-reencoded` when a base64 part was rebuilt. */
  tags: string[];
}

/** The message with the gateway's marks: the subject tag, and the notices where the body has room for them. */
export function markExternal(message: RawMessage): Marked {
  const subject = message.fields.findIndex((f) => fieldName(f) === 'subject');
  const fields =
    subject === -1
      ? message.fields
      : message.fields.map((f, i) => (i === subject ? f.replace(/^([^:]*:[ \t]?)/, `$1${GATEWAY_SUBJECT_TAG} `) : f));
  const state: WalkState = { text: false, html: false, reencoded: false, edits: [] };
  walk(message.body, 0, message.body.length, mimeOf(message.fields), state);
  let body = message.body;
  for (const e of [...state.edits].sort((a, b) => b.at - a.at)) body = body.slice(0, e.at) + e.insert + body.slice(e.at + e.remove);
  return { message: { fields, body }, tags: state.reencoded ? ['gateway-mark', 'gateway-reencoded'] : ['gateway-mark'] };
}

// ---------------------------------------------------------------------------------------------

interface Mime {
  type: string;
  encoding: string;
  boundary: string | null;
  attachment: boolean;
}

interface Edit {
  at: number;
  remove: number;
  insert: string;
}

interface WalkState {
  text: boolean;
  html: boolean;
  reencoded: boolean;
  edits: Edit[];
}

/** Content-Type, Content-Transfer-Encoding and Content-Disposition of a header section (fields as stored, folded). */
function mimeOf(fields: readonly string[]): Mime {
  const value = (name: string): string => {
    const f = fields.find((x) => fieldName(x) === name);
    return f === undefined ? '' : fieldValue(f);
  };
  const ct = value('content-type');
  const b = /boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(ct);
  return {
    type: (ct.split(';')[0] ?? '').trim().toLowerCase(),
    encoding: value('content-transfer-encoding').toLowerCase(),
    boundary: b ? (b[1] ?? b[2] ?? null) : null,
    attachment: /^attachment\b/i.test(value('content-disposition')),
  };
}

/** Lines of `text` in [start, end): where each starts, its content without the line break, and where the next starts. */
function* linesOf(text: string, start: number, end: number): Generator<{ at: number; line: string; next: number }> {
  for (let at = start; at < end;) {
    const lf = text.indexOf('\n', at);
    const stop = lf === -1 || lf >= end ? end : lf;
    const next = stop === end ? end : stop + 1;
    yield { at, line: text.slice(at, stop > at && text[stop - 1] === '\r' ? stop - 1 : stop), next };
    at = next;
  }
}

/** The entity's content in body[start, end): marks the first plain-text and the first HTML part (depth first). */
function walk(body: string, start: number, end: number, mime: Mime, state: WalkState, depth = 0): void {
  if (mime.type.startsWith('multipart/')) {
    if (mime.boundary === null || depth > 8) return;
    for (const part of partsOf(body, start, end, mime.boundary)) {
      if (state.text && state.html) return;
      walk(body, part.start, part.end, mimeOf(part.fields), state, depth + 1);
    }
    return;
  }
  if (mime.attachment) return;
  const kind = mime.type === '' || mime.type === 'text/plain' ? 'text' : mime.type === 'text/html' ? 'html' : null;
  if (kind === null || state[kind]) return;
  state[kind] = true;
  const content = body.slice(start, end);
  if (mime.encoding === 'base64') {
    const trailing = /\s*$/.exec(content)![0];
    const decoded = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('latin1');
    const eol = decoded.includes('\r\n') || !decoded.includes('\n') ? CRLF : '\n';
    const at = kind === 'text' ? 0 : afterBodyTag(decoded, false);
    const notice = kind === 'text' ? GATEWAY_NOTICE_LINES.map((l) => l + eol).join('') : GATEWAY_HTML_NOTICE + eol;
    const marked = decoded.slice(0, at) + (at > 0 && !/\n$/.test(decoded.slice(0, at)) ? eol : '') + notice + decoded.slice(at);
    state.edits.push({ at: start, remove: content.length, insert: encodeBase64(marked, 76) + trailing });
    state.reencoded = true;
    return;
  }
  if (!['', '7bit', '8bit', 'quoted-printable'].includes(mime.encoding)) return;
  const qp = mime.encoding === 'quoted-printable';
  const encode = (line: string): string => (qp && line !== '' ? libqp.wrap(libqp.encode(Buffer.from(line, 'latin1')), 76) : line);
  if (kind === 'text') {
    state.edits.push({ at: start, remove: 0, insert: GATEWAY_NOTICE_LINES.map((l) => encode(l) + CRLF).join('') });
    return;
  }
  const at = afterBodyTag(content, qp);
  const html = qp ? encodeQuotedPrintable(GATEWAY_HTML_NOTICE) : GATEWAY_HTML_NOTICE;
  // A body tag on the part's last line without a line break: the notice starts a line of its own.
  const lead = at > 0 && !/\n$/.test(content.slice(0, at)) ? CRLF : '';
  state.edits.push({ at: start + at, remove: 0, insert: `${lead}${html}${CRLF}` });
}

/**
 * Where the line after the one holding the <body ...> tag (up to its `>`) starts in `content`, as a
 * reader decodes it: in quoted-printable a line goes on over soft breaks (`=` at the end), so the
 * notice is not put inside one. 0 when there is no body tag.
 */
function afterBodyTag(content: string, qp: boolean): number {
  let open = false;
  let logical = '';
  for (const { line, next } of linesOf(content, 0, content.length)) {
    if (qp && line.endsWith('=') && next < content.length) {
      logical += line.slice(0, -1);
      continue;
    }
    logical += line;
    const text = qp ? logical.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) : logical;
    logical = '';
    if (!open) {
      const m = /<body[\s>]/i.exec(text);
      if (!m) continue;
      open = true;
      if (text.indexOf('>', m.index) !== -1) return next;
    } else if (text.includes('>')) {
      return next;
    }
  }
  return 0;
}

/** The parts of a multipart entity in body[start, end): each one's header fields and where its content lies. */
function partsOf(body: string, start: number, end: number, boundary: string): { fields: string[]; start: number; end: number }[] {
  const delimiter = `--${boundary}`;
  // Each delimiter line: where it starts (with the line break before it, which belongs to it) and where the part after it starts.
  const marks: { before: number; after: number; close: boolean }[] = [];
  for (const { at, line, next } of linesOf(body, start, end)) {
    const trimmed = line.replace(/[ \t]+$/, '');
    if (trimmed !== delimiter && trimmed !== `${delimiter}--`) continue;
    const before = body.slice(at - 2, at) === CRLF ? at - 2 : body[at - 1] === '\n' ? at - 1 : at;
    marks.push({ before: Math.max(before, start), after: next, close: trimmed !== delimiter });
    if (trimmed !== delimiter) break;
  }
  const parts: { fields: string[]; start: number; end: number }[] = [];
  for (let i = 0; i < marks.length - 1; i++) {
    const m = marks[i]!;
    if (m.close) break;
    const partEnd = marks[i + 1]!.before;
    const fields: string[] = [];
    let contentStart = -1;
    for (const { line, next } of linesOf(body, m.after, partEnd)) {
      if (line === '') {
        contentStart = next;
        break;
      }
      if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += CRLF + line;
      else fields.push(line);
    }
    if (contentStart === -1) continue;
    parts.push({ fields, start: Math.min(contentStart, partEnd), end: partEnd });
  }
  return parts;
}
