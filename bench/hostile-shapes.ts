// Not a test: a scan for message shapes whose analysis time grows faster than their size. Each shape
// is one header, or one body type, filled with one short piece repeated; the whole analysis of a
// message (parse, verify, checks, archive facts) is timed at two sizes, four times apart. Linear
// work takes about four times as long; work in the square of the size, sixteen. A shape is printed
// when the larger message took more than `--slow` ms and over `--ratio` times the smaller's, and
// four times larger again over ten times the larger's. So is an analysis that fails (throws), as
// one did on 2 MiB of ">" (a backtracking stack overflowed). The shapes it found on 2026-12-06 were
// fixed that day (47eb813 to f56ea99). Three families were added after: one header line repeated
// (thousands of Received or DKIM-Signature lines), bodies in quoted-printable and base64 and attached
// documents, and multipart bodies of one kind of part repeated (many parts, nested parts, lines that
// nearly are boundaries). It prints the slowest too. Of 2,237 shapes (80 s) it finds one since: an
// attached PDF of backslashes, in PDF.js, bounded by the PDF sandbox's deadlines (pdf-sandbox.ts).
//   node bench/hostile-shapes.ts [--header-chars 32000] [--body-chars 2400000] [--lines-chars 240000]
//                                [--parts-chars 1200000] [--ratio 7] [--slow 60]
import { parseArgs } from 'node:util';
import { analyseMessage } from '../src/pipeline/analyse-message.ts';
import { KeyIndex } from '../src/verify/key-index.ts';

const { values } = parseArgs({
  options: {
    'header-chars': { type: 'string', default: '32000' },
    'body-chars': { type: 'string', default: '2400000' },
    'lines-chars': { type: 'string', default: '240000' },
    'parts-chars': { type: 'string', default: '1200000' },
    ratio: { type: 'string', default: '7' },
    slow: { type: 'string', default: '60' },
  },
});
const HEADER_CHARS = Number(values['header-chars']);
const BODY_CHARS = Number(values['body-chars']);
/** The header section of a repeated line at its largest (four times this) stays under MAX_HEADER_SECTION_BYTES (1 MiB). */
const LINES_CHARS = Number(values['lines-chars']);
const PARTS_CHARS = Number(values['parts-chars']);
const RATIO = Number(values.ratio);
const SLOW_MS = Number(values.slow);
/** How much more a flagged shape must take at four times the size (see scan). */
const CONFIRM = 10;

const HEADERS = [
  'From',
  'To',
  'Cc',
  'Reply-To',
  'Sender',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Received',
  'Authentication-Results',
  'ARC-Authentication-Results',
  'DKIM-Signature',
  'ARC-Seal',
  'ARC-Message-Signature',
  'List-Id',
  'List-Unsubscribe',
  'X-Mailer',
  'User-Agent',
  'Content-Type',
  'Content-Disposition',
  'Content-Transfer-Encoding',
  'Return-Path',
  'Delivered-To',
  'Thread-Index',
  'Thread-Topic',
  'Received-SPF',
  'X-Originating-IP',
  'X-Received',
];
const HEADER_PIECES = [
  'a',
  'A',
  '1',
  '_',
  '.',
  '-',
  ' ',
  '\t',
  'é',
  'a.',
  'aa.',
  'a-',
  'a=',
  'a b',
  'a.b=',
  'x.y ',
  'A(',
  ' (',
  '((',
  '()',
  'a ',
  '=?',
  '=?utf-8?q?',
  '<a',
  '<',
  '>',
  '@a',
  '.a',
  'a@',
  ';a=',
  'a;',
  '"\\',
  '"',
  ',',
  ', ',
  ':',
  'a:',
  '; ',
  '+0000 ',
  '1 ',
  'by ',
  'from ',
  'with ',
  'id ',
  '[1.2.3.4] ',
  'dkim=pass ',
  'i=1; ',
  'h=',
  'b=',
  'a=b ',
  '\\',
  '*',
  '%',
  '=',
  'xn--',
  ' \r\n ',
];
const BODY_TYPES = ['text/plain', 'text/html', 'text/plain; format=flowed', 'text/plain; format=flowed; delsp=yes', 'text/calendar'];
const BODY_PIECES = [
  'a',
  ' ',
  'a ',
  '> ',
  '>',
  'On a wrote:\n',
  '-----Original Message-----\n',
  'From: x\n',
  '\n',
  '\r\n',
  ' \n',
  '<',
  '<a ',
  '<b>',
  '</b>',
  '<div>',
  '<!--',
  '<script>',
  '&amp;',
  '&#',
  '=',
  '=\r\n',
  '=?',
  '(',
  '@a ',
  'a.',
  'http://a',
  'www.',
  'url(',
  'é',
  '\t',
  '--\n',
  '-- \n',
  '.',
  '*',
  '_',
  '[',
  'mailto:',
  '1 ',
  'Date: Mon, 1 Jun 2020 10:00:00 +0000\n',
  'Sent from my iPhone\n',
];

