// A receiving gateway's marks on a signed message (a subject tag, a notice at the top of the text and
// after the HTML's <body>), made the way gateways make them, and removed again.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseMessage } from '../../src/parse/parse-message.ts';
import { verifyMessage } from '../../src/verify/verify-message.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { undoListChanges } from '../../src/verify/list-undo.ts';
import { MAX_MARK_LINES, undoMarks, untagSubject } from '../../src/verify/mark-undo.ts';
import { compose, sign } from '../helpers/mail-dump.ts';
import type { MarkUndo } from '../../src/model.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const keys = new KeyIndex(readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
const AT = new Date(Date.UTC(2025, 2, 4, 9, 0, 0));

const letter = {
  from: 'Ana Ruiz <ana@ministry.example>',
  to: ['tom@org.example'],
  subject: 'Re: Draft for Monday',
  date: AT,
  messageId: '<draft-1@ministry.example>',
  body: 'Dear Tom,\n\nthe draft is below.\n\nAna\n',
};
const NOTICE =
  'CAUTION: This email originated from outside the organisation. Do not click\r\nlinks unless you recognise the sender.\r\n\r\n';
const HTML_NOTICE = '<p style="color:#9c0006">CAUTION: This email originated from outside the organisation.</p>\r\n';

/** One signature's undo as undoMarks reports it, every field given: what is not named is not there. */
function undoneWith(found: Partial<MarkUndo>): MarkUndo {
  return {
    signature: 0,
    subjectTag: null,
    subjectTagUnchecked: null,
    listTag: null,
    listWrapper: false,
    headerSignature: 'pass',
    textLines: null,
    textLineCount: 0,
    htmlLines: null,
    htmlLineCount: 0,
    reencodedWidth: null,
    ...found,
  };
}

async function undo(message: string, known = keys) {
  const bytes = Buffer.from(message, 'latin1');
  const parsed = await parseMessage(bytes);
  let v = await verifyMessage(bytes, parsed, { keys: known, now: 2_000_000_000 });
  const listUndo = undoListChanges(bytes, parsed, v, known);
  if (listUndo.length > 0) v = { ...v, listUndo };
  return { v, undone: undoMarks(bytes, parsed, v, known) };
}

/** The gateway's marks on a stored message: the tag before the subject, the notice on top of the body. */
function mark(message: string, opts: { tag?: boolean; notice?: string } = {}): string {
  let m = opts.tag === false ? message : message.replace(/^Subject: /m, 'Subject: [EXTERNAL] ');
  if (opts.notice !== '') {
    const cut = m.indexOf('\r\n\r\n') + 4;
    m = m.slice(0, cut) + (opts.notice ?? NOTICE) + m.slice(cut);
  }
  return m;
}

const ALTERNATIVE = (text: string, html: string): string =>
  compose({ ...letter, body: '' }).replace(
    'Content-Type: text/plain; charset=utf-8',
    'Content-Type: multipart/alternative; boundary="b1"',
  ) +
  `--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${text}\r\n` +
  `--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>\r\n<body>\r\n${html}</body>\r\n</html>\r\n--b1--\r\n`;

describe('untagSubject', () => {
  it('removes a tag at the very start of the subject, not a reply prefix or a tag further in', () => {
    const h = (value: string) => [{ key: 'subject', name: 'Subject', raw: `Subject: ${value}\r\n`, value, index: 0 }];
    expect(untagSubject(h('[EXTERNAL] Re: x'))?.tag).toBe('[EXTERNAL]');
    expect(untagSubject(h('[EXTERNAL] Re: x'))?.headers[0]!.raw).toBe('Subject: Re: x\r\n');
    expect(untagSubject(h('EXTERNAL: hello'))?.tag).toBe('EXTERNAL:');
    expect(untagSubject(h('*EXT* hello'))?.tag).toBe('*EXT*');
    expect(untagSubject(h('RE: hello'))).toBeNull();
    expect(untagSubject(h('FWD: hello'))).toBeNull();
    expect(untagSubject(h('Re: [EXTERNAL] hello'))).toBeNull();
    expect(untagSubject(h('Budget for 2025'))).toBeNull();
  });
});

