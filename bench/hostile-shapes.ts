// Not a test: a scan for message shapes whose analysis time grows faster than their size. Each shape
// is one header, or one body type, filled with one short piece repeated; the whole analysis of a
// message (parse, verify, checks, archive facts) is timed at two sizes, four times apart. Linear
// work takes about four times as long; work in the square of the size, sixteen. A shape is printed
// when the larger message took more than `--slow` ms and over `--ratio` times the smaller's, and
// four times larger again over ten times the larger's. So is an analysis that fails (throws), as
// one did on 2 MiB of ">" (a backtracking stack overflowed). The shapes it found on 2026-12-06 were
// fixed that day (47eb813 to f56ea99); it finds none since (1,885 shapes in 41 s).
//   node bench/hostile-shapes.ts [--header-chars 32000] [--body-chars 2400000] [--ratio 7] [--slow 60]
import { parseArgs } from 'node:util';
import { analyseMessage } from '../src/pipeline/analyse-message.ts';
import { KeyIndex } from '../src/verify/key-index.ts';

const { values } = parseArgs({
  options: {
    'header-chars': { type: 'string', default: '32000' },
    'body-chars': { type: 'string', default: '2400000' },
    ratio: { type: 'string', default: '7' },
    slow: { type: 'string', default: '60' },
  },
});
const HEADER_CHARS = Number(values['header-chars']);
const BODY_CHARS = Number(values['body-chars']);
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

async function scan(label: string, make: (chars: number) => string, chars: number): Promise<boolean> {
  try {
    const small = await msOf(make(chars / 4));
    const large = await msOf(make(chars));
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
process.stdout.write(
  `${shapes} shapes in ${((performance.now() - started) / 1000).toFixed(0)} s; ${found} grew faster than their size or failed\n`,
);
