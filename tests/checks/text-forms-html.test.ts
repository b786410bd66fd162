// normalisedHtmlText replaces normaliseText(htmlToText(html)) in the message facts, in one pass over
// the characters; the stored html hash must not change. The reference below is the code as it was
// (commit 0ccf156): five replacements and the whitespace expression. Both are run on hand-written
// edge cases and on seeded random strings built from the pieces that steer them: tags that the first
// two replacements remove (also nested, unterminated, inside tags), line-break tags with attributes
// and in any case, stray "<" and ">", entities of every kind, and each whitespace character.
import { describe, expect, it } from 'vitest';
import { htmlToText, normalisedHtmlText } from '../../src/checks/text-forms.ts';
import { randomFrom } from '../helpers/seeded-random.ts';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function referenceHtmlToText(html: string | null): string {
  if (!html) return '';
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1));
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

function referenceNormaliseText(text: string | null): string {
  return (text ?? '').replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

const reference = (html: string | null): string => referenceNormaliseText(referenceHtmlToText(html));

const EDGE_CASES: (string | null)[] = [
  null,
  '',
  ' ',
  '   a   ',
  '\u200b a \u200b',
  '<p>one</p><p>two</p>',
  '<html><head><title>t</title><style>p { color: red }</style></head><body>text</body></html>',
  '<script>var a = "<br>";</script>after',
  '<SCRIPT type="x">a</script >b</SCRIPT>c',
  '<script>unterminated <br> text',
  '<script>one</script><script>two',
  '<style>a</STYLE\n>b',
  '<head>x<script>y</head>z</script>w',
  '<header>kept</header><scripts>kept</scripts>',
  '<headx>h</headx>',
  '<head',
  '<!-- a <br> b -->c',
  '<!-- <script> --> </script> -->d',
  '<!-->e-->f',
  '<!--->g',
  '<!-- unterminated',
  '<a <!-- > --> b>c',
  '<br <!-- > -->d',
  '<a title="<script>">x</script>y',
  '<a title="<!--">x-->y',
  '<br>a<BR>b<br/>c<br class="x">d<Br\n>e',
  '</p>a</P >b</pre>c</div>d</DIV data-x="1">e</tr>f</li>g</h1>h</H6>i</h7>j</h1x>k',
  '<brx>a</pa>b',
  '<a <br> b>c',
  '<br <a> >d',
  '< <br>e',
  '<a <br>',
  '<<>>',
  'a < b > c',
  'a<b',
  'a>b',
  '<',
  '>',
  '<p',
  'x <b>bold</b> y',
  '&amp; &AMP; &Amp; &nbsp;&NBSP; &lt;p&gt; &quot; &apos;',
  '&#65;&#x41;&#X41;&#x1F600;&#128512;',
  '&#0; &#x0; &#x110000; &#1114112; &#99999999999999999999999; &#x;&#;&#x1g;',
  '&#xD83D;&#xDE00; &#xD800;x',
  '&unknown; &constructor; &amp &; &&amp; &am<b>p; &#12a;',
  '&#32;a&#10;b&#x200b;c&#xA0;d&#x2028;e&#12288;f',
  'a&nbsp;&nbsp;b &nbsp; c',
  '\t a \n b \r\n c \r d \v e \f f',
  'a\u00a0b\u200bc\u2028d\u2029e\ufefff\u3000g\u1680h\u202fi\u205fj\u2000k\u200al\u0085m',
  '😀 \ud83d \ude00 x\ud83d<br>\ude00',
  'ſ K ı İ <ſcript>x</ſcript> <\u212aead>',
  '<p>\n  text  \n</p>\n',
  '   <br>   ',
];

const PIECES = [
  '<script>',
  '</script>',
  '<SCRIPT type="a">',
  '</script >',
  '</SCRIPT\n>',
  '<style>',
  '</style>',
  '<head>',
  '</HEAD>',
  '<header>',
  '<scripts>',
  '<!--',
  '-->',
  '<!-- c -->',
  '<!--->',
  '<br>',
  '<BR/>',
  '<br class="x">',
  '<brx>',
  '</p>',
  '</P >',
  '</pre>',
  '</div>',
  '</DIV data-x="1">',
  '</tr>',
  '</li>',
  '</h1>',
  '</H6>',
  '</h7>',
  '</h1x>',
  '<p>',
  '<a href="x">',
  '<a',
  '<b',
  '</',
  '<',
  '<',
  '>',
  '>',
  '< >',
  '&amp;',
  '&AMP;',
  '&nbsp;',
  '&NbSp;',
  '&lt;',
  '&gt;',
  '&quot;',
  '&apos;',
  '&#65;',
  '&#x41;',
  '&#X1F600;',
  '&#x110000;',
  '&#0;',
  '&#xD800;',
  '&#xDE00;',
  '&#99999999999999999999;',
  '&#x;',
  '&#;',
  '&unknown;',
  '&constructor;',
  '&amp',
  '&',
  '&',
  '&#',
  '&#x',
  ';',
  '&#32;',
  '&#x200b;',
  '&#xA0;',
  '&#10;',
  'lt;',
  '#65;',
  'amp;',
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n',
  '\r',
  '\r\n',
  '\v',
  '\f',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u3000',
  '\u1680',
  '\u202f',
  '\u205f',
  '\u2003',
  '\u0085',
  'word',
  'word',
  'two words',
  'Wörter',
  '😀',
  '\ud83d',
  '\ude00',
  'ſ',
  'K',
  'ı',
  'İ',
  '/',
  '!',
  '-',
  '#',
  'x',
  'X',
  '1',
  'a',
];

function makeHtml(random: () => number): string {
  const n = Math.floor(random() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)]!;
  return s;
}