describe('undoMarks', () => {
  it('removes the subject tag and a notice on top of a plain body, and the signature verifies again', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const { v, undone } = await undo(mark(signed));
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail' });
    expect(undone).toEqual([undoneWith({ subjectTag: '[EXTERNAL]', textLines: NOTICE, textLineCount: 3 })]);
  });

  it('finds the subject tag alone, and the notice alone', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const tagOnly = await undo(mark(signed, { notice: '' }));
    expect(tagOnly.v.signatures[0]).toMatchObject({ bodyHash: 'pass', result: 'fail' });
    expect(tagOnly.undone).toEqual([expect.objectContaining({ subjectTag: '[EXTERNAL]', textLineCount: 0, textLines: null })]);
    const noticeOnly = await undo(mark(signed, { tag: false }));
    expect(noticeOnly.undone).toEqual([expect.objectContaining({ subjectTag: null, textLineCount: 3 })]);
  });

  it('removes a notice from both parts of a multipart/alternative message', async () => {
    const plain = ALTERNATIVE('Dear Tom, the draft is below. Ana', '<p>Dear Tom, the draft is below.</p>\r\n<p>Ana</p>\r\n');
    const signed = await sign(plain, 'ministry.example', 'mail', AT);
    const marked = mark(signed, { notice: '' })
      .replace('quoted-printable\r\n\r\n', `quoted-printable\r\n\r\n${NOTICE}`)
      .replace('<body>\r\n', `<body>\r\n${HTML_NOTICE}`);
    const { undone } = await undo(marked);
    expect(undone).toEqual([
      undoneWith({ subjectTag: '[EXTERNAL]', textLines: NOTICE, textLineCount: 3, htmlLines: HTML_NOTICE, htmlLineCount: 1 }),
    ]);
  });

  it('finds a notice in the text and the HTML of a message with a large attachment after them', async () => {
    const attachment = Buffer.alloc(2_000_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const plain = ALTERNATIVE('Dear Tom, the draft is attached. Ana', '<p>Dear Tom, the draft is attached.</p>\r\n')
      .replace('multipart/alternative; boundary="b1"', 'multipart/mixed; boundary="m1"')
      .replace('\r\n\r\n--b1', '\r\n\r\n--m1\r\nContent-Type: multipart/alternative; boundary="b1"\r\n\r\n--b1')
      .concat(`--m1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--m1--\r\n`);
    const signed = await sign(plain, 'ministry.example', 'mail', AT);
    const notice = `${NOTICE.replace('\r\n\r\n', '\r\n')}Report suspicious mail to security@org.example.\r\n\r\n`;
    const marked = signed
      .replace('quoted-printable\r\n\r\n', `quoted-printable\r\n\r\n${notice}`)
      .replace('<body>\r\n', `<body>\r\n${HTML_NOTICE}`);
    const { undone } = await undo(marked);
    expect(undone).toEqual([expect.objectContaining({ textLineCount: 4, htmlLineCount: 1 })]);
  });

  it('finds a notice in base64 parts, which a gateway decodes, marks and encodes again', async () => {
    const b64 = (text: string, width: number): string =>
      Buffer.from(text, 'utf8')
        .toString('base64')
        .replace(new RegExp(`.{${width}}`, 'g'), '$&\r\n')
        .replace(/\r\n$/, '')
        .concat('\r\n');
    const text = 'Dear Tom,\r\n\r\nthe draft for Monday is below; the budget line is €12,400.\r\n'.repeat(8) + 'Ana\r\n';
    const html = `<html>\r\n<body>\r\n<p>${text.replace(/\r\n/g, '<br>')}</p>\r\n</body>\r\n</html>\r\n`;
    const part = (type: string, content: string, width: number) =>
      `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(content, width)}`;
    const message = (t: string, h: string, width: number): string =>
      compose({ ...letter, body: '' }).replace(
        'Content-Type: text/plain; charset=utf-8',
        'Content-Type: multipart/alternative; boundary="b1"',
      ) + `--b1\r\n${part('text/plain', t, width)}--b1\r\n${part('text/html', h, width)}--b1--\r\n`;
    const notice = NOTICE.replace('\r\n\r\n', '\r\n');
    // The sender's program wrote lines of 64; the gateway writes 76.
    const signed = await sign(message(text, html, 64), 'ministry.example', 'mail', AT);
    const marked =
      signed.slice(0, signed.indexOf('--b1')) +
      message(notice + text, html.replace('<body>\r\n', `<body>\r\n${HTML_NOTICE}`), 76).slice(message(text, html, 76).indexOf('--b1'));
    const { v, undone } = await undo(mark(marked, { notice: '' }));
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail' });
    expect(undone).toEqual([
      undoneWith({
        subjectTag: '[EXTERNAL]',
        textLines: notice,
        textLineCount: 2,
        htmlLines: HTML_NOTICE,
        htmlLineCount: 1,
        reencodedWidth: 64,
      }),
    ]);
  });

  it('removes a notice from a body signed with l=, over the bytes l= covers', async () => {
    const plain = compose(letter);
    const signed = await sign(plain, 'ministry.example', 'mail', AT, Buffer.byteLength(plain.slice(plain.indexOf('\r\n\r\n') + 4)));
    const { v, undone } = await undo(mark(signed));
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail', bodyLength: expect.any(Number) });
    expect(undone).toEqual([expect.objectContaining({ subjectTag: '[EXTERNAL]', textLineCount: 3 })]);
  });

  it('puts the HTML notice after the whole quoted-printable line that holds <body>', async () => {
    const html =
      '<html><body style=3D"margin:0"><p>Dear Tom, the draft is below; it runs on and on=\r\n for a while.</p></body></html>\r\n';
    const plain =
      compose({ ...letter, body: '' })
        .replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: text/html; charset=utf-8')
        .replace('\r\n\r\n', '\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n') + html;
    const signed = await sign(plain, 'ministry.example', 'mail', AT);
    const { undone } = await undo(signed.replace('for a while.</p></body></html>\r\n', `for a while.</p></body></html>\r\n${HTML_NOTICE}`));
    expect(undone).toEqual([expect.objectContaining({ subjectTag: null, htmlLines: HTML_NOTICE, htmlLineCount: 1 })]);
  });

  it("checks the body hash alone when the signer's key is not known, and leaves the subject as it is, naming its tag unchecked", async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const { v, undone } = await undo(mark(signed), new KeyIndex([]));
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail' });
    expect(undone).toEqual([
      undoneWith({ headerSignature: 'unknown', subjectTagUnchecked: '[EXTERNAL]', textLines: NOTICE, textLineCount: 3 }),
    ]);
    // With the subject tag alone nothing can be checked.
    expect((await undo(mark(signed, { notice: '' }), new KeyIndex([]))).undone).toEqual([]);
  });

  it('checks the body hash alone when the key the store holds for the selector did not make the signature (replaced since)', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const today = `mail._domainkey.ministry.example. IN TXT "v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}"`;
    const { v, undone } = await undo(mark(signed), new KeyIndex(readKeyFile(today, 'today.zone').records));
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail', headerSignature: 'fail', keyMade: 'no' });
    expect(undone).toEqual([
      undoneWith({ headerSignature: 'unknown', subjectTagUnchecked: '[EXTERNAL]', textLines: NOTICE, textLineCount: 3 }),
    ]);
  });

  it('does not explain an edit that is not an addition at the top', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const edited = mark(signed).replace('the draft is below', 'the final text is below');
    expect((await undo(edited)).undone).toEqual([]);
    // A line added lower down, or a notice longer than is tried, is not found either.
    expect((await undo(signed.replace('Ana\r\n', 'Ana\r\nP.S. wire the money today.\r\n'))).undone).toEqual([]);
    const long = Array.from({ length: MAX_MARK_LINES + 1 }, (_, i) => `line ${i}\r\n`).join('');
    expect((await undo(mark(signed, { notice: long }))).undone).toEqual([]);
  });

  it('reports lines a forger put on top the same way: what they are, only the archive tells', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const { undone } = await undo(mark(signed, { tag: false, notice: 'Approved, pay the invoice today.\r\n' }));
    expect(undone).toEqual([expect.objectContaining({ textLines: 'Approved, pay the invoice today.\r\n', textLineCount: 1 })]);
  });

  it('leaves a verifying message and an unsigned one alone', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    expect((await undo(signed)).undone).toEqual([]);
    expect((await undo(mark(compose(letter)))).undone).toEqual([]);
  });

  it("removes the list's own subject tag after the gateway's, on list mail", async () => {
    const plain = compose(letter);
    const signed = await sign(plain, 'ministry.example', 'mail', AT, Buffer.byteLength(plain.slice(plain.indexOf('\r\n\r\n') + 4)));
    // The list tags the subject and adds its footer after what l= covers; the gateway marks the result.
    const listed =
      'List-Id: Team <team.lists.ministry.example>\r\n' + signed.replace(/^Subject: /m, 'Subject: [team] ') + '-- \r\nteam\r\n';
    const { undone } = await undo(mark(listed));
    expect(undone).toEqual([expect.objectContaining({ subjectTag: '[EXTERNAL]', listTag: '[team]', textLineCount: 3 })]);
    // Without List-Id the second tag is not the list's to undo.
    expect((await undo(mark(listed.replace('List-Id: Team <team.lists.ministry.example>\r\n', '')))).undone).toEqual([]);
  });

  it('finds the notice in the first part of a list post that the list wrapped with its footer part', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const [head, body] = [signed.slice(0, signed.indexOf('\r\n\r\n')), signed.slice(signed.indexOf('\r\n\r\n') + 4)];
    const wrapped =
      'List-Id: Team <team.lists.ministry.example>\r\n' +
      head.replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: multipart/mixed; boundary="===============123=="') +
      '\r\n\r\n--===============123==\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      NOTICE +
      body +
      '\r\n--===============123==\r\nContent-Type: text/plain; charset="us-ascii"\r\n\r\n-- \r\nteam\r\n--===============123==--\r\n';
    const { undone } = await undo(mark(wrapped, { notice: '' }));
    expect(undone).toEqual([expect.objectContaining({ subjectTag: '[EXTERNAL]', listWrapper: true, textLines: NOTICE, textLineCount: 3 })]);
  });

  it('does not undo what a list undo already explained', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const listed = 'List-Id: Team <team.lists.ministry.example>\r\n' + signed + '-- \r\nteam mailing list\r\n';
    const { v, undone } = await undo(listed);
    expect(v.listUndo?.[0]).toMatchObject({ headerSignature: 'pass' });
    expect(undone).toEqual([]);
  });
});
