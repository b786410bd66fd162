// SECURITY.md lists every limit with its value: this keeps the page equal to the constants.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, MAX_FROM_LINE_BYTES, SNIFF_BYTES } from '../../src/import/limits.ts';
import { MAX_BODY_TEXT_CHARS, MAX_HEADER_SECTION_BYTES, MAX_MIME_BOUNDARIES } from '../../src/parse/parse-message.ts';
import { MAX_HTML_DEPTH } from '../../src/parse/html-text.ts';
import { MAX_DOCUMENT_BYTES } from '../../src/parse/document-metadata.ts';
import { MESSAGE_PDF_MS, PDF_HEAP_MB, PDF_TIMEOUT_MS } from '../../src/parse/pdf-sandbox.ts';
import { MAX_SIGNATURES, MAX_SIGNED_HEADERS } from '../../src/verify/verify-message.ts';
import { MAX_MAILAUTH_HEADER_LINES, MAX_MAILAUTH_SIGNATURE_HEADERS } from '../../src/verify/mailauth-adapter.ts';
import { MAX_LINE_CHARS } from '../../src/common/line-diff.ts';
import { ANALYSE_TIMEOUT_MS, MAX_WORKERS, WORKER_HEAP_MB, WORKER_YOUNG_MB } from '../../src/pipeline/worker-pool.ts';
import { MAX_COMPARED_TEXT_CHARS } from '../../src/pipeline/archive-pass.ts';
import { ARCHIVE_HEAP_MB } from '../../src/pipeline/archive-thread.ts';
import { MAX_FACT_CHARS, MAX_FACT_ENTRIES } from '../../src/checks/message-facts.ts';
import { MAX_COMPARED_VERSIONS, MAX_LISTED_COPIES } from '../../src/checks/archive-copies.ts';
import { WRITE_BATCH, WRITE_BATCH_MS } from '../../src/pipeline/write-batch.ts';
import { BUSY_TIMEOUT_MS, WRITE_WAIT_MS } from '../../src/store/database.ts';
import { DOWNLOAD_CAP } from '../../src/export/verdict-export.ts';
import { MAX_PAGE_SIZE } from '../../src/server/queue-query.ts';
import { REMEMBERED_CHARS } from '../../src/common/remembered.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const page = readFileSync(join(ROOT, 'SECURITY.md'), 'utf8');

/** The value column of the limits table row named `name`, as a number (digits and commas before the unit). */
function documented(name: string): number | undefined {
  const row = page.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
  const cell = row?.split('|')[2]?.trim();
  const number = cell ? /^[\d,]+/.exec(cell)?.[0] : undefined;
  return number === undefined ? undefined : Number(number.replaceAll(',', ''));
}

describe('SECURITY.md', () => {
  const constants: Record<string, number> = {
    ...DEFAULT_LIMITS,
    SNIFF_BYTES,
    MAX_FROM_LINE_BYTES,
    MAX_HEADER_SECTION_BYTES,
    MAX_MIME_BOUNDARIES,
    MAX_BODY_TEXT_CHARS,
    MAX_HTML_DEPTH,
    MAX_DOCUMENT_BYTES,
    PDF_TIMEOUT_MS,
    PDF_HEAP_MB,
    MESSAGE_PDF_MS,
    MAX_SIGNATURES,
    MAX_SIGNED_HEADERS,
    MAX_MAILAUTH_HEADER_LINES,
    MAX_MAILAUTH_SIGNATURE_HEADERS,
    ANALYSE_TIMEOUT_MS,
    WORKER_HEAP_MB,
    WORKER_YOUNG_MB,
    REMEMBERED_CHARS,
    MAX_WORKERS,
    MAX_COMPARED_TEXT_CHARS,
    ARCHIVE_HEAP_MB,
    MAX_LINE_CHARS,
    MAX_COMPARED_VERSIONS,
    MAX_LISTED_COPIES,
    MAX_FACT_ENTRIES,
    MAX_FACT_CHARS,
    WRITE_BATCH,
    WRITE_BATCH_MS,
    BUSY_TIMEOUT_MS,
    WRITE_WAIT_MS,
    DOWNLOAD_CAP,
    MAX_PAGE_SIZE,
  };

  it.each(Object.entries(constants))('lists %s with its value in the code', (name, value) => {
    expect(documented(name)).toBe(value);
  });

  it.each(Object.keys(constants))('names the file that defines %s', (name) => {
    const row = page.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    const where = row?.split('|')[3]?.trim() ?? '';
    const source = existsSync(join(ROOT, where)) ? readFileSync(join(ROOT, where), 'utf8') : '';
    // DEFAULT_LIMITS' fields are defined in its object literal; the other names as exported constants.
    expect(source).toMatch(name in DEFAULT_LIMITS ? new RegExp(`^\\s+${name}: `, 'm') : new RegExp(`^export const ${name}\\b`, 'm'));
  });

  it('lists no limit the code does not have', () => {
    const rows = [...page.matchAll(/^\| `([A-Za-z_]+)` \|/gm)].map((m) => m[1]);
    expect(rows.filter((r) => !(r! in constants))).toEqual([]);
  });

  it('makes the four promises of issue 9', () => {
    for (const promise of [
      'The originals are never modified',
      'Nothing leaves the machine unless you ask for it with `--dns live`',
      'Hostile HTML is never executed',
      'The review server is local unless a token is given',
    ])
      expect(page).toContain(promise);
    expect(page).toContain('## What it does not promise');
    expect(page).toContain('## Reporting a problem');
  });
});
