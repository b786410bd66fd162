// Building and editing raw messages. Messages are "binary strings" (one char per byte, latin1) so
// that what we build is exactly what is written and signed; text is turned into bytes once, when a
// part is encoded. Every writer in the leak (clients, servers, lists, forgers) goes through these.
import libmime from 'libmime';
import libqp from 'libqp';

export const CRLF = '\r\n';

/** A message as header fields (each raw, folded, without its final CRLF) and a body. */
export interface RawMessage {
  fields: string[];
  body: string;
}

export function serialize(message: RawMessage): string {
  return `${message.fields.join(CRLF)}${CRLF}${CRLF}${message.body}`;
}

export function toBuffer(message: RawMessage | string): Buffer {
  return Buffer.from(typeof message === 'string' ? message : serialize(message), 'latin1');
}

export function parseRaw(text: string): RawMessage {
  const end = text.indexOf(`${CRLF}${CRLF}`);
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  const fields: string[] = [];
  for (const line of head.split(CRLF)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) fields[fields.length - 1] += CRLF + line;
    else fields.push(line);
  }
  return { fields, body };
}

export function fieldName(field: string): string {
  return field.slice(0, field.indexOf(':')).trim().toLowerCase();
}

/** The value of a field, unfolded, without the leading space. */
export function fieldValue(field: string): string {
  return field
    .slice(field.indexOf(':') + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .trim();
}

export function findField(message: RawMessage, name: string): string | undefined {
  const n = name.toLowerCase();
  return message.fields.find((f) => fieldName(f) === n);
}

export function getValue(message: RawMessage, name: string): string | undefined {
  const field = findField(message, name);
  return field === undefined ? undefined : fieldValue(field);
}

export function setField(message: RawMessage, name: string, raw: string): RawMessage {
  const n = name.toLowerCase();
  const index = message.fields.findIndex((f) => fieldName(f) === n);
  if (index === -1) throw new Error(`no ${name} field to replace`);
  const fields = [...message.fields];
  fields[index] = raw;
  return { ...message, fields };
}

export function removeFields(message: RawMessage, name: string): RawMessage {
  const n = name.toLowerCase();
  return { ...message, fields: message.fields.filter((f) => fieldName(f) !== n) };
}

export function prependFields(message: RawMessage, ...fields: string[]): RawMessage {
  return { ...message, fields: [...fields, ...message.fields] };
}

export function copyMessage(message: RawMessage): RawMessage {
  return { fields: [...message.fields], body: message.body };
}

/**
 * Folds `Name: value` at spaces so that lines stay under `width`, continuing with `indent` (a tab
 * for Postfix and Outlook, a space for most clients, eight spaces for the webmail's relays).
 */
export function fold(name: string, value: string, indent = ' ', width = 78): string {
  const lines: string[] = [];
  let line = `${name}:`;
  let first = true;
  for (const word of value.split(' ')) {
    if (!first && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = `${line} ${word}`;
    }
    first = false;
  }
  lines.push(line);
  return lines.join(CRLF);
}

/** A header field with no folding (short values, or programs that never fold). */
export function field(name: string, value: string): string {
  return `${name}: ${value}`;
}

const NON_ASCII = /[^\x20-\x7e]/;

export type WordStyle = 'utf8-q' | 'utf8-b' | 'latin1-q' | 'utf8-q-lower';

/** RFC 2047 encoded words as each program writes them; plain ASCII is left alone. */
export function encodeWords(text: string, style: WordStyle): string {
  if (!NON_ASCII.test(text)) return text;
  if (style === 'latin1-q' && isLatin1(text)) {
    return libmime.encodeWord(Buffer.from(text, 'latin1'), 'Q', 60).replace(/=\?UTF-8\?/g, '=?iso-8859-1?');
  }
  const word = libmime.encodeWord(text, style === 'utf8-b' ? 'B' : 'Q', 60);
  return style === 'utf8-q-lower' ? word.replace(/=\?UTF-8\?/g, '=?utf-8?') : word;
}

/** `Name <addr>` with the name quoted or encoded as needed. */
export function formatAddress(name: string | undefined, address: string, style: WordStyle, quoteAlways = false): string {
  if (!name) return address;
  if (NON_ASCII.test(name)) return `${encodeWords(name, style)} <${address}>`;
  const quoted = quoteAlways || /[,.;:()<>@"\\[\]]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
  return `${quoted} <${address}>`;
}

/** Text to bytes in a charset ('utf-8' or 'iso-8859-1'), as a binary string. */
export function textBytes(text: string, charset: string): string {
  return Buffer.from(text, charset.toLowerCase() === 'utf-8' ? 'utf8' : 'latin1').toString('latin1');
}

export function encodeQuotedPrintable(bytes: string): string {
  return libqp.wrap(libqp.encode(Buffer.from(bytes, 'latin1')), 76);
}

export function encodeBase64(bytes: Buffer | string, width = 76): string {
  const b64 = (typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return lines.join(CRLF);
}

/** Text with any line ending turned into CRLF, ending with one CRLF. */
export function crlf(text: string): string {
  const t = text.replace(/\r?\n/g, CRLF);
  return t.endsWith(CRLF) ? t : t + CRLF;
}

export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

/** Encodes text for a part: returns the body bytes (binary string) under the given encoding. */
export function encodeText(text: string, charset: string, encoding: TransferEncoding): string {
  const bytes = textBytes(crlf(text), charset);
  if (encoding === 'quoted-printable') return crlf(encodeQuotedPrintable(bytes));
  if (encoding === 'base64') return crlf(encodeBase64(bytes));
  return bytes;
}

/** Whether every character fits in ISO-8859-1. */
export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** Whether text needs more than 7-bit ASCII. */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text.replace(/[\r\n\t]/g, ''));
}

/** A multipart body from already-encoded parts (each: header lines and body bytes). */
export function multipartBody(boundary: string, parts: readonly { headers: string[]; body: string }[], preamble = ''): string {
  let out = preamble;
  for (const part of parts) {
    out += `--${boundary}${CRLF}${part.headers.join(CRLF)}${CRLF}${CRLF}${part.body}`;
    if (!part.body.endsWith(CRLF)) out += CRLF;
    // A blank line between a part and the next delimiter, as most programs write it.
    out += CRLF;
  }
  return `${out}--${boundary}--${CRLF}`;
}

export const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * format=flowed (RFC 3676) as Thunderbird and Roundcube write it: long lines broken after a space
 * (the trailing space marks the soft break), quoted lines keep their `>` depth on every piece, and
 * unquoted lines starting with a space or "From " are space-stuffed.
 */
export function encodeFlowed(text: string, width = 72): string {
  const out: string[] = [];
  for (const rawLine of text.replace(/\r\n/g, '\n').split('\n')) {
    const line = rawLine === '-- ' ? rawLine : rawLine.replace(/ +$/, '');
    const quote = /^>+/.exec(line)?.[0] ?? '';
    let content = quote ? line.slice(quote.length).replace(/^ /, '') : line;
    if (!quote && /^( |From )/.test(content)) content = ` ${content}`;
    const prefix = quote ? `${quote} ` : '';
    if (content === '') {
      out.push(quote);
      continue;
    }
    const room = Math.max(20, width - prefix.length);
    let rest = content;
    while (rest.length > room && line !== '-- ') {
      const cut = rest.lastIndexOf(' ', room);
      if (cut <= 0) break;
      out.push(prefix + rest.slice(0, cut + 1));
      rest = rest.slice(cut + 1);
    }
    out.push(prefix + rest);
  }
  return out.join(CRLF);
}
