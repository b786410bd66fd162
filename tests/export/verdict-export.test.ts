// The verdict export over a seeded archive: its columns, its order, its filter, the reviewer's
// decision, and the cap with its marker in the summary column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeVerdictExport, EXPORT_COLUMNS } from '../../src/export/verdict-export.ts';
import type { ExportFormat } from '../../src/export/encode-rows.ts';
import type { Db } from '../../src/store/database.ts';
import type { QueueFilter } from '../../src/store/queue-repo.ts';
import { insertReview } from '../../src/store/review-repo.ts';
import { seedReviewDb, type SeededIds } from '../helpers/review-corpus.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

let db: Db;
let ids: SeededIds;
beforeAll(() => {
  db = openFixtureDb().db;
  ids = seedReviewDb(db);
  insertReview(db, { sha256: ids.tampered, decision: 'override', verdict: 'suspicious', note: 'relay', reviewer: 'ana' }, new Date(0));
});
afterAll(() => db.close());

function rows(filter: QueueFilter, format: ExportFormat = 'ndjson', cap?: number): Record<string, unknown>[] {
  const text = [...encodeVerdictExport(db, filter, 'date', format, { cap })].join('');
  if (format === 'json') return (JSON.parse(text) as { rows: Record<string, unknown>[] }).rows;
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('verdict export', () => {
  it('has one row per message in the contract columns, oldest first with the undated first', () => {
    const all = rows({});
    expect(all).toHaveLength(ids.all.length);
    for (const r of all) expect(Object.keys(r)).toEqual([...EXPORT_COLUMNS]);
    expect(all[0]?.sha256).toBe(ids.undated);
    expect(rows({}, 'json')).toEqual(all);
    const csv = [...encodeVerdictExport(db, {}, 'date', 'csv')].join('').split('\r\n');
    expect(csv[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(csv.slice(1, -1).map((l) => l.split(',')[0])).toEqual(all.map((r) => r.sha256));
  });

  it('says what a message is in brief, with the time it was verified as of in ISO 8601', () => {
    const v = rows({}).find((r) => r.sha256 === ids.verified);
    expect(v).toMatchObject({
      source_path: 'archive.mbox#0',
      source_count: 1,
      message_id: '<budget@example-news.org>',
      from: 'alice@example-news.org',
      date: 'Mon, 06 Mar 2023 10:00:00 +0000',
      verdict: 'verified',
      dkim: 'example-news.org/sel2024/pass',
      arc: 'none',
      key_source: 'corpus.zone',
      as_of: '2023-03-06T10:02:30Z',
      as_of_source: 'received',
      review_decision: null,
      final_verdict: 'verified',
    });
    expect(rows({}).find((r) => r.sha256 === ids.tampered)?.reasons).toBe('dkim/body-hash-mismatch');
  });

  it('carries the latest review, and filters on the final verdict', () => {
    const reviewed = rows({ final: ['suspicious'] });
    expect(reviewed.map((r) => r.sha256).sort()).toEqual([ids.tampered, ids.suspicious, ids.hostile].sort());
    expect(reviewed.find((r) => r.sha256 === ids.tampered)).toMatchObject({
      verdict: 'tampered',
      review_decision: 'override',
      review_verdict: 'suspicious',
      reviewer: 'ana',
      review_note: 'relay',
      reviewed_at: '1970-01-01T00:00:00.000Z',
      final_verdict: 'suspicious',
    });
  });

  it('ends a capped download with a #truncated row whose summary says why', () => {
    const lines = [...encodeVerdictExport(db, {}, 'date', 'csv', { cap: 3 })].join('').trim().split('\r\n');
    expect(lines).toHaveLength(5);
    const marker = lines[4]?.split(',') ?? [];
    expect(marker[0]).toBe('#truncated');
    expect(marker[EXPORT_COLUMNS.indexOf('summary')]).toBe('export truncated after 3 rows; narrow the filter to get the rest');
    expect(marker.filter((c) => c !== '')).toHaveLength(2);
  });
});
