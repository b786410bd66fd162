// The import's WAL checkpoints run in a thread of their own (src/store/checkpoint-thread.ts): the
// WAL is still copied into the database and started again past its limit, the database stays whole,
// a reader on an old snapshot makes the writer wait for nothing, and a thread that cannot work hands
// the checkpoints back to the connection.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackgroundCheckpoints, WAL_LIMIT_BYTES } from '../../src/store/checkpoint-thread.ts';
import {
  beginBulkWrites,
  beginWrite,
  commitWrite,
  endBackgroundCheckpoints,
  endBulkWrites,
  openDatabase,
  WAL_CHECKPOINT_PAGES,
} from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'lt-checkpoints-'));
const PAGE = 16 * 1024;
const MB = 1024 * 1024;

/** A plain table in a leaktriage database file (16 KiB pages, WAL). */
function open(name: string): Db {
  const db = openDatabase(join(dir, name));
  db.exec('CREATE TABLE blobs (n INTEGER PRIMARY KEY, bytes BLOB NOT NULL)');
  return db;
}

/** `batches` transactions of `perBatch` rows of 16 KiB each; afterCommit after each commit when a thread is given. */
function writeBatches(db: Db, thread: BackgroundCheckpoints | null, batches: number, perBatch: number, onCommit?: () => void): void {
  const insert = db.prepare('INSERT INTO blobs (bytes) VALUES (?)');
  for (let b = 0; b < batches; b++) {
    db.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < perBatch; i++) insert.run(Buffer.alloc(PAGE, (b * perBatch + i) % 251));
    db.exec('COMMIT');
    thread?.afterCommit();
    onCommit?.();
  }
}

const walBytes = (db: Db): number => statSync(`${db.name}-wal`).size;

/**
 * Whether every committed page is in the database file: a checkpoint that copied the whole WAL sets
 * the file to the database's size; pages still only in the WAL leave it shorter. Read without
 * checkpointing, so it says what the thread did.
 */
const fileHoldsEverything = (db: Db): boolean => statSync(db.name).size === (db.pragma('page_count', { simple: true }) as number) * PAGE;

/** Frames in the WAL and how many of them are copied into the database (a PASSIVE checkpoint from `db`). */
function checkpointState(db: Db): { log: number; checkpointed: number } {
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
  return row!;
}