/** Values of a header line repeated: a short one, an address, and the shapes of trace and signature headers. */
const LINE_VALUES = [
  'a',
  '<a@example.org>',
  'from a.example.org (a.example.org [192.0.2.1]) by b.example.org with ESMTP id 1; Mon, 1 Jun 2020 10:00:00 +0000',
  'b.example.org; dkim=pass header.d=example.org; spf=pass smtp.mailfrom=example.org',
  'v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA',
  'i=1; a=rsa-sha256; cv=none; d=example.org; s=s; b=AAAA',
];
/** Bodies in a transfer encoding, and attached documents: content type, encoding, what comes first, the pieces repeated after it. */
const ENCODED: { type: string; encoding: string; start: string; pieces: string[] }[] = [
  ...['text/plain', 'text/html'].flatMap((type) => [
    {
      type,
      encoding: 'quoted-printable',
      start: '',
      pieces: ['=', '=\r\n', '=3D', '=C3=A9', 'a=\r\n', ' =\r\n', '==', '=\n', '=0D=0A', '=2', 'a'],
    },
    { type, encoding: 'base64', start: '', pieces: ['QUFB', 'QUFBQUFB\r\n', '=', 'Q', '!', 'QQ==', ' ', '\r\n', 'PGI+', 'PA=='] },
  ]),
  ...['application/octet-stream', 'application/pdf', 'image/jpeg', 'text/calendar'].map((type) => ({
    type,
    encoding: 'base64',
    start: '',
    pieces: ['QUFB', 'QUFBQUFB\r\n', '=', '!', ' ', 'JVBERi0xLjQK', 'QQ==\r\n'],
  })),
  {
    type: 'application/pdf',
    encoding: '8bit',
    start: '%PDF-1.4\n',
    pieces: ['1 0 obj\n<<>>\nendobj\n', '(', '<<', '[', '/A ', '%', 'stream\n', 'trailer\n<</Info 1 0 R>>\n', '\\', 'xref\n'],
  },
];
/** Parts of a multipart/mixed body (boundary "b"), each repeated to fill it. */
const PARTS = [
  '--b\r\nContent-Type: text/plain\r\n\r\na\r\n',
  '--b\r\nContent-Type: text/html\r\n\r\n<b>a</b>\r\n',
  '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nQUFB\r\n',
  '--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@example.org\r\n\r\na\r\n',
  '--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n',
  '--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\na\r\n',
  '--bx\r\n',
  '--b',
  '--b--x\r\n',
  '--b\r\n\r\n',
  '--b\r\n',
  '\r\n--b \r\nX: y\r\n\r\n',
];

const options = { keys: new KeyIndex(), now: 1_700_000_000 };
const HEAD =
  'From: alice@example.org\r\nTo: bob@example.org\r\nDate: Mon, 1 Jun 2020 10:00:00 +0000\r\nMessage-ID: <m@example.org>\r\nSubject: s\r\n';

async function msOf(message: string): Promise<number> {
  const bytes = Buffer.from(message, 'utf8');
  const t = performance.now();
  await analyseMessage(bytes, options);
  return performance.now() - t;
}

const fill = (piece: string, chars: number): string => piece.repeat(Math.ceil(chars / piece.length)).slice(0, chars);

