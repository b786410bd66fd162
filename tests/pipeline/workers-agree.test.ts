// The number of workers changes how fast, never what: the same dump imported with 0, 1 and 3
// workers gives the same messages, sources, verdicts, findings, signatures and summary counts.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
import { insertKeys } from '../../src/store/keys-repo.ts';
import { readKeyFile } from '../../src/verify/key-files.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { MAX_HTML_DEPTH } from '../../src/parse/html-text.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const INPUTS = [join(ROOT, 'test-corpus/generated'), join(ROOT, 'test-corpus/demo')];
const NOW = 1_800_000_000;

const QUERIES = {
  messages:
    'SELECT sha256, verdict, summary, reasons, dkim, arc_result, key_source, subject, body_text IS NULL AS no_text FROM full_messages ORDER BY sha256',
  sources: 'SELECT sha256, path, offset, length FROM sources ORDER BY path, sha256',
  findings: 'SELECT sha256, check_id, code, severity, detail, evidence FROM findings ORDER BY sha256, check_id, code, detail',
  signatures: 'SELECT * FROM signatures ORDER BY sha256, idx',
  attachments: 'SELECT * FROM attachments ORDER BY sha256, idx',
  failures: 'SELECT path, offset, code, reason, sha256 FROM failures ORDER BY path, offset, code',
  counts: 'SELECT dimension, key, verdict, n FROM overview_counts WHERE n != 0 ORDER BY 1, 2, 3',
};

describe('imports with different worker counts', () => {
  it('store exactly the same results with 0, 1 and 3 workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-workers-'));
    const results: Record<string, unknown[]>[] = [];
    for (const workers of [0, 1, 3]) {
      const db = openDatabase(join(dir, `${workers}.sqlite`));
      for (const zone of ['corpus.zone', 'demo.zone']) {
        const file = join(ROOT, 'test-corpus/keys', zone);
        insertKeys(db, readKeyFile(readFileSync(file, 'utf8'), zone).records);
      }
      await importPaths(db, INPUTS, { workers, now: NOW });
      results.push(Object.fromEntries(Object.entries(QUERIES).map(([k, sql]) => [k, db.prepare(sql).all()])));
      db.close();
    }
    expect(results[0]!.messages!.length).toBeGreaterThan(40);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('store the same results with 0, 1 and 3 workers for HTML nested deeper than html-to-text could read', async () => {
    // Before 2525f95 html-to-text ran out of stack on such HTML at a depth that changed with the
    // thread's stack and with how far V8 had compiled it: the same message read on one thread and
    // not on another.
    const dir = mkdtempSync(join(tmpdir(), 'lt-workers-deep-'));
    const dump = join(dir, 'dump');
    mkdirSync(dump);
    [1200, 1500, 2000, 3000, 6000].forEach((depth, i) => {
      const html = `<html><body>${'<div>x'.repeat(depth)}</body></html>`;
      writeFileSync(
        join(dump, `${i}.eml`),
        `From: Alice <alice@example.org>\r\nTo: bob@example.org\r\nSubject: deep ${depth}\r\nDate: Mon, 1 Jun 2020 10:00:0${i} +0000\r\nMessage-ID: <deep${i}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`,
      );
    });
    const results: unknown[][] = [];
    for (const workers of [0, 1, 3]) {
      const db = openDatabase(join(dir, `${workers}.sqlite`));
      await importPaths(db, [dump], { workers, now: NOW });
      results.push(db.prepare(QUERIES.findings.replace('ORDER BY', "WHERE code LIKE 'parse/%' ORDER BY")).all());
      results.push(
        db
          .prepare(
            "SELECT sha256, verdict, from_address, length(body_text) - length(replace(body_text, 'x', '')) AS text FROM full_messages ORDER BY sha256",
          )
          .all(),
      );
      db.close();
    }
    expect(results[0]).toHaveLength(5);
    expect(results[1]).toHaveLength(5);
    for (const r of results[1] as { from_address: string; text: number }[])
      // html and body take two of the levels: the text holds one x for each <div> within the limit.
      expect([r.from_address, r.text]).toEqual(['alice@example.org', MAX_HTML_DEPTH - 2]);
    expect(results.slice(2, 4)).toEqual(results.slice(0, 2));
    expect(results.slice(4, 6)).toEqual(results.slice(0, 2));
    rmSync(dir, { recursive: true, force: true });
  });
});
