// The write batch is cut by count whatever it holds: a run of input failures (a zip of thousands of
// refused entries) is written as it grows, not held until the next message arrives.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { RunRecord } from '../../src/pipeline/run-record.ts';
import { WRITE_BATCH, WriteBatch } from '../../src/pipeline/write-batch.ts';

function failuresStored(db: ReturnType<typeof openDatabase>): number {
  return (db.prepare('SELECT count(*) AS n FROM failures').get() as { n: number }).n;
}

describe('WriteBatch', () => {
  it('writes input failures once a batch is full, and keeps the rest until flushed', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'leaktriage-batch-')), 'batch.sqlite'));
    const batch = new WriteBatch(db, new RunRecord(db, ['dump.zip'], {}), () => {});
    const n = WRITE_BATCH + 7;
    for (let i = 0; i < n; i++) {
      batch.addFailure({
        kind: 'failure',
        failure: { path: `dump.zip!/e${i}.eml`, offset: null, code: 'zip/overlapping-entries', reason: 'overlaps another entry' },
      });
    }
    expect(failuresStored(db)).toBe(WRITE_BATCH);
    batch.flush();
    expect(failuresStored(db)).toBe(n);
    db.close();
  });
});