/** The shapes whose larger message took longest: linear, but what one message can cost. */
const SLOWEST_SHOWN = 8;
const slowest: { label: string; ms: number; chars: number }[] = [];

async function scan(label: string, make: (chars: number) => string, chars: number): Promise<boolean> {
  try {
    // The smaller timed twice, the second kept: a first run of code not yet compiled took several
    // times as long, and hid a ratio of 12 (3,333 DKIM-Signature lines against 833).
    await msOf(make(chars / 4));
    const small = await msOf(make(chars / 4));
    const large = await msOf(make(chars));
    slowest.push({ label, ms: large, chars });
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.length = Math.min(slowest.length, SLOWEST_SHOWN);
    if (large <= SLOW_MS || large / Math.max(small, 1) <= RATIO) return false;
    // Timed once more at four times the size: work in the square of the size grows about sixteen
    // times again (more than CONFIRM); a path that changes at a size limit (HTML over 2 MiB goes to
    // mailparser) or a noisy first timing does not.
    const larger = await msOf(make(chars * 4));
    if (larger / large <= CONFIRM) return false;
    const at = (ms: number, n: number) => `${ms.toFixed(0)} ms at ${n} characters`;
    process.stdout.write(`grows faster than its size: ${label}: ${at(small, chars / 4)}, ${at(large, chars)}, ${at(larger, chars * 4)}\n`);
  } catch (err) {
    process.stdout.write(`the analysis failed: ${label}: ${(err as Error).message}\n`);
  }
  return true;
}

let shapes = 0;
let found = 0;
const started = performance.now();
for (const header of HEADERS)
  for (const piece of HEADER_PIECES) {
    shapes++;
    if (await scan(`${header}: ${JSON.stringify(piece)}`, (n) => `${HEAD}${header}: ${fill(piece, n)}x\r\n\r\nbody\r\n`, HEADER_CHARS))
      found++;
  }
for (const type of BODY_TYPES)
  for (const piece of BODY_PIECES) {
    shapes++;
    const make = (n: number) =>
      `${HEAD}MIME-Version: 1.0\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${fill(piece, n)}\r\n`;
    if (await scan(`body ${type}: ${JSON.stringify(piece)}`, make, BODY_CHARS)) found++;
  }
for (const header of HEADERS)
  for (const value of LINE_VALUES) {
    shapes++;
    const line = `${header}: ${value}\r\n`;
    const make = (n: number) => `${HEAD}${line.repeat(Math.max(1, Math.round(n / line.length)))}\r\nbody\r\n`;
    if (await scan(`${header} lines: ${JSON.stringify(value)}`, make, LINES_CHARS)) found++;
  }
for (const { type, encoding, start, pieces } of ENCODED)
  for (const piece of pieces) {
    shapes++;
    const make = (n: number) =>
      `${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n` +
      `--b\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: ${encoding}\r\nContent-Disposition: attachment; filename=a\r\n\r\n` +
      `${start}${fill(piece, n)}\r\n--b--\r\n`;
    if (await scan(`attached ${type} in ${encoding}: ${JSON.stringify(piece)}`, make, BODY_CHARS)) found++;
    shapes++;
    const inline = (n: number) =>
      `${HEAD}MIME-Version: 1.0\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${start}${fill(piece, n)}\r\n`;
    if (await scan(`body ${type} in ${encoding}: ${JSON.stringify(piece)}`, inline, BODY_CHARS)) found++;
  }
for (const part of PARTS) {
  shapes++;
  const make = (n: number) =>
    `${HEAD}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${part.repeat(Math.max(1, Math.round(n / part.length)))}\r\n--b--\r\n`;
  if (await scan(`multipart of ${JSON.stringify(part)}`, make, PARTS_CHARS)) found++;
}
process.stdout.write(`the slowest:\n${slowest.map((x) => `  ${x.ms.toFixed(0)} ms at ${x.chars} characters: ${x.label}\n`).join('')}`);
process.stdout.write(
  `${shapes} shapes in ${((performance.now() - started) / 1000).toFixed(0)} s; ${found} grew faster than their size or failed\n`,
);
