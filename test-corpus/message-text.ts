// Text helpers for building RFC 5322 messages byte by byte: dates, Received hops, MIME bodies.
// Everything is derived from its inputs (seeds, fixed dates): no clock, no randomness.
import { createHash } from 'node:crypto';

export const CRLF = '\r\n';

/** Stable hex derived from a seed, for ids that must look random but never change. */
export function seededHex(seed: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += createHash('sha256').update(`${seed}/${i}`).digest('hex');
  return out.slice(0, length);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** RFC 5322 date-time in the given zone, e.g. `Thu, 14 Mar 2024 10:26:50 +0100`. */
export function formatDate(at: Date, offsetMinutes = 0): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** The `From ` line date of an mbox separator (asctime format, UTC). */
export function formatAsctime(at: Date): string {
  return (
    `${DAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')} ` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} ${at.getUTCFullYear()}`
  );
}

export function addSeconds(at: Date, seconds: number): Date {
  return new Date(at.getTime() + seconds * 1000);
}

/** One relay step, written as the receiving host would (RFC 5321 section 4.4). */
export interface Hop {
  /** `from` clause: the sending host as the receiver saw it, e.g. `smtp.x (smtp.x [198.51.100.25])`. */
  from: string;
  by: string;
  /** Protocol and software, e.g. `(Postfix) with ESMTPS`. */
  via: string;
  id: string;
  recipient: string;
  at: Date;
  /** The receiving host's zone, minutes east of UTC. */
  offsetMinutes: number;
}

export function formatReceived(hop: Hop): string {
  return (
    `Received: from ${hop.from}${CRLF}\tby ${hop.by} ${hop.via} id ${hop.id}${CRLF}` +
    `\tfor <${hop.recipient}>; ${formatDate(hop.at, hop.offsetMinutes)}`
  );
}

/** Wraps text at 76 columns as base64 transfer encoding wants (RFC 2045 section 6.8). */
export function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A body and the header fields that describe it (Content-Type and friends). */
export interface MimeBody {
  headers: string[];
  body: string;
}

export function plainBody(text: string): MimeBody {
  return {
    headers: ['Content-Type: text/plain; charset=us-ascii; format=flowed', 'Content-Transfer-Encoding: 7bit'],
    body: text,
  };
}

export function alternativeBody(text: string, html: string, boundary: string): MimeBody {
  return {
    headers: [`Content-Type: multipart/alternative;${CRLF} boundary="${boundary}"`],
    body: [
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      'Content-Transfer-Encoding: 7bit',
      '',
      text,
      `--${boundary}`,
      'Content-Type: text/html; charset=us-ascii',
      'Content-Transfer-Encoding: 7bit',
      '',
      html,
      `--${boundary}--`,
      '',
    ].join(CRLF),
  };
}

export interface Attachment {
  filename: string;
  contentType: string;
  data: Buffer;
}

export function mixedBody(text: string, attachment: Attachment, boundary: string): MimeBody {
  return {
    headers: [`Content-Type: multipart/mixed;${CRLF} boundary="${boundary}"`],
    body: [
      'This is a multi-part message in MIME format.',
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii; format=flowed',
      'Content-Transfer-Encoding: 7bit',
      '',
      text,
      `--${boundary}`,
      `Content-Type: ${attachment.contentType}; name="${attachment.filename}"`,
      `Content-Disposition: attachment; filename="${attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment.data),
      '',
      `--${boundary}--`,
      '',
    ].join(CRLF),
  };
}

/** A small but well-formed one-page PDF, so the attachment opens in a viewer. */
export function makePdf(title: string, line: string): Buffer {
  const stream = `BT /F1 14 Tf 72 720 Td (${title}) Tj 0 -24 Td /F1 11 Tf (${line}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** Converts the LF line ends of template text to CRLF (the generated messages are CRLF throughout). */
export function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, CRLF);
}
