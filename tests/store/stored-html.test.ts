// A message's decoded HTML is stored only where the walk did not read the body (migration 019); the
// rest is read again from the stored bytes, and must be what the import's parse gave.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { htmlFromBytes, readMessage, storedHtmlText } from '../../src/parse/parse-message.ts';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { getMessageHtml } from '../../src/store/message-page-repo.ts';
import { readBodies } from '../../src/store/archive-repo.ts';
import { HAS_HTML_SQL } from '../../src/store/stored-html.ts';
import { tempDbFile } from '../helpers/fixture-db.ts';
import { writeDump } from '../helpers/mail-dump.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REAL = resolve(ROOT, '../shared/corpus/real');

const CRLF = '\r\n';
/** HTML in a multipart with no closing boundary: the walk declines it, mailparser reads it. */
const UNCLOSED = [
  'From: a@example.org',
  'To: b@example.org',
  'Subject: unclosed',
  'Message-ID: <unclosed@example.org>',
  'Date: Tue, 01 Oct 2024 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="u"',
  '',
  '--u',
  'Content-Type: text/plain',
  '',
  'plain words',
  '--u',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<p>caf=C3=A9 only in the declined body</p>',
  '',
].join(CRLF);

interface Row {
  sha256: string;
  body_html: string | null;
  html_chars: number | null;
  has_html: number;
  raw: Buffer;
}

describe('the decoded HTML of a stored message', () => {
  it('is read again from the bytes exactly as the parse gave it, on the demo dump, the real corpus and a body the walk declines', async () => {
    const file = tempDbFile('html.sqlite');
    const extra = resolve(file, '../declined');
    writeDump(extra, { 'unclosed.eml': UNCLOSED });
    const db = openDatabase(file);
    await importPaths(db, [join(ROOT, 'test-corpus/demo'), extra, ...(existsSync(REAL) ? [REAL] : [])], { workers: 0 });
    const rows = db.prepare(`SELECT sha256, body_html, html_chars, ${HAS_HTML_SQL} AS has_html, raw FROM full_messages`).all() as Row[];
    let walked = 0;
    let declined = 0;
    for (const r of rows) {
      const read = await readMessage(r.raw);
      const html = read.parsed.html;
      expect(storedHtmlText(getMessageHtml(db, r.sha256)!)).toBe(html);
      expect(r.has_html).toBe(html === null ? 0 : 1);
      expect(r.html_chars).toBe(html === null ? null : html.length);
      if (html === null) continue;
      if (read.bodyParser === 'walk') {
        walked++;
        expect(r.body_html).toBeNull();
        expect(htmlFromBytes(r.raw)).toBe(html);
      } else {
        declined++;
        expect(r.body_html).toBe(html);
        expect(htmlFromBytes(r.raw)).toBeUndefined();
      }
    }
    expect(walked).toBeGreaterThan(5);
    expect(declined).toBeGreaterThanOrEqual(1);
    const unclosed = rows.find((r) => r.raw.toString('latin1').includes('<unclosed@example.org>'))!;
    expect(storedHtmlText(getMessageHtml(db, unclosed.sha256)!)).toContain('café only in the declined body');

    // The comparison of copies reads the same HTML, and counts it in its budget before reading it.
    const html = rows.find((r) => r.has_html === 1 && r.body_html === null)!;
    const text =
      (db.prepare('SELECT coalesce(length(body_text), 0) FROM message_content WHERE sha256 = ?').pluck().get(html.sha256) as number) ?? 0;
    const compared = readBodies(db, [html.sha256], text + html.html_chars!).get(html.sha256)!;
    expect(compared.html).toEqual({ bytes: html.raw });
    expect(storedHtmlText(compared.html)).toBe(storedHtmlText(getMessageHtml(db, html.sha256)!));
    expect(getMessageHtml(db, html.sha256)).toEqual({ bytes: html.raw });
    expect(readBodies(db, [html.sha256], text + html.html_chars! - 1).has(html.sha256)).toBe(false);

    // A row written before migration 019 keeps its HTML in body_html, without html_chars: it is served as stored.
    db.prepare("UPDATE message_content SET body_html = '<p>as stored before</p>', html_chars = NULL WHERE sha256 = ?").run(html.sha256);
    expect(getMessageHtml(db, html.sha256)).toEqual({ html: '<p>as stored before</p>' });
    expect(readBodies(db, [html.sha256], 1_000_000).get(html.sha256)?.html).toEqual({ html: '<p>as stored before</p>' });
    expect(db.prepare(`SELECT ${HAS_HTML_SQL} FROM message_content WHERE sha256 = ?`).pluck().get(html.sha256)).toBe(1);
    db.close();
  });
});
