// The import writes on arrival, into a transaction committed by count, by time and at the end: a
// run of input failures (a zip of thousands of refused entries) is committed as it grows, a quiet
// spell does not keep the write lock, and a failed write rolls back instead of committing half.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { RunRecord } from '../../src/pipeline/run-record.ts';
import { WRITE_BATCH, WRITE_BATCH_MS, WriteBatch } from '../../src/pipeline/write-batch.ts';

type Db = ReturnType<typeof openDatabase>;

function setup(): { db: Db; reader: Db; batch: WriteBatch } {
  const file = join(mkdtempSync(join(tmpdir(), 'leaktriage-batch-')), 'batch.sqlite');
  const db = openDatabase(file);
  const batch = new WriteBatch(db, new RunRecord(db, ['dump.zip'], {}), () => {});
  // A second connection sees only what was committed.
  return { db, reader: openDatabase(file, { mode: 'read' }), batch };
}

function committedFailures(reader: Db): number {
  return (reader.prepare('SELECT count(*) AS n FROM failures').get() as { n: number }).n;
}

function addFailures(batch: WriteBatch, n: number): void {
  for (let i = 0; i < n; i++) {
    batch.addFailure({
      kind: 'failure',
      failure: { path: `dump.zip!/e${i}.eml`, offset: null, code: 'zip/overlapping-entries', reason: 'overlaps another entry' },
    });
  }
}

describe('WriteBatch', () => {
  it('commits once a transaction is full, and the rest when flushed', () => {
    const { db, reader, batch } = setup();
    addFailures(batch, WRITE_BATCH + 7);
    expect(committedFailures(reader)).toBe(WRITE_BATCH);
    expect(db.inTransaction).toBe(true);
    batch.flush();
    expect(db.inTransaction).toBe(false);
    expect(committedFailures(reader)).toBe(WRITE_BATCH + 7);
    reader.close();
    db.close();
  });

  it('commits after WRITE_BATCH_MS even when nothing more arrives', async () => {
    const { db, reader, batch } = setup();
    addFailures(batch, 3);
    expect(committedFailures(reader)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, WRITE_BATCH_MS + 300));
    expect(db.inTransaction).toBe(false);
    expect(committedFailures(reader)).toBe(3);
    reader.close();
    db.close();
  });

  it('rolls the open transaction back when a write fails, and says why', () => {
    const { db, reader, batch } = setup();
    addFailures(batch, 2);
    db.exec('DROP TABLE failures');
    expect(() => addFailures(batch, 1)).toThrow(/failures/);
    expect(db.inTransaction).toBe(false);
    // The drop was rolled back with the rest: nothing of that transaction was committed.
    expect(committedFailures(reader)).toBe(0);
    reader.close();
    db.close();
  });
});