describe('normalisedHtmlText: normaliseText(htmlToText(html)) in one pass', () => {
  const random = randomFrom(12);
  const fuzzed = Array.from({ length: 20_000 }, () => makeHtml(random));

  it('htmlToText is unchanged', () => {
    for (const html of [...EDGE_CASES, ...fuzzed]) expect(htmlToText(html)).toBe(referenceHtmlToText(html));
  });

  it('gives the same text on hand-written edge cases', () => {
    for (const html of EDGE_CASES) expect([html, normalisedHtmlText(html)]).toEqual([html, reference(html)]);
  });

  it('gives the same text on seeded random strings', () => {
    for (const html of fuzzed) expect([html, normalisedHtmlText(html)]).toEqual([html, reference(html)]);
  });

  it('treats every UTF-16 code unit as the expressions do, between words, in a tag, after "&" and "<"', () => {
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const html of [`a${ch}b`, `${ch}`, `a ${ch} b`, `<a${ch}>b`, `<br${ch}>b`, `&${ch};`, `<${ch}script></script>`]) {
        const got = normalisedHtmlText(html);
        if (got !== reference(html)) expect([html, got]).toEqual([html, reference(html)]);
      }
    }
  });

  it('on long HTML as mail programs write it', () => {
    const random = randomFrom(13);
    const paragraph = (): string =>
      Array.from({ length: 60 }, () => PIECES[Math.floor(random() * PIECES.length)]!.replace(/[<>]/g, '')).join(' ');
    const body = Array.from(
      { length: 40 },
      () => `<p style="margin:0">${paragraph()}</p>\n<table><tr><td class="x">&nbsp;</td></tr></table>\n`,
    ).join('');
    for (const html of [
      `<html><body>${body}</body></html>`,
      `<html><head><style><!-- p {} --></style></head><body>${body}<!--[if mso]><br><![endif]--></body></html>`,
    ])
      expect(normalisedHtmlText(html)).toBe(reference(html));
  });

  it('the random strings reach the cases that differ (removed blocks, tags around line breaks, entities)', () => {
    // A check of the test itself: without these, equal outputs would prove little.
    const count = (test: (html: string) => boolean): number => fuzzed.filter(test).length;
    const removed = (html: string): boolean =>
      html.replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ').replace(/<!--[\s\S]*?-->/g, ' ') !== html;
    expect(count(removed)).toBeGreaterThan(2000);
    // A line break's tag inside another tag: the order of the two tag replacements decides the text.
    const order = (html: string): boolean =>
      html.replace(/<[^>]*>/g, ' ') !== html.replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6])\b[^>]*>/gi, '\n').replace(/<[^>]*>/g, ' ');
    expect(count(order)).toBeGreaterThan(500);
    const entity = /&(#x[0-9a-f]+|#\d+|[a-z]+);/i;
    expect(count((h) => entity.test(h))).toBeGreaterThan(5000);
    // "&amp;lt;" and the like: decoded once, not twice.
    expect(count((h) => entity.test(referenceHtmlToText(h)))).toBeGreaterThan(500);
    // Entities that decode to whitespace, next to whitespace or tags.
    expect(count((h) => /(&#32;|&#x200b;|&#xA0;|&#10;|&nbsp;)(\s|<)/i.test(h))).toBeGreaterThan(1000);
  });

  it('reads a megabyte of openings that nothing closes as the expressions do, without reading on from each', () => {
    // Each of these took the expressions (and the code before) time in the square of the openings:
    // a third of this size or less took 1.2 s to 37 s. Here they take a few milliseconds.
    const n = 250_000;
    const cases: [string, string][] = [
      ['<br '.repeat(n) + 'x', '<br '.repeat(n) + 'x'],
      ['<!-- '.repeat(n) + 'x', '<!-- '.repeat(n) + 'x'],
      ['<script>'.repeat(n / 2) + 'x', 'x'],
      ['<style>a</style>' + '<head>'.repeat(n / 2) + 'x', 'x'],
    ];
    for (const [html, text] of cases) {
      expect(normalisedHtmlText(html)).toBe(text);
      expect(htmlToText(html).replace(/\s+/g, ' ').trim()).toBe(text);
    }
  });
});
