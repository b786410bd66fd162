// Mail clients as they really write: header order and spelling, Message-ID shape, MIME boundary
// style, text encodings, quoting and forwarding conventions, signature and "sent from" lines, the
// mailer header and the Outlook family's Thread-Index. Each client is one function of a draft and
// a random stream; a person's messages look alike because they come from the same function.
import {
  DAY,
  LONG_DAYS,
  LONG_MONTHS,
  SHORT_DAYS,
  SHORT_MONTHS,
  fileTime,
  formatMailDate,
  pad,
  wallClock,
  zoneAbbreviation,
  type DateStyle,
  type ZoneId,
} from './clock.ts';
import type { Addr, Attachment, Composed, Draft, QuoteSource } from './letter.ts';
import {
  CRLF,
  encodeBase64,
  encodeFlowed,
  encodeText,
  encodeWords,
  escapeHtml,
  field,
  fold,
  formatAddress,
  isAscii,
  isLatin1,
  multipartBody,
  type RawMessage,
  type TransferEncoding,
  type WordStyle,
} from './mime.ts';
import type { Random } from './random.ts';
import { SENT_FROM_PHONE, signatureBlock } from './texts.ts';
import type { ClientId, Lang, Person } from './world.ts';

interface Part {
  headers: string[];
  body: string;
}

// ---------------------------------------------------------------------------------------------
// Message-IDs, boundaries and Thread-Index

const hex = (n: bigint, width: number): string => n.toString(16).padStart(width, '0');

/** Outlook (SMTP accounts): `<0000 01da4e2f $ 6a7b8c90 $ random $@domain>`, FILETIME inside. */
function outlookIds(at: number, rng: Random, domain: string): { messageId: string; boundary: (level: number) => string } {
  const ft = fileTime(at);
  const high = hex(ft >> 32n, 8);
  const low = hex(ft & 0xffffffffn, 8);
  const counter = rng.int(0, 40);
  return {
    messageId: `<${counter.toString(16).padStart(4, '0')}${high}$${low}$${rng.hex(8)}$@${domain}>`,
    boundary: (level) =>
      `----=_NextPart_${String(level).padStart(3, '0')}_${(counter + level + 1).toString(16).padStart(4, '0').toUpperCase()}_${high.toUpperCase()}.${low.toUpperCase()}`,
  };
}

/** Thread-Index (MS-OXOMSG): a 22-byte header (FILETIME's top 6 bytes and a GUID), 5 bytes per reply. */
export function makeThreadIndex(at: number, rng: Random, parent?: string): string {
  const ft = fileTime(at);
  if (parent) {
    const bytes = Buffer.from(parent, 'base64');
    if (bytes.length >= 22) {
      const headerTime = BigInt(`0x${bytes.subarray(0, 6).toString('hex')}`) << 16n;
      const delta = ft > headerTime ? (ft - headerTime) >> 18n : 0n;
      const block = Buffer.alloc(5);
      block.writeUInt32BE(Number(delta & 0x7fffffffn), 0);
      block[4] = (rng.int(0, 15) << 4) | rng.int(0, 15);
      return Buffer.concat([bytes, block]).toString('base64');
    }
  }
  const header = Buffer.alloc(22);
  header.write(hex(ft >> 16n, 12), 0, 'hex');
  header.write(rng.hex(32), 6, 'hex');
  return header.toString('base64');
}

function quillBoundary(at: number, rng: Random): string {
  const micros = BigInt(at) * 1000n + BigInt(rng.int(0, 999));
  return `000000000000${rng.hex(4)}${hex(micros & 0xffffffffffffn, 12)}`;
}

// ---------------------------------------------------------------------------------------------
// Mailer strings that change with updates

const IPHONE_BUILDS: [number, string][] = [
  [Date.UTC(2023, 6, 24), '20F66'],
  [Date.UTC(2023, 8, 18), '20G75'],
  [Date.UTC(2023, 9, 25), '21A329'],
  [Date.UTC(2023, 11, 11), '21B80'],
  [Date.UTC(2024, 0, 22), '21C62'],
  [Date.UTC(2024, 2, 5), '21D50'],
  [Date.UTC(2024, 4, 13), '21E219'],
  [Date.UTC(2024, 6, 29), '21F79'],
  [Date.UTC(2024, 8, 16), '21G80'],
  [Date.UTC(2024, 9, 28), '22A3354'],
  [Infinity, '22B83'],
];

/** iOS updates reach a phone a few days after release. */
function iphoneBuild(at: number): string {
  return IPHONE_BUILDS.find(([until]) => at < until + 4 * DAY)![1];
}

function appleMailBuild(at: number): string {
  if (at < Date.UTC(2023, 8, 28)) return '3731.700.6';
  if (at < Date.UTC(2024, 8, 18)) return '3774.300.61.1.2';
  return '3826.200.121';
}

