// A list's additions to a signed message, made the way list managers make them, and undone.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseMessage } from '../../src/parse/parse-message.ts';
import { verifyMessage } from '../../src/verify/verify-message.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';
import { undoListChanges } from '../../src/verify/list-undo.ts';
import { compose, sign } from '../helpers/mail-dump.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const keys = new KeyIndex(readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
const AT = new Date(Date.UTC(2025, 2, 4, 9, 0, 0));

const letter = {
  from: 'Ana Ruiz <ana@ministry.example>',
  to: ['policy@lists.ministry.example'],
  subject: 'Draft for Monday',
  date: AT,
  messageId: '<draft-1@ministry.example>',
  body: 'Dear all,\n\nthe draft is attached below.\n\nAna\n',
};
const LIST_HEADERS =
  'List-Id: Policy <policy.lists.ministry.example>\r\nList-Unsubscribe: <mailto:policy-leave@lists.ministry.example>\r\n';
const FOOTER = '_______________________________________________\r\nPolicy mailing list\r\nhttps://lists.ministry.example/policy\r\n';

async function undo(message: string) {
  const bytes = Buffer.from(message, 'latin1');
  const parsed = await parseMessage(bytes);
  const v = await verifyMessage(bytes, parsed, { keys, now: 2_000_000_000 });
  return { v, undone: undoListChanges(bytes, parsed, v, keys) };
}

describe('undoListChanges', () => {
  it('undoes a text footer and finds the author signature verifies again', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const { v, undone } = await undo(LIST_HEADERS + signed + FOOTER);
    expect(v.signatures[0]).toMatchObject({ bodyHash: 'fail' });
    expect(undone).toEqual([
      { signature: 0, kind: 'undone', undone: ['a footer of 3 lines at the end'], removed: FOOTER, headerSignature: 'pass' },
    ]);
  });

  it('undoes a subject tag together with the footer', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const tagged = (LIST_HEADERS + signed + FOOTER).replace('Subject: Draft', 'Subject: [Policy] Draft');
    const { undone } = await undo(tagged);
    expect(undone[0]).toMatchObject({ undone: ['a footer of 3 lines at the end', 'the subject tag [Policy]'], headerSignature: 'pass' });
  });

  it('undoes a trailing MIME part the list added', async () => {
    const mime = compose({ ...letter, body: '' })
      .replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: multipart/mixed; boundary="XYZ"')
      .concat('--XYZ\r\nContent-Type: text/plain\r\n\r\nDear all, the draft.\r\n--XYZ--\r\n');
    const signed = await sign(mime, 'ministry.example', 'mail', AT);
    const listed = (LIST_HEADERS + signed).replace('--XYZ--\r\n', `--XYZ\r\nContent-Type: text/plain\r\n\r\n${FOOTER}--XYZ--\r\n`);
    const { undone } = await undo(listed);
    expect(undone[0]).toMatchObject({ signature: 0, undone: ['a trailing MIME part'], headerSignature: 'pass' });
  });

  it("undoes Mailman's multipart wrapper (the author's single part first, the footer next, Content-Type rewritten)", async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    const [head, body] = [signed.slice(0, signed.indexOf('\r\n\r\n')), signed.slice(signed.indexOf('\r\n\r\n') + 4)];
    const wrapped =
      LIST_HEADERS +
      head.replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: multipart/mixed; boundary="===============123=="') +
      '\r\n\r\n--===============123==\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
      body +
      '\r\n--===============123==\r\nContent-Type: text/plain; charset="us-ascii"\r\n\r\n' +
      FOOTER +
      '--===============123==--\r\n';
    const { v, undone } = await undo(wrapped);
    expect(v.signatures[0]!.bodyHash).toBe('fail');
    expect(undone[0]).toMatchObject({ kind: 'undone', undone: [expect.stringMatching(/^the multipart wrapper/)], headerSignature: 'pass' });
  });

  it("recognises the list's footer after l=, and not other text there", async () => {
    const plain = compose(letter);
    const signed = await sign(plain, 'ministry.example', 'mail', AT, Buffer.byteLength(plain.slice(plain.indexOf('\r\n\r\n') + 4)));
    const footer = (await undo(LIST_HEADERS + signed + FOOTER)).undone;
    expect(footer).toEqual([expect.objectContaining({ signature: 0, kind: 'footer-after-limit', headerSignature: 'pass' })]);
    expect(footer[0]!.removed).toContain('lists.ministry.example/policy');
    expect((await undo(LIST_HEADERS + signed + 'PS: wire the money today.\r\n')).undone).toEqual([]);
  });

  it('does not explain an edit that is not at the end, nor a message that is not list mail', async () => {
    const signed = await sign(compose(letter), 'ministry.example', 'mail', AT);
    expect((await undo(LIST_HEADERS + signed.replace('attached below', 'attached, wire 5,000 euros') + FOOTER)).undone).toEqual([]);
    expect((await undo(signed + FOOTER)).undone).toEqual([]);
  });
});
