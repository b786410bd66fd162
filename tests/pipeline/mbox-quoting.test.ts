// Regression: a genuine signed message whose body has a line starting "From " comes out of an mbox
// as ">From " and must not be called tampered.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { signMessage } from '../../test-corpus/sign.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { unquoteMboxFrom } from '../../src/verify/mbox-quoting.ts';
import { base64Lines } from '../helpers/fixture-db.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** `text` signed, its line "From the desk" escaped as an mbox writer escapes it, and imported from an mbox: the database, open. */
async function importEscaped(text: string, lineFeeds = false): Promise<Db> {
  const signed = await signMessage(
    text,
    { with: 'mailauth', domain: 'example-news.org', selector: 'sel2024' },
    new Date('2024-03-14T09:00:00Z'),
  );
  const eol = lineFeeds ? '\n' : '\r\n';
  // An mbox with line feeds alone stores every line break so, as most do.
  const stored = (lineFeeds ? signed.replace(/\r\n/g, '\n') : signed).replace(`${eol}From the desk`, `${eol}>From the desk`);
  const inMbox = `From ana@example-news.org Thu Mar 14 09:00:00 2024${eol}${stored}${eol}`;
  const dir = mkdtempSync(join(tmpdir(), 'lt-quoting-'));
  writeFileSync(join(dir, 'inbox'), inMbox, 'latin1');
  const db = openDatabase(join(dir, 'q.sqlite'));
  insertKeys(db, readKeyFile(readFileSync(join(ROOT, 'test-corpus/keys/corpus.zone'), 'utf8'), 'corpus.zone').records);
  await importPaths(db, [join(dir, 'inbox')], { workers: 0 });
  return db;
}

describe('mbox From-escaping', () => {
  it('undoes one level of ">From " escaping in the body only', () => {
    const msg = Buffer.from('Subject: >From here\r\n\r\n>From a\r\n>>From b\r\nx >From c\r\n');
    expect(unquoteMboxFrom(msg, 23)!.toString()).toBe('Subject: >From here\r\n\r\nFrom a\r\n>From b\r\nx >From c\r\n');
    expect(unquoteMboxFrom(Buffer.from('A: b\r\n\r\nno quoting\r\n'), 8)).toBeNull();
  });

  it('verifies a signed message whose "From " body line the mbox escaped, and says so', async () => {
    const text =
      'From: Ana <ana@example-news.org>\r\nTo: bo@example.org\r\nSubject: desk\r\nDate: Thu, 14 Mar 2024 09:00:00 +0000\r\nMessage-ID: <q1@example-news.org>\r\n\r\nHello,\r\nFrom the desk of the editor: see below.\r\n';
    const db = await importEscaped(text);
    const row = db.prepare('SELECT verdict, reasons, raw FROM full_messages').get() as { verdict: string; reasons: string; raw: Buffer };
    expect(row.verdict).toBe('verified');
    expect(row.reasons.split(';')).toContain('verify/mbox-from-unquoted');
    expect(db.prepare('SELECT summary FROM messages').pluck().get() as string).toContain('mbox');
    // The stored bytes are the mbox's, escaping included.
    expect(row.raw.toString('latin1')).toContain('\r\n>From the desk');
    db.close();
  });

  it('verifies it with a large attachment after the escaped line, whose runs of base64 lines the unescaping moves', async () => {
    // The parser's runs of base64 lines (parse/header-section.ts) are offsets into the stored bytes; the
    // unescaped body is a byte shorter before the attachment, so a run kept for it would cover
    // the byte after the attachment's lines: here a line feed without CR (before the closing
    // boundary), which the body hash must still turn into CRLF, as the signer did.
    const attachment = base64Lines(Buffer.alloc(57 * 3600, 'leaktriage ')); // whole 76-character lines, no padding
    const text =
      'From: Ana <ana@example-news.org>\r\nTo: bo@example.org\r\nSubject: desk\r\nDate: Thu, 14 Mar 2024 09:00:00 +0000\r\n' +
      'Message-ID: <q2@example-news.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nHello,\r\nFrom the desk of the editor: see below.\r\n--b\r\n' +
      `Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n\n--b--\r\n`;
    // In an mbox of line feeds alone the attachment's lines are a run of that kind, whose line
    // breaks the body hash turns into CRLF by the run's stride: kept for the unescaped body, that
    // stride would fall a byte off every line.
    for (const lineFeeds of [false, true]) {
      const db = await importEscaped(text, lineFeeds);
      const row = db.prepare('SELECT verdict, reasons FROM full_messages').get() as { verdict: string; reasons: string };
      expect(row.verdict, `line feeds alone: ${lineFeeds}`).toBe('verified');
      expect(row.reasons.split(';'), `line feeds alone: ${lineFeeds}`).toContain('verify/mbox-from-unquoted');
      db.close();
    }
  });
});