export function defaultMailer(client: ClientId, at: number): { name: string; value: string } | undefined {
  switch (client) {
    case 'outlook':
      return { name: 'X-Mailer', value: 'Microsoft Outlook 16.0' };
    case 'thunderbird':
      return { name: 'User-Agent', value: 'Mozilla Thunderbird' };
    case 'apple-mail':
      return { name: 'X-Mailer', value: `Apple Mail (2.${appleMailBuild(at)})` };
    case 'iphone':
      return { name: 'X-Mailer', value: `iPhone Mail (${iphoneBuild(at)})` };
    case 'k9':
      return { name: 'User-Agent', value: 'K-9 Mail for Android' };
    case 'roundcube':
      return { name: 'User-Agent', value: 'Roundcube Webmail/1.6.5' };
    case 'evolution':
      return { name: 'X-Mailer', value: 'Evolution 3.50.2 (by Flathub.org)' };
    case 'mutt':
      return { name: 'User-Agent', value: 'Mutt/2.2.12 (2023-09-09)' };
    default:
      return undefined;
  }
}

function mailerField(client: ClientId, draft: Draft): string | undefined {
  const mailer = defaultMailer(client, draft.at);
  if (!mailer) return undefined;
  return field(mailer.name, draft.mailer ?? mailer.value);
}

// ---------------------------------------------------------------------------------------------
// Quotes and forwards

