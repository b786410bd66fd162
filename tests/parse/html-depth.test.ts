// HTML that nests elements deeper than MAX_HTML_DEPTH: html-to-text would run out of stack on it
// (at a depth that changes from one call to the next) and its parser takes time in the square of
// the depth. The message is still read, the same way every time, with its text up to that point.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { MAX_BODY_TEXT_CHARS, readMessage } from '../../src/parse/parse-message.ts';
import { depthCutAt, MAX_HTML_DEPTH, textOfHtml } from '../../src/parse/html-text.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const htmlToText = (createRequire(import.meta.url)('html-to-text') as { htmlToText: (html: string) => string }).htmlToText;

function htmlOnly(html: string, extraPart = false): Buffer {
  const head =
    'From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: deep\r\nDate: Mon, 1 Jun 2020 10:00:00 +0000\r\nMessage-ID: <deep@example.org>\r\nMIME-Version: 1.0\r\n';
  if (!extraPart) return Buffer.from(`${head}Content-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);
  // A multipart without its closing boundary: the walk declines it and mailparser reads it. Its HTML
  // is turned into text because a text part comes before it (mailparser's rule, and the walk's).
  return Buffer.from(
    `${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nintro\r\n` +
      `--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n` +
      `--b\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n`,
  );
}

describe('HTML nesting depth', () => {
  it('is measured as the parser under html-to-text builds its tree: void elements and implied ends close', () => {
    expect(depthCutAt('<div>'.repeat(MAX_HTML_DEPTH))).toBeNull();
    const deeper = '<div>'.repeat(MAX_HTML_DEPTH + 1);
    expect(depthCutAt(deeper)).toBe(MAX_HTML_DEPTH * 5);
    expect(depthCutAt('<br>x'.repeat(5000))).toBeNull();
    expect(depthCutAt('<p>x'.repeat(5000))).toBeNull();
    expect(depthCutAt('<li>x'.repeat(5000))).toBeNull();
    expect(depthCutAt('<b>x</b>'.repeat(5000))).toBeNull();
    expect(depthCutAt('<b>'.repeat(10), 9)).toBe(27);
  });

  it('leaves shallow HTML to html-to-text as it is', () => {
    const html = '<html><body><p>Hello <b>there</b></p><ul><li>one<li>two</ul></body></html>';
    expect(textOfHtml(html)).toEqual({ text: htmlToText(html), cutAt: null });
  });

  it('turns deep HTML into the text of the part before the limit, the same every time', () => {
    const html = `<html><body>${'<b>x'.repeat(5000)}</body></html>`;
    const cutAt = depthCutAt(html)!;
    expect(cutAt).toBe('<html><body>'.length + (MAX_HTML_DEPTH - 2) * 4);
    const texts = [1, 2, 3].map(() => textOfHtml(html));
    for (const t of texts) expect(t).toEqual({ text: htmlToText(html.slice(0, cutAt)), cutAt });
    expect(texts[0]!.text).toBe('x'.repeat(MAX_HTML_DEPTH - 2));
  });

  it('a message of deep HTML keeps its headers, gets its text up to the limit and says why', async () => {
    const opts = { keys: new KeyIndex(), now: 1_700_000_000 };
    for (const depth of [2000, 5000, 50_000]) {
      const a = await analyseMessage(htmlOnly(`<html><body>${'<span>x'.repeat(depth)}</body></html>`), opts);
      expect(a.parsed.from[0]!.address).toBe('alice@example.org');
      expect(a.parsed.messageId).toBe('<deep@example.org>');
      expect(a.parsed.dateEpoch).not.toBeNull();
      expect(a.parsed.problems.map((p) => p.code)).toEqual(['parse/html-too-deep']);
      expect(a.parsed.text).toBe('x'.repeat(MAX_HTML_DEPTH - 2));
      expect(a.findings.map((f) => f.code)).not.toContain('parse/failed');
    }
  });

  it('through mailparser, deep HTML is not turned into text and the rest of the body is read', async () => {
    // 1,200 levels html-to-text would still manage (here): the limit decides, not the stack.
    for (const depth of [1200, 5000]) {
      const deep = await readMessage(htmlOnly(`<html><body>${'<span>x'.repeat(depth)}</body></html>`, true));
      expect(deep.bodyParser).toBe('mailparser');
      expect(deep.parsed.problems.map((p) => p.code)).toEqual(['parse/html-not-converted']);
      expect(deep.parsed.from[0]!.address).toBe('alice@example.org');
      expect(deep.parsed.attachments.map((x) => x.filename)).toEqual(['a.bin']);
      expect(deep.parsed.html).toContain('<span>x<span>x');
      expect(deep.parsed.text).toContain('intro');
      expect(deep.parsed.text).not.toContain('xx');
    }
    // Shallow HTML in the same structure is still turned into text by mailparser.
    const shallow = await readMessage(htmlOnly('<html><body><p>Hello there</p></body></html>', true));
    expect(shallow.bodyParser).toBe('mailparser');
    expect(shallow.parsed.problems).toEqual([]);
    expect(shallow.parsed.text).toContain('Hello there');
  });

  it('HTML longer than mailparser converts is kept, without its text, and the message read', async () => {
    // The walk leaves HTML over 2 MiB to mailparser, which refuses to convert it and failed the
    // whole body (parse/mime-error) before 2525f95; now the body is read again without that text.
    const long = await readMessage(htmlOnly(`<html><body>${'<p>word</p>'.repeat(200_000)}</body></html>`));
    expect(long.bodyParser).toBe('mailparser');
    expect(long.parsed.problems.map((p) => [p.code, p.reason.includes('longer than')])).toEqual([['parse/html-not-converted', true]]);
    expect(long.parsed.from[0]!.address).toBe('alice@example.org');
    // Stored cut, as every body is.
    expect(long.parsed.html?.length).toBe(MAX_BODY_TEXT_CHARS);
    expect(long.parsed.text ?? '').not.toContain('word');
  });
});
