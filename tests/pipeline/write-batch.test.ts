// The import writes on arrival, into a transaction committed by count, by time and at the end: a
// run of input failures (a zip of thousands of refused entries) is committed as it grows, a quiet
// spell does not keep the write lock, and a failed write rolls back instead of committing half.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { beginBulkWrites, endBulkWrites, openDatabase, writesThroughRollbackJournal } from '../../src/store/database.ts';
import { RunRecord } from '../../src/pipeline/run-record.ts';
import { WRITE_BATCH, WRITE_BATCH_BYTES, WRITE_BATCH_BYTES_ROLLBACK, WRITE_BATCH_MS, WriteBatch } from '../../src/pipeline/write-batch.ts';
import { encodeAnalysis } from '../../src/pipeline/worker-protocol.ts';
import { analyse } from '../helpers/fixture-db.ts';

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

/**
 * Adds `n` messages of one MiB each (the fixture's rows under a hash of their own, stored with a MiB
 * of bytes); returns how many commits the batch made meanwhile.
 */
function addMessages(db: Db, batch: WriteBatch, n: number): number {
  const rows = encodeAnalysis(analyse({}), 0).rows;
  let commits = 0;
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    if (sql === 'COMMIT') commits++;
    return exec(sql);
  };
  try {
    for (let i = 0; i < n; i++) {
      const bytes = Buffer.alloc(1024 * 1024, i % 251);
      const sha256 = createHash('sha256').update(bytes).update(String(i)).digest('hex');
      batch.addMessage({ rows: { ...rows, sha256, size: bytes.length }, bodyParser: 'walk', verifiedBy: 'own', fetchedKeys: [] }, bytes, {
        path: `m${i}.eml`,
        container: null,
        mailbox: null,
        folder: null,
        offset: null,
        length: bytes.length,
      });
    }
  } finally {
    db.exec = exec;
  }
  return commits;
}

afterEach(() => void vi.useRealTimers());

describe('WriteBatch', () => {
  it('commits by bytes: every WRITE_BATCH_BYTES through the WAL, every WRITE_BATCH_BYTES_ROLLBACK through a rollback journal', () => {
    // Time stands still: only the bytes can end a transaction here, however slow the machine.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const mib = WRITE_BATCH_BYTES / (1024 * 1024);
    expect(WRITE_BATCH_BYTES_ROLLBACK).toBeGreaterThan(WRITE_BATCH_BYTES + 1024 * 1024);

    const wal = setup();
    wal.reader.close();
    expect(addMessages(wal.db, wal.batch, mib + 1)).toBe(1);
    wal.batch.flush();
    wal.db.close();

    const rollback = setup();
    rollback.reader.close();
    beginBulkWrites(rollback.db, { rollbackJournal: true });
    expect(writesThroughRollbackJournal(rollback.db)).toBe(true);
    expect(addMessages(rollback.db, rollback.batch, mib + 1)).toBe(0);
    expect(rollback.db.inTransaction).toBe(true);
    rollback.batch.flush();
    expect(rollback.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(mib + 1);
    endBulkWrites(rollback.db);
    rollback.db.close();
  });

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