describe('checkpoints in a thread', () => {
  it('copies the WAL into the database from a connection of its own, so the WAL starts again instead of growing', () => {
    const db = open('a.sqlite');
    const thread = BackgroundCheckpoints.start(db, WAL_CHECKPOINT_PAGES, 2 * MB)!;
    expect(thread.waitUntilReady(10_000)).toBe(true);
    // The connection checkpoints itself only past twice the limit meanwhile (4 MB of 16 KiB pages).
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(256);
    let largestWal = 0;
    // 40 batches of 1 MB: 40 MB through a WAL limited to 2 MB. Each batch waits for its checkpoint,
    // as an import's batches (a second or more each) do in practice: the thread's view of the WAL is fresh.
    writeBatches(db, thread, 40, 64, () => {
      expect(thread.settle(10_000)).toBe(true);
      largestWal = Math.max(largestWal, walBytes(db));
    });
    expect(thread.running).toBe(true);
    thread.stop();
    expect(thread.running).toBe(false);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    // The limit and a batch or two beyond it, far below the 40 MB written.
    expect(largestWal).toBeLessThan(6 * MB);
    // Everything committed was copied into the database file by the thread (stop runs a last checkpoint).
    expect(statSync(db.name).size).toBeGreaterThan(40 * 64 * PAGE);
    expect(fileHoldsEverything(db)).toBe(true);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(40 * 64);
    db.close();
  });

  it('does not hold the writer while a reader keeps an old snapshot, and starts the WAL again once it is gone', () => {
    const db = open('r.sqlite');
    writeBatches(db, null, 1, 4);
    const reader = new Database(db.name, { readonly: true });
    const snapshot = reader.prepare('SELECT count(*) FROM blobs').pluck();
    reader.exec('BEGIN');
    expect(snapshot.get()).toBe(4);
    const thread = BackgroundCheckpoints.start(db, WAL_CHECKPOINT_PAGES, 2 * MB)!;
    expect(thread.waitUntilReady(10_000)).toBe(true);
    // 12 MB past a 2 MB limit that nothing can be copied under: each commit waits for one
    // checkpoint, which copies nothing and returns at once; the WAL grows meanwhile.
    const started = Date.now();
    writeBatches(db, thread, 12, 64);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(walBytes(db)).toBeGreaterThan(12 * MB);
    expect(snapshot.get()).toBe(4);
    reader.exec('COMMIT');
    reader.close();
    // The reader gone: the next commits copy everything, and the WAL starts again from its beginning.
    writeBatches(db, thread, 3, 64, () => expect(thread.settle(10_000)).toBe(true));
    const row = checkpointState(db);
    expect(row.log).toBeLessThanOrEqual(2 * 64 + 8);
    thread.stop();
    expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(4 + 15 * 64);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('keeps commits made without afterCommit bounded by the limit too', () => {
    const db = open('c.sqlite');
    const thread = BackgroundCheckpoints.start(db, WAL_CHECKPOINT_PAGES, 2 * MB)!;
    expect(thread.waitUntilReady(10_000)).toBe(true);
    // The search index's slices commit through withWriteLock, which does not ask the thread: the
    // connection's own automatic checkpoint (at twice the limit) keeps the WAL from growing.
    writeBatches(db, null, 40, 64);
    expect(walBytes(db)).toBeLessThan(6 * MB);
    thread.stop();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('gives the checkpoints back to the connection when the thread cannot open the database', async () => {
    const db = open('b.sqlite');
    const file = db.name;
    const thread = BackgroundCheckpoints.start(db, WAL_CHECKPOINT_PAGES, MB)!;
    // Moved away before the thread opens it (it asks for an existing file): it fails.
    renameSync(file, `${file}.moved`);
    try {
      const until = Date.now() + 10_000;
      while (thread.running && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
        thread.afterCommit();
      }
      expect(thread.running).toBe(false);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
      // The import goes on, checkpointing as it commits.
      writeBatches(db, thread, 4, 64);
      expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(256);
      thread.stop();
    } finally {
      renameSync(`${file}.moved`, file);
    }
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('is not started for a database in memory', () => {
    const db = new Database(':memory:');
    expect(BackgroundCheckpoints.start(db, WAL_CHECKPOINT_PAGES)).toBeNull();
    db.close();
  });

  it('runs between beginBulkWrites and endBulkWrites from the second commit on, asked by commitWrite', () => {
    const db = open('d.sqlite');
    beginBulkWrites(db);
    const commit = (b: number): void => {
      beginWrite(db);
      db.prepare('INSERT INTO blobs (bytes) VALUES (?)').run(Buffer.alloc(PAGE, b));
      commitWrite(db);
    };
    // One commit (a small import) starts no thread: the connection checkpoints itself as usual.
    commit(0);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    commit(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe((2 * WAL_LIMIT_BYTES) / PAGE);
    commit(2);
    endBulkWrites(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    // endBulkWrites waited for the thread's last checkpoint: everything is in the database file.
    expect(fileHoldsEverything(db)).toBe(true);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(3);
    // Another import on the same connection starts over: one commit, no thread.
    beginBulkWrites(db);
    commit(3);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    commit(4);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe((2 * WAL_LIMIT_BYTES) / PAGE);
    // Its batches written, the import ends the thread; the commits after it start none.
    endBackgroundCheckpoints(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    commit(5);
    commit(6);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_PAGES);
    endBulkWrites(db);
    expect(db.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(7);
    db.close();
  });
});
