// Mail that is damaged is still mail (issue 9): a NUL in a header, no blank line before the body,
// LF CR line endings, or more than the sniff window of vendor X- headers. Each used to be skipped
// as input/not-mail and never analysed; now each is stored and analysed with a parse finding.
// Files that are plainly something else stay input/not-mail.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { looksLikeMessage } from '../../src/import/detect.ts';
import { SNIFF_BYTES } from '../../src/import/limits.ts';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'lt-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const signed = readFileSync(join(ROOT, 'test-corpus/generated/authentic-news-rsa.eml'));
const text = signed.toString('latin1');
const headerEnd = text.indexOf('\r\n\r\n');

function withNulInHeader(): Buffer {
  const at = text.indexOf('Subject:') + 12;
  return Buffer.from(text.slice(0, at) + '\0' + text.slice(at), 'latin1');
}
const damaged: Record<string, Buffer> = {
  'nul-in-header': withNulInHeader(),
  'no-blank-line': Buffer.from(text.slice(0, headerEnd) + '\r\n' + text.slice(headerEnd + 4), 'latin1'),
  'lf-cr-endings': Buffer.from(text.replaceAll('\r\n', '\n\r'), 'latin1'),
  'vendor-headers-first': Buffer.from(
    Array.from({ length: 200 }, (_, i) => `X-Vendor-Scan-Result-${i}: clean; engine=7.${i}; signature-db=2024-01-0${i % 9}\r\n`).join('') +
      text,
    'latin1',
  ),
};

const notMail: Record<string, Buffer> = {
  prose: Buffer.from('Note: buy milk\nand eggs, and then call the office about the budget.\n'),
  'prose-with-colon-lines': Buffer.from('Dear team: hello\nWe met on Monday to discuss: the plan.\nRegards\n'),
  pdf: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 0)]),
  config: Buffer.from(Array.from({ length: 400 }, (_, i) => `setting_${i}: value ${i}\n`).join('')),
  binary: Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x00, 0x46, 0x72, 0x6f, 0x6d, 0x3a, 0x0a]),
};

describe('recognising damaged mail', () => {
  it('the vendor-header case really fills the sniff window before the first common header', () => {
    expect(damaged['vendor-headers-first']!.indexOf('DKIM-Signature')).toBeGreaterThan(SNIFF_BYTES);
  });

  it.each(Object.keys(damaged))('%s is a message', (name) => {
    expect(looksLikeMessage(damaged[name]!.subarray(0, SNIFF_BYTES))).toBe(true);
  });

  it.each(Object.keys(notMail))('%s is not mail', (name) => {
    expect(looksLikeMessage(notMail[name]!.subarray(0, SNIFF_BYTES))).toBe(false);
  });

  it('stores and analyses each damaged message with a parse finding; files of other kinds stay not-mail', async () => {
    const dump = join(dir, 'dump');
    mkdirSync(dump);
    for (const [name, bytes] of Object.entries(damaged)) writeFileSync(join(dump, `${name}.eml`), bytes);
    for (const [name, bytes] of Object.entries(notMail)) writeFileSync(join(dump, `${name}.eml`), bytes);
    const db = openDatabase(join(dir, 'damaged.sqlite'));
    const summary = await importPaths(db, [dump], { workers: 0, now: 1_700_000_000 });
    expect(summary.messagesNew).toBe(Object.keys(damaged).length);
    expect(summary.failuresByCode).toEqual({ 'input/not-mail': Object.keys(notMail).length });
    const codes = db
      .prepare(
        `SELECT s.path, group_concat(f.code, ' ') AS codes FROM sources s LEFT JOIN findings f ON f.sha256 = s.sha256 AND f.code LIKE 'parse/%'
         GROUP BY s.path ORDER BY s.path`,
      )
      .all() as { path: string; codes: string | null }[];
    expect(codes.map((c) => c.path.slice(dump.length + 1))).toEqual(
      Object.keys(damaged)
        .sort()
        .map((n) => `${n}.eml`),
    );
    const byName = Object.fromEntries(codes.map((c) => [c.path.slice(dump.length + 1, -4), c.codes ?? '']));
    expect(byName['nul-in-header']).toContain('parse/nul-bytes');
    expect(byName['no-blank-line']).toMatch(/parse\/(no-body|stray-header-lines)/);
    expect(byName['lf-cr-endings']).toMatch(/parse\/(no-body|stray-header-lines)/);
    // The vendor headers are intact mail: stored and verified like any message, no parse finding needed.
    const vendor = db
      .prepare('SELECT m.signature_count FROM messages m JOIN sources s ON s.sha256 = m.sha256 WHERE s.path LIKE ?')
      .pluck()
      .get('%vendor-headers-first.eml');
    expect(vendor).toBe(1);
    db.close();
  });
});