function shortTime(at: number, zone: ZoneId): string {
  const w = wallClock(at, zone);
  return `${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
}

function dmy(at: number, zone: ZoneId, sep = '/'): string {
  const w = wallClock(at, zone);
  return `${pad(w.getUTCDate())}${sep}${pad(w.getUTCMonth() + 1)}${sep}${w.getUTCFullYear()}`;
}

function addressList(list: Addr[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join('; ');
}

function twelveHour(at: number, zone: ZoneId): string {
  const w = wallClock(at, zone);
  const h = w.getUTCHours();
  return `${h % 12 === 0 ? 12 : h % 12}:${pad(w.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** The Outlook header block that heads a quoted or forwarded message, in the replier's language and zone. */
/** The parts of an Outlook "Sent" line: weekday and month names in the quote's language. */
interface SentParts {
  day: string;
  d: number;
  month: string;
  y: number;
  at: number;
  zone: ZoneId;
}

/** Outlook's labels for a quoted message's header block, and how it writes the date sent, by language. */
const OUTLOOK_HEADER: Record<
  'en' | 'fr' | 'de' | 'es',
  { labels: [string, string, string, string, string]; sent: (p: SentParts) => string }
> = {
  fr: {
    labels: ['De :', 'Envoyé :', 'À :', 'Cc :', 'Objet :'],
    sent: (p) => `${p.day} ${p.d} ${p.month} ${p.y} ${shortTime(p.at, p.zone)}`,
  },
  de: {
    labels: ['Von:', 'Gesendet:', 'An:', 'Cc:', 'Betreff:'],
    sent: (p) => `${p.day}, ${p.d}. ${p.month} ${p.y} ${shortTime(p.at, p.zone)}`,
  },
  es: {
    labels: ['De:', 'Enviado el:', 'Para:', 'CC:', 'Asunto:'],
    sent: (p) => `${p.day}, ${p.d} de ${p.month} de ${p.y} ${shortTime(p.at, p.zone).replace(/^0/, '')}`,
  },
  // Any other language (Swedish too) gets the English block.
  en: {
    labels: ['From:', 'Sent:', 'To:', 'Cc:', 'Subject:'],
    sent: (p) => `${p.day}, ${p.month} ${p.d}, ${p.y} ${twelveHour(p.at, p.zone)}`,
  },
};

function outlookHeaderBlock(source: QuoteSource, lang: Lang, zone: ZoneId): string[] {
  const w = wallClock(source.date, zone);
  const day = LONG_DAYS[lang][w.getUTCDay()]!;
  const month = LONG_MONTHS[lang][w.getUTCMonth()]!;
  const from = source.from.name ? `${source.from.name} <${source.from.address}>` : source.from.address;
  const cc = source.cc.length ? addressList(source.cc) : '';
  const { labels, sent } = lang === 'sv' ? OUTLOOK_HEADER.en : OUTLOOK_HEADER[lang];
  const [fromLabel, sentLabel, toLabel, ccLabel, subjectLabel] = labels;
  return [
    `${fromLabel} ${from}`,
    `${sentLabel} ${sent({ day, d: w.getUTCDate(), month, y: w.getUTCFullYear(), at: source.date, zone })}`,
    `${toLabel} ${addressList(source.to)}`,
    ...(cc ? [`${ccLabel} ${cc}`] : []),
    `${subjectLabel} ${source.subject}`,
  ];
}

function attribution(client: ClientId, source: QuoteSource, lang: Lang, zone: ZoneId): string {
  const name = source.from.name ?? source.from.address;
  const at = source.date;
  const w = wallClock(at, zone);
  switch (client) {
    case 'thunderbird':
      if (lang === 'fr') return `Le ${dmy(at, zone)} à ${shortTime(at, zone)}, ${name} a écrit :`;
      if (lang === 'de') return `Am ${dmy(at, zone, '.').replace(/\.20(\d\d)$/, '.$1')} um ${shortTime(at, zone)} schrieb ${name}:`;
      return `On ${dmy(at, zone)} ${shortTime(at, zone)}, ${name} wrote:`;
    case 'apple-mail':
    case 'iphone':
      if (lang === 'fr')
        return `Le ${w.getUTCDate()} ${LONG_MONTHS.fr[w.getUTCMonth()]} ${w.getUTCFullYear()} à ${shortTime(at, zone)}, ${name} <${source.from.address}> a écrit :`;
      if (lang === 'de')
        return `Am ${w.getUTCDate()}.${w.getUTCMonth() + 1}.${w.getUTCFullYear()} um ${shortTime(at, zone)} schrieb ${name} <${source.from.address}>:`;
      return `On ${w.getUTCDate()} ${SHORT_MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()}, at ${shortTime(at, zone)}, ${name} <${source.from.address}> wrote:`;
    case 'k9':
      return `On ${w.getUTCDate()} ${LONG_MONTHS.en[w.getUTCMonth()]} ${w.getUTCFullYear()} ${shortTime(at, zone)}:${pad(w.getUTCSeconds())} ${zoneAbbreviation(zone, at)}, ${name} <${source.from.address}> wrote:`;
    case 'roundcube':
      return `On ${w.toISOString().slice(0, 10)} ${shortTime(at, zone)}, ${name} wrote:`;
    case 'quill-web':
      return `On ${SHORT_DAYS[w.getUTCDay()]}, ${w.getUTCDate()} ${SHORT_MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()} at ${shortTime(at, zone)}, ${name} <${source.from.address}> wrote:`;
    case 'evolution':
      return `On ${SHORT_DAYS[w.getUTCDay()]}, ${w.toISOString().slice(0, 10)} at ${shortTime(at, zone)} ${formatMailDate(at, zone).slice(-5)}, ${name} wrote:`;
    default:
      return `On ${SHORT_DAYS[w.getUTCDay()]}, ${SHORT_MONTHS[w.getUTCMonth()]} ${pad(w.getUTCDate())}, ${w.getUTCFullYear()} at ${shortTime(at, zone)}, ${name} wrote:`;
  }
}

function quoteLines(text: string, tight: boolean): string[] {
  return text
    .replace(/\r\n$/, '')
    .split(/\r?\n/)
    .map((line) => (line === '' ? '>' : line.startsWith('>') || tight ? `>${line}` : `> ${line}`));
}

/** The plain text of a reply or forward: what the user typed, then the parent as this client quotes it. */
function withQuote(client: ClientId, draft: Draft): string {
  const typed = draft.text.replace(/\r?\n$/, '');
  const q = draft.quote;
  if (!q) return typed;
  const { source } = q;
  const outlookLike = client === 'outlook' || client === 'cirrus-outlook' || client === 'cirrus-web';
  if (outlookLike) {
    const block = outlookHeaderBlock(source, draft.lang, draft.zone);
    return [typed, '', '_'.repeat(32), ...block, '', source.text.replace(/\r?\n$/, '')].join('\n');
  }
  if (q.mode === 'forward') {
    const from = source.from.name ? `${source.from.name} <${source.from.address}>` : source.from.address;
    const date = formatMailDate(source.date, draft.zone);
    if (client === 'apple-mail' || client === 'iphone') {
      return [
        typed,
        '',
        'Begin forwarded message:',
        '',
        `From: ${from}`,
        `Subject: ${source.subject}`,
        `Date: ${date}`,
        `To: ${addressList(source.to)}`,
        '',
        source.text.replace(/\r?\n$/, ''),
      ].join('\n');
    }
    if (client === 'quill-web') {
      return [
        typed,
        '',
        '---------- Forwarded message ---------',
        `From: ${from}`,
        `Date: ${date}`,
        `Subject: ${source.subject}`,
        `To: ${addressList(source.to)}`,
        '',
        '',
        source.text.replace(/\r?\n$/, ''),
      ].join('\n');
    }
    return [
      typed,
      '',
      '-------- Forwarded Message --------',
      `Subject: \t${source.subject}`,
      `Date: \t${date}`,
      `From: \t${from}`,
      `To: \t${addressList(source.to)}`,
      '',
      '',
      source.text.replace(/\r?\n$/, ''),
    ].join('\n');
  }
  const line = attribution(client, source, draft.lang, draft.zone);
  if (client === 'apple-mail' || client === 'iphone') {
    return [typed, '', ...quoteLines(`${line}\n\n${source.text}`, false)].join('\n');
  }
  if (client === 'mutt') return [line, ...quoteLines(source.text, false), '', typed].join('\n');
  const tight = client === 'k9';
  return [typed, '', line, ...quoteLines(source.text, tight)].join('\n');
}

/** A person's sign-off as each client adds it: a separator for the plain-text clients, a phone line on phones. */
export function writeSignature(client: ClientId, person: Person, lang: Lang, mobile: boolean): string {
  if (client === 'iphone') return `\n\n${SENT_FROM_PHONE[lang].iphone}`;
  if (client === 'k9') return `\n-- \n${SENT_FROM_PHONE[lang].android}`;
  if (mobile) return '';
  const block = signatureBlock(person.name, person.title, person.org, person.phone);
  if (client === 'thunderbird' || client === 'evolution' || client === 'mutt' || client === 'roundcube')
    return `\n-- \n${block.join('\n')}`;
  return `\n\n${block.join('\n')}`;
}

// ---------------------------------------------------------------------------------------------
// Bodies

function toHtml(text: string, client: ClientId): string {
  const blocks: string[] = [];
  let quote: string[] = [];
  const flush = (): void => {
    if (quote.length)
      blocks.push(`<blockquote type="cite">${quote.map((l) => escapeHtml(l.replace(/^> ?/, ''))).join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('>')) {
      quote.push(line);
      continue;
    }
    flush();
    blocks.push(line === '' ? '<br>' : escapeHtml(line));
  }
  flush();
  const inner = blocks.map((b) => (b.startsWith('<blockquote') || b === '<br>' ? b : `<div>${b}</div>`)).join('\n');
  switch (client) {
    case 'outlook':
      return `<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15 (filtered medium)"><style><!--\n/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n\t{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:"Calibri",sans-serif;}\n--></style></head><body lang=EN-GB link="#0563C1" vlink="#954F72" style='word-wrap:break-word'><div class=WordSection1>${inner.replace(/<div>/g, '<p class=MsoNormal>').replace(/<\/div>/g, '<o:p></o:p></p>')}</div></body></html>`;
    case 'cirrus-outlook':
    case 'cirrus-web':
      return `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n</head>\n<body dir="ltr">\n<div class="elementToProof" style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">\n${inner}\n</div>\n</body>\n</html>`;
    case 'apple-mail':
    case 'iphone':
      return `<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">${inner}</body></html>`;
    case 'quill-web':
      return `<div dir="ltr">${inner}</div>`;
    case 'thunderbird':
      return `<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv="content-type" content="text/html; charset=UTF-8">\n  </head>\n  <body>\n    <p>${inner}</p>\n  </body>\n</html>`;
    default:
      return `<html><body>${inner}</body></html>`;
  }
}

interface TextEncoding {
  charset: string;
  encoding: TransferEncoding;
  /** How the charset is written in Content-Type (quoted or not, case). */
  label: string;
}

function textEncodingFor(client: ClientId, text: string, html: boolean): TextEncoding {
  const ascii = isAscii(text);
  const latin1 = isLatin1(text);
  switch (client) {
    case 'outlook':
      if (ascii)
        return html
          ? { charset: 'us-ascii', encoding: 'quoted-printable', label: '"us-ascii"' }
          : { charset: 'us-ascii', encoding: '7bit', label: '"us-ascii"' };
      return { charset: 'utf-8', encoding: 'quoted-printable', label: '"utf-8"' };
    case 'cirrus-outlook':
    case 'cirrus-web':
      if (ascii) return { charset: 'us-ascii', encoding: 'quoted-printable', label: '"us-ascii"' };
      return latin1
        ? { charset: 'iso-8859-1', encoding: 'quoted-printable', label: '"iso-8859-1"' }
        : { charset: 'utf-8', encoding: 'quoted-printable', label: '"utf-8"' };
    case 'thunderbird':
    case 'evolution':
    case 'mutt':
      return {
        charset: 'utf-8',
        encoding: ascii ? '7bit' : '8bit',
        label: client === 'evolution' ? '"UTF-8"' : client === 'mutt' ? (ascii ? 'us-ascii' : 'utf-8') : 'UTF-8',
      };
    case 'apple-mail':
    case 'iphone':
      return ascii
        ? { charset: 'us-ascii', encoding: '7bit', label: 'us-ascii' }
        : { charset: 'utf-8', encoding: 'quoted-printable', label: 'utf-8' };
    case 'k9':
      return { charset: 'utf-8', encoding: 'quoted-printable', label: 'utf-8' };
    case 'roundcube':
      return ascii
        ? { charset: 'us-ascii', encoding: '7bit', label: 'US-ASCII' }
        : { charset: 'utf-8', encoding: 'quoted-printable', label: 'UTF-8' };
    case 'quill-web':
      // Like the big web mail services: base64 for text that is not ASCII (a gateway that marks such
      // a part has to decode it and encode it again).
      return ascii ? { charset: 'utf-8', encoding: '7bit', label: '"UTF-8"' } : { charset: 'utf-8', encoding: 'base64', label: '"UTF-8"' };
  }
}

function textPart(client: ClientId, text: string, html: boolean, flowed: boolean): Part {
  const enc = textEncodingFor(client, text, html);
  const ct = `text/plain; charset=${enc.label}${flowed ? '; format=flowed' : ''}`;
  const body = flowed ? encodeText(encodeFlowed(text), enc.charset, enc.encoding) : encodeText(text, enc.charset, enc.encoding);
  const omitCte = client === 'quill-web' && enc.encoding === '7bit';
  const outlookish = client === 'outlook';
  const headers = [outlookish ? `Content-Type: text/plain;${CRLF}\tcharset=${enc.label}` : `Content-Type: ${ct}`];
  if (!omitCte) headers.push(`Content-Transfer-Encoding: ${enc.encoding}`);
  if (client === 'mutt') headers.push('Content-Disposition: inline');
  if (client === 'apple-mail' || client === 'iphone') headers.reverse();
  return { headers, body };
}

function htmlPart(client: ClientId, text: string): Part {
  const enc = textEncodingFor(client, text, true);
  // The HTML names its own charset, the same as its part's.
  const html = toHtml(text, client).replace('charset=utf-8', `charset=${enc.charset}`);
  const headers =
    client === 'outlook'
      ? [`Content-Type: text/html;${CRLF}\tcharset=${enc.label}`, `Content-Transfer-Encoding: ${enc.encoding}`]
      : [`Content-Type: text/html; charset=${enc.label}`, `Content-Transfer-Encoding: ${enc.encoding}`];
  if (client === 'quill-web' && enc.encoding === '7bit') headers.pop();
  if (client === 'apple-mail' || client === 'iphone') headers.reverse();
  return { headers, body: encodeText(html, enc.charset, enc.encoding) };
}

function attachmentPart(client: ClientId, att: Attachment, draft: Draft, rng: Random): Part {
  const ascii = isAscii(att.filename);
  const quoted = ascii ? `"${att.filename}"` : `"${encodeWords(att.filename, 'utf8-q')}"`;
  const rfc2231 = ascii ? `filename="${att.filename}"` : `filename*=UTF-8''${encodeURIComponent(att.filename)}`;
  const width = client === 'thunderbird' ? 72 : 76;
  const body = `${encodeBase64(att.data, width)}${CRLF}`;
  switch (client) {
    case 'outlook':
      return {
        headers: [
          `Content-Type: ${att.contentType};${CRLF}\tname=${quoted}`,
          'Content-Transfer-Encoding: base64',
          `Content-Disposition: attachment;${CRLF}\tfilename=${quoted}`,
        ],
        body,
      };
    case 'cirrus-outlook':
    case 'cirrus-web': {
      const stamp = new Date(draft.at - rng.int(30, 600) * 1000).toUTCString();
      return {
        headers: [
          `Content-Type: ${att.contentType}; name=${quoted}`,
          `Content-Description: ${ascii ? att.filename : encodeWords(att.filename, 'utf8-b')}`,
          `Content-Disposition: attachment; filename=${quoted}; size=${att.data.length};${CRLF}\tcreation-date="${stamp}";${CRLF}\tmodification-date="${stamp}"`,
          'Content-Transfer-Encoding: base64',
        ],
        body,
      };
    }
    case 'apple-mail':
    case 'iphone':
      return {
        headers: [
          `Content-Disposition: attachment;${CRLF}\t${ascii ? `filename=${att.filename.includes(' ') ? `"${att.filename}"` : att.filename}` : rfc2231}`,
          `Content-Type: ${att.contentType};${CRLF}\tx-unix-mode=0644;${CRLF}\tname=${quoted}`,
          'Content-Transfer-Encoding: base64',
        ],
        body,
      };
    case 'quill-web': {
      const id = `f_${rng.alnum(9).toLowerCase()}`;
      return {
        headers: [
          `Content-Type: ${att.contentType}; name=${quoted}`,
          `Content-Disposition: attachment; filename=${quoted}`,
          'Content-Transfer-Encoding: base64',
          `Content-ID: <${id}>`,
          `X-Attachment-Id: ${id}`,
        ],
        body,
      };
    }
    default:
      return {
        headers: [
          `Content-Type: ${att.contentType}; name=${quoted}`,
          `Content-Disposition: attachment; ${rfc2231}`,
          'Content-Transfer-Encoding: base64',
        ],
        body,
      };
  }
}

function calendarPart(client: ClientId, draft: Draft): Part {
  const cal = draft.calendar!;
  const enc: TransferEncoding = client === 'thunderbird' ? '8bit' : 'base64';
  return {
    headers: [`Content-Type: text/calendar; charset="utf-8"; method=${cal.method}`, `Content-Transfer-Encoding: ${enc}`],
    body: encodeText(cal.ics, 'utf-8', enc),
  };
}

interface BodyPlan {
  /** Content-Type (and for single parts Content-Transfer-Encoding) fields of the whole message. */
  contentFields: string[];
  body: string;
}

/** Assembles the MIME tree: text or text+html, a calendar, attachments. */
function planBody(
  client: ClientId,
  draft: Draft,
  fullText: string,
  html: boolean,
  flowed: boolean,
  boundary: (level: number) => string,
  rng: Random,
): BodyPlan {
  const ctField = (type: string, b: string): string =>
    client === 'outlook' || client === 'apple-mail' || client === 'iphone'
      ? `Content-Type: ${type};${CRLF}\tboundary="${b}"`
      : `Content-Type: ${type}; boundary="${b}"`;
  let main: { part: Part; type?: string };
  const text = textPart(client, fullText, false, flowed);
  if (html || draft.calendar) {
    const b = boundary(draft.attachments.length ? 1 : 0);
    const parts = [text];
    if (html) parts.push(htmlPart(client, fullText));
    if (draft.calendar) parts.push(calendarPart(client, draft));
    main = { part: { headers: [ctField('multipart/alternative', b)], body: multipartBody(b, parts) } };
  } else {
    main = { part: text };
  }
  if (!draft.attachments.length) {
    const preamble = client === 'thunderbird' || client === 'outlook' ? 'This is a multi-part message in MIME format.\r\n' : '';
    if (main.part.headers[0]!.includes('multipart/')) {
      return { contentFields: main.part.headers, body: preamble + main.part.body };
    }
    return { contentFields: main.part.headers, body: main.part.body };
  }
  const outer = boundary(0);
  const parts = [main.part, ...draft.attachments.map((a) => attachmentPart(client, a, draft, rng))];
  const preamble = client === 'thunderbird' || client === 'outlook' ? 'This is a multi-part message in MIME format.\r\n' : '';
  return { contentFields: [ctField('multipart/mixed', outer)], body: preamble + multipartBody(outer, parts) };
}

// ---------------------------------------------------------------------------------------------
// Header blocks per client

function addressField(
  name: string,
  list: Addr[],
  style: WordStyle,
  opts: { quote?: boolean; bare?: boolean; indent?: string } = {},
): string | undefined {
  if (!list.length) return undefined;
  const text = list
    .map((a) => (a.name ? formatAddress(a.name, a.address, style, opts.quote) : opts.bare ? `<${a.address}>` : a.address))
    .join(', ');
  return fold(name, text, opts.indent ?? ' ');
}

function referencesField(refs: string[], indent = ' '): string | undefined {
  if (!refs.length) return undefined;
  return fold('References', refs.join(' '), indent);
}

function present(...fields: (string | undefined)[]): string[] {
  return fields.filter((f): f is string => f !== undefined && f !== '');
}

function dateFor(draft: Draft, style: DateStyle = {}, zone: ZoneId = draft.zone): string {
  return formatMailDate(draft.at, zone, style);
}

export function composeMessage(client: ClientId, draft: Draft, rng: Random, html = false): Composed {
  const fullText = withQuote(client, draft);
  const domain = draft.idDomain;
  const subjectFor = (style: WordStyle, indent = ' '): string => fold('Subject', encodeWords(draft.subject, style), indent);
  let fields: string[];
  let messageId: string;
  let threadIndex: string | undefined;
  let plan: BodyPlan;

  switch (client) {
    case 'outlook': {
      const ids = outlookIds(draft.at, rng, domain);
      messageId = ids.messageId;
      threadIndex = makeThreadIndex(draft.at, rng, draft.parentThreadIndex);
      plan = planBody(client, draft, fullText, true, false, ids.boundary, rng);
      fields = present(
        fold('From', formatAddress(draft.from.name, draft.from.address, 'latin1-q', true), '\t'),
        addressField('To', draft.to, 'latin1-q', { quote: true, bare: true, indent: '\t' }),
        addressField('Cc', draft.cc, 'latin1-q', { quote: true, bare: true, indent: '\t' }),
        draft.replyTo ? field('Reply-To', formatAddress(draft.replyTo.name, draft.replyTo.address, 'latin1-q', true)) : undefined,
        referencesField(draft.references, '\t'),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        subjectFor('latin1-q', '\t'),
        field('Date', dateFor(draft)),
        field('Message-ID', messageId),
        'MIME-Version: 1.0',
        ...plan.contentFields,
        mailerField(client, draft),
        field('Thread-Index', threadIndex),
        ...(draft.extra ?? []),
        field('Content-Language', (draft.contentLanguage ?? 'en-GB').toLowerCase()),
      );
      break;
    }
    case 'cirrus-outlook':
    case 'cirrus-web': {
      // The suite writes the MIME itself: the client only shows in Thread-Index and the HTML.
      const server = cirrusServerOf(draft.idDomain, draft.from.address);
      const local = `${server.name}${rng.hex(32, true)}`;
      messageId = `<${local}@${server.name}.${server.region}.PROD.CIRRUSMAIL.EXAMPLE>`;
      threadIndex = makeThreadIndex(draft.at, rng, draft.parentThreadIndex);
      const token = `${local}${server.name}${server.region}`;
      plan = planBody(client, draft, fullText, true, false, (level) => `_${String(level).padStart(3, '0')}_${token}_`, rng);
      const lang = draft.contentLanguage ?? 'en-GB';
      fields = present(
        field('From', formatAddress(draft.from.name, draft.from.address, 'latin1-q')),
        addressField('To', draft.to, 'latin1-q', { indent: '\t' }),
        addressField('CC', draft.cc, 'latin1-q', { indent: '\t' }),
        draft.replyTo ? field('Reply-To', formatAddress(draft.replyTo.name, draft.replyTo.address, 'latin1-q')) : undefined,
        subjectFor('latin1-q', '\t'),
        fold('Thread-Topic', encodeWords(draft.subject.replace(/^((RE|AW|RV|TR|FW|WG) ?: ?)+/i, ''), 'latin1-q'), '\t'),
        field('Thread-Index', threadIndex),
        field('Date', formatMailDate(draft.at, 'UTC')),
        field('Message-ID', messageId),
        referencesField(draft.references, '\t'),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        field('Accept-Language', `${lang}, en-US`),
        field('Content-Language', lang),
        'X-Cirrus-Has-Attach: ' + (draft.attachments.length ? 'yes' : ''),
        'X-Cirrus-TNEF-Correlator:',
        ...(draft.extra ?? []),
        ...plan.contentFields,
        'MIME-Version: 1.0',
      );
      fields = fields.map((f) => (f.endsWith(': ') ? f.trimEnd() : f));
      break;
    }
    case 'thunderbird': {
      messageId = `<${rng.uuid()}@${domain}>`;
      const b = `------------${rng.alnum(24)}`;
      const b2 = `------------${rng.alnum(24)}`;
      plan = planBody(client, draft, fullText, html, true, (level) => (level === 0 ? b : b2), rng);
      fields = present(
        field('Message-ID', messageId),
        field('Date', dateFor(draft)),
        'MIME-Version: 1.0',
        mailerField(client, draft),
        subjectFor('utf8-q'),
        field('Content-Language', draft.contentLanguage ?? (draft.lang === 'en' ? 'en-GB' : `${draft.lang}-${draft.lang.toUpperCase()}`)),
        addressField('To', draft.to, 'utf8-q'),
        addressField('Cc', draft.cc, 'utf8-q'),
        referencesField(draft.references),
        draft.replyTo ? field('Reply-To', formatAddress(draft.replyTo.name, draft.replyTo.address, 'utf8-q')) : undefined,
        field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q')),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        ...(draft.extra ?? []),
        ...plan.contentFields,
      );
      break;
    }
    case 'apple-mail':
    case 'iphone': {
      messageId = `<${rng.uuid(true)}@${domain}>`;
      const b = `Apple-Mail=_${rng.uuid(true)}`;
      const b2 = `Apple-Mail=_${rng.uuid(true)}`;
      const desktop = client === 'apple-mail';
      plan = planBody(client, draft, fullText, desktop || html, false, (level) => (level === 0 ? b : b2), rng);
      const mimeVersion = desktop ? `Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(${appleMailBuild(draft.at)}\\))` : 'Mime-Version: 1.0 (1.0)';
      const order = desktop
        ? [
            ...plan.contentFields,
            mimeVersion,
            subjectFor('utf8-q-lower'),
            field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q-lower')),
            draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
            field('Date', dateFor(draft)),
            addressField('Cc', draft.cc, 'utf8-q-lower', { indent: '\t' }),
            field('Message-Id', messageId),
            referencesField(draft.references),
            addressField('To', draft.to, 'utf8-q-lower', { indent: '\t' }),
            ...(draft.extra ?? []),
            mailerField(client, draft),
          ]
        : [
            ...plan.contentFields,
            field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q-lower')),
            mimeVersion,
            field('Date', dateFor(draft)),
            subjectFor('utf8-q-lower'),
            field('Message-Id', messageId),
            referencesField(draft.references),
            addressField('Cc', draft.cc, 'utf8-q-lower', { indent: '\t' }),
            draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
            addressField('To', draft.to, 'utf8-q-lower', { indent: '\t' }),
            ...(draft.extra ?? []),
            mailerField(client, draft),
          ];
      fields = present(...order);
      break;
    }
    case 'k9': {
      messageId = `<${rng.uuid()}@${domain}>`;
      plan = planBody(client, draft, fullText, false, false, () => `----${rng.alnum(28).toUpperCase()}`, rng);
      fields = present(
        field('Date', dateFor(draft)),
        field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q')),
        addressField('To', draft.to, 'utf8-q'),
        addressField('CC', draft.cc, 'utf8-q'),
        subjectFor('utf8-q'),
        mailerField(client, draft),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        referencesField(draft.references),
        ...(draft.extra ?? []),
        field('Message-ID', messageId),
        'MIME-Version: 1.0',
        ...plan.contentFields,
      );
      break;
    }
    case 'roundcube': {
      messageId = `<${rng.hex(32)}@${domain}>`;
      plan = planBody(client, draft, fullText, false, true, () => `=_${rng.hex(32)}`, rng);
      fields = present(
        'MIME-Version: 1.0',
        field('Date', dateFor(draft, { day: 'zero' })),
        field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q')),
        addressField('To', draft.to, 'utf8-q'),
        addressField('Cc', draft.cc, 'utf8-q'),
        subjectFor('utf8-q'),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        referencesField(draft.references),
        mailerField(client, draft),
        ...(draft.extra ?? []),
        field('Message-ID', messageId),
        field('X-Sender', draft.from.address),
        ...plan.contentFields,
      );
      break;
    }
    case 'quill-web': {
      messageId = `<CA${rng.token(rng.int(38, 52), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+=_-')}@mail.quillmail.example>`;
      const b = quillBoundary(draft.at, rng);
      const b2 = quillBoundary(draft.at + 1, rng);
      plan = planBody(client, draft, fullText, true, false, (level) => (level === 0 ? b : b2), rng);
      fields = present(
        'MIME-Version: 1.0',
        referencesField(draft.references),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-b')),
        field('Date', dateFor(draft)),
        field('Message-ID', messageId),
        subjectFor('utf8-b'),
        addressField('To', draft.to, 'utf8-b'),
        addressField('Cc', draft.cc, 'utf8-b'),
        draft.replyTo ? field('Reply-To', formatAddress(draft.replyTo.name, draft.replyTo.address, 'utf8-b')) : undefined,
        ...(draft.extra ?? []),
        ...plan.contentFields,
      );
      break;
    }
    case 'evolution': {
      messageId = `<${rng.hex(40)}.camel@${domain}>`;
      plan = planBody(
        client,
        draft,
        fullText,
        false,
        false,
        () => `=-${rng.token(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}`,
        rng,
      );
      fields = present(
        field('Message-ID', messageId),
        subjectFor('utf8-q'),
        field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q')),
        addressField('To', draft.to, 'utf8-q'),
        addressField('Cc', draft.cc, 'utf8-q'),
        field('Date', dateFor(draft, { day: 'zero' })),
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        referencesField(draft.references),
        ...plan.contentFields,
        mailerField(client, draft),
        'MIME-Version: 1.0',
        ...(draft.extra ?? []),
      );
      break;
    }
    case 'mutt': {
      const w = new Date(draft.at);
      const stamp = `${w.getUTCFullYear()}${pad(w.getUTCMonth() + 1)}${pad(w.getUTCDate())}${pad(w.getUTCHours())}${pad(w.getUTCMinutes())}${pad(w.getUTCSeconds())}`;
      messageId = `<${stamp}.GA${rng.int(10000, 99999)}@kellerhaus.${domain}>`;
      plan = planBody(client, draft, fullText, false, false, () => `${rng.alnum(16)}`, rng);
      fields = present(
        field('Date', dateFor(draft)),
        field('From', formatAddress(draft.from.name, draft.from.address, 'utf8-q')),
        addressField('To', draft.to, 'utf8-q'),
        addressField('Cc', draft.cc, 'utf8-q'),
        subjectFor('utf8-q'),
        field('Message-ID', messageId),
        referencesField(draft.references),
        'MIME-Version: 1.0',
        ...plan.contentFields,
        draft.inReplyTo ? field('In-Reply-To', draft.inReplyTo) : undefined,
        mailerField(client, draft),
        ...(draft.extra ?? []),
      );
      break;
    }
  }
  const message: RawMessage = { fields, body: plan.body };
  return { message, messageId, ...(threadIndex ? { threadIndex } : {}), fullText: fullText.replace(/\r\n/g, '\n'), client };
}

/** Each hosted-suite user's mailbox server is stable (it moves rarely); derived from the address. */
const cirrusServers = new Map<string, { name: string; region: string }>();
function cirrusServerOf(_domain: string, address: string): { name: string; region: string } {
  let server = cirrusServers.get(address);
  if (!server) {
    // A hash of the address, not the message's random stream: the same user always lands on the same server.
    let h = 2166136261;
    for (const ch of address) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    const sites = ['DB9P192', 'AM6P191', 'PA4P190', 'GV1P189', 'LO2P265'];
    const site = sites[h % sites.length]!;
    server = { name: `${site}MB${1000 + (h % 9000)}`, region: `EURP${site.slice(-3)}` };
    cirrusServers.set(address, server);
  }
  return server;
}
