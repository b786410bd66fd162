// The hash key of `messages` (migration 015: the unique index messages_sha256), which an import into
// an empty database drops and builds again at its end, as it does the other keys (deferred-indexes.ts).
// Present, every new message went into it at a random place, and at a million messages each commit
// wrote most of its pages again (bench/hash-key-cost.ts). While it is away:
//   - hashes stay unique because the only writer of messages keeps them so: the import that dropped
//     it looks each hash up in KnownMessages, which holds every message it stored;
//   - nobody else can write a message: any other import builds the key again before it writes
//     (takeMessageKey), and the import that dropped it sees that at its next transaction and goes on
//     with the key (WriteBatch);
//   - foreign keys that name messages (sha256) cannot be checked (SQLite needs the key for that): the
//     import writes with them off, and a review saved meanwhile is written with them off after its
//     own check that the message exists (withoutMessageKeyChecks);
//   - a killed import leaves the key recorded in deferred_indexes: the next writable open or import
//     builds it (restoreAbandonedIndexes, takeMessageKey).
// Looking a message up by its hash (the review server's message page, the export) scans the table
// meanwhile: slower, never wrong.
import type { Db } from './database.ts';
import { cachedStatement, withWriteLock } from './database.ts';

const MESSAGE_KEY = 'messages_sha256';
const MESSAGE_KEY_SQL = 'CREATE UNIQUE INDEX messages_sha256 ON messages (sha256)';

/**
 * Messages an import may hold in KnownMessages before it builds the key again and goes on with it:
 * 16 bytes a slot, at most half the slots used, so at most 64 MiB (2^22 slots) whatever the dump.
 */
export const MAX_KEYLESS_MESSAGES = 2_000_000;

export function messageKeyPresent(db: Db): boolean {
  return cachedStatement(db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(MESSAGE_KEY) !== undefined;
}

/**
 * At an import's start, in a write transaction of its own: drops the key when the database holds no
 * message (recorded in deferred_indexes, so that a kill leaves it to be built again), and builds it
 * when it is missing (another import dropped it and runs, or was killed). Returns whether this import
 * runs without it (then it must write with foreign keys off and keep hashes unique in KnownMessages).
 */
export function takeMessageKey(db: Db): boolean {
  return withWriteLock(db, () => {
    if (!messageKeyPresent(db)) {
      buildMessageKey(db);
      return false;
    }
    if (cachedStatement(db, 'SELECT 1 FROM messages LIMIT 1').get() !== undefined) return false;
    cachedStatement(db, 'INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)').run(MESSAGE_KEY, MESSAGE_KEY_SQL);
    db.exec(`DROP INDEX ${MESSAGE_KEY}`);
    return true;
  });
}

/** Builds the key if it is missing and forgets its record. Call inside a write transaction. */
export function buildMessageKey(db: Db): void {
  if (!messageKeyPresent(db)) db.exec(MESSAGE_KEY_SQL);
  cachedStatement(db, 'DELETE FROM deferred_indexes WHERE name = ?').run(MESSAGE_KEY);
}

/**
 * Runs `fn`, which writes a row naming a message by its hash, with foreign keys off if the key is away
 * (SQLite refuses such a write then, with "foreign key mismatch"); `fn` must check that the message
 * exists itself. Outside a transaction only: the setting cannot change inside one.
 */
export function withoutMessageKeyChecks<T>(db: Db, fn: () => T): T {
  if (db.inTransaction || messageKeyPresent(db) || db.pragma('foreign_keys', { simple: true }) === 0) return fn();
  db.pragma('foreign_keys = OFF');
  try {
    return fn();
  } finally {
    db.pragma('foreign_keys = ON');
  }
}

/**
 * The hashes of the messages an import stored while the key is away, each with its rowid: an
 * open-addressing table of the first 64 bits of each hash (SHA-256 bits are uniform, so they index it
 * directly). A match of those bits is confirmed against the stored row's hash, so two hashes that
 * share them are told apart, and an entry whose row a rollback took away is never taken for a message.
 */
export class KnownMessages {
  private slots = 1 << 16;
  private prefixes = new Uint32Array(this.slots * 2);
  private rowids = new Float64Array(this.slots);
  private count = 0;
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  get size(): number {
    return this.count;
  }

  /** The rowid of the stored message with this hash, if this import stored it. */
  find(sha256: string): number | undefined {
    const hi = parseInt(sha256.slice(0, 8), 16) >>> 0;
    const lo = parseInt(sha256.slice(8, 16), 16) >>> 0;
    const mask = this.slots - 1;
    for (let i = lo & mask; this.rowids[i] !== 0; i = (i + 1) & mask) {
      if (this.prefixes[2 * i] !== hi || this.prefixes[2 * i + 1] !== lo) continue;
      const rowid = this.rowids[i]!;
      const stored = cachedStatement(this.db, 'SELECT sha256 FROM messages WHERE rowid = ?').pluck().get(rowid);
      if (stored === sha256) return rowid;
    }
    return undefined;
  }

  /** Records a message just stored under `rowid` (rowids start at 1: 0 marks an empty slot). */
  add(sha256: string, rowid: number): void {
    if (2 * (this.count + 1) > this.slots) this.grow();
    this.place(parseInt(sha256.slice(0, 8), 16) >>> 0, parseInt(sha256.slice(8, 16), 16) >>> 0, rowid);
    this.count++;
  }

  private place(hi: number, lo: number, rowid: number): void {
    const mask = this.slots - 1;
    let i = lo & mask;
    while (this.rowids[i] !== 0) i = (i + 1) & mask;
    this.prefixes[2 * i] = hi;
    this.prefixes[2 * i + 1] = lo;
    this.rowids[i] = rowid;
  }

  private grow(): void {
    const { prefixes, rowids } = this;
    this.slots *= 2;
    this.prefixes = new Uint32Array(this.slots * 2);
    this.rowids = new Float64Array(this.slots);
    for (let i = 0; i < rowids.length; i++) if (rowids[i] !== 0) this.place(prefixes[2 * i]!, prefixes[2 * i + 1]!, rowids[i]!);
  }
}
