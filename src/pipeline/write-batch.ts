// The import's writes: each analysis is written as it arrives, into a transaction that stays open
// until enough is written (by count, bytes or time) and is then committed. A message is stored once,
// by its hash: a copy found later (or analysed twice because two copies were in flight at once) only
// adds a source. Writing on arrival means no batch of analyses waits in memory for its transaction
// (what one holds is several times its raw bytes: parsed view, decoded text and HTML, facts,
// findings); the transaction's pages wait in SQLite's page cache instead, which has a fixed size
// and spills to the WAL. Larger transactions dirty each page of the hash-keyed indexes fewer times.
// 100,000 small messages (2 workers, same hour): batches of 1,000 held in memory 103.5 s, 663 MB
// peak RSS, 15.1 GB written; 4,000 held in memory 99.5 s, 945 MB, 11.9 GB; on arrival, 5,000 or
// 2 s per transaction 95.6 s, 555 MB, 12.3 GB; 10,000 or 5 s 89.9 s, 539 MB, 11.5 GB. The mixed
// dump took the same time either way (52-56 s, noisy), its peak RSS 643-671 MB (was 745 MB). The
// time limit is 3 s, not 5: a review saved during an import waits for the lock that long at most.
import type { InputItem, KeyRecord, SourceRef } from '../model.ts';
import type { EncodedAnalysis } from './worker-protocol.ts';
import { beginWrite, commitWrite, rollbackWrite, writesThroughRollbackJournal, type Db } from '../store/database.ts';
import { addSource, findMessageRowid, insertMessageRows } from '../store/messages-repo.ts';
import { KnownMessages, MAX_KEYLESS_MESSAGES, buildMessageKey, messageKeyPresent } from '../store/message-key.ts';
import { recordFailure } from '../store/runs-repo.ts';
import { recordManifestEntries } from '../store/manifest-repo.ts';
import { countBatch, markBatch, type BatchMark } from '../store/search-index.ts';
import { EarlyWriteback } from '../store/early-writeback.ts';
import type { RunRecord } from './run-record.ts';

/** Messages (and failures, sources) written per transaction at most: at most this many are redone after a kill. */
export const WRITE_BATCH = 10000;

/**
 * Message bytes written per transaction at most through the WAL (large messages make smaller
 * transactions); the WAL grows by about this much before a commit. WRITE_BATCH_BYTES_ROLLBACK through a rollback journal.
 */
export const WRITE_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Longest a transaction stays open: another writer (the review server saving a review, another
 * import) waits at most about this long for the lock, and the review server's progress is this fresh.
 */
export const WRITE_BATCH_MS = 3000;

/**
 * The same while the import writes through a rollback journal (database.ts, leaveWal): then a
 * reader, such as a review server started meanwhile, waits for the commit too, and at most about
 * this long. 100,000 small messages took the same time with 1 s as with 3 s (34.3-37.7 s, 35.8-36.9 s).
 */
export const WRITE_BATCH_MS_ROLLBACK = 1000;

/**
 * WRITE_BATCH_BYTES while the import writes through a rollback journal, which does not grow with the
 * message bytes (they fill new pages, which need none): a transaction then ends at WRITE_BATCH_MS_ROLLBACK
 * or WRITE_BATCH first, as a rule. Each commit held the main thread about 60 ms whatever its size
 * (the journal's syncs and the file's, which the early writeback had mostly done: each waits for
 * the disk), and the analysis workers ran out of work meanwhile. Mixed dump of `npm run bench`
 * (2026-12-05, two runs each): 41 commits in 2.7-3.1 s with 64 MB, the workers idle 2.1-2.4 s
 * between messages; 21 in 1.3-1.4 s and 1.5-1.6 s with 128 MB; 13 in 0.8 s and 1.2-1.4 s with
 * 256 MB. A kill redoes at most a second of the import either way.
 */
export const WRITE_BATCH_BYTES_ROLLBACK = 256 * 1024 * 1024;

/** A transaction's limits through the WAL, and through a rollback journal. */
const WAL_LIMITS = { ms: WRITE_BATCH_MS, bytes: WRITE_BATCH_BYTES };
const ROLLBACK_LIMITS = { ms: WRITE_BATCH_MS_ROLLBACK, bytes: WRITE_BATCH_BYTES_ROLLBACK };

export class WriteBatch {
  /** Where the tables ended when the open transaction began (its summary counts are added at commit); null: none open. */
  private mark: BatchMark | null = null;
  private ops = 0;
  private bytes = 0;
  private openedAt = 0;
  /** How long the open transaction may stay open and how many message bytes it may write: through the WAL or a rollback journal. */
  private limits = WAL_LIMITS;
  private timer: NodeJS.Timeout | null = null;
  /** Keys fetched from live DNS by the messages written, handed on after the commit. */
  private fetched: KeyRecord[] = [];
  /** A commit the timer attempted failed: thrown by the next call. */
  private timerError: unknown = null;
  /** Each source the open transaction added, with its message's rowid (countBatch). */
  private sources: [number, number][] = [];
  /** Through a rollback journal: the disk writes of the pages written, started before the commits. */
  private writeback: EarlyWriteback | null = null;
  /**
   * While the hash key of messages is away (message-key.ts): every message this import stored, by
   * hash. Null with the key: hashes are looked up in it.
   */
  private known: KnownMessages | null;

  private readonly keylessLimit: number;
  private readonly db: Db;
  private readonly run: RunRecord;
  private readonly onKeys: (keys: KeyRecord[]) => void;

  /**
   * `keyless`: this import dropped the hash key of messages (takeMessageKey) and writes without it,
   * until it has stored `keylessLimit` messages.
   */
  constructor(db: Db, run: RunRecord, onKeys: (keys: KeyRecord[]) => void, keyless = false, keylessLimit = MAX_KEYLESS_MESSAGES) {
    this.db = db;
    this.run = run;
    this.onKeys = onKeys;
    this.known = keyless ? new KnownMessages(db) : null;
    this.keylessLimit = keylessLimit;
  }

  /** Whether a message with this hash is stored (committed, or written by the open transaction). */
  isStored(sha256: string): boolean {
    return this.rowidOf(sha256) !== undefined;
  }

  private rowidOf(sha256: string): number | undefined {
    return this.known ? this.known.find(sha256) : findMessageRowid(this.db, sha256);
  }

  /** A message analysed (its rows encoded: worker-protocol.ts encodeAnalysis), with its bytes and where it was found. */
  addMessage(a: EncodedAnalysis, bytes: Buffer, source: SourceRef): void {
    const { sha256 } = a.rows;
    this.write(bytes.length, true, () => {
      const counts = this.run.counts;
      recordManifestEntries(this.db, this.run.runId, [sha256]);
      let rowid = this.rowidOf(sha256);
      if (rowid === undefined) {
        rowid = insertMessageRows(this.db, this.run.runId, a.rows, bytes);
        this.known?.add(sha256, rowid);
        counts.messagesNew++;
      }
      this.addSourceOf(sha256, rowid, source);
      if (a.fetchedKeys.length) this.fetched.push(...a.fetchedKeys);
    });
  }

  addSource(sha256: string, source: SourceRef): void {
    this.write(0, true, () => {
      // The run's manifest lists every message it read, new or already known (chain of custody).
      recordManifestEntries(this.db, this.run.runId, [sha256]);
      const rowid = this.rowidOf(sha256);
      if (rowid === undefined) throw new Error(`a source of message ${sha256}, which is not stored`);
      this.addSourceOf(sha256, rowid, source);
    });
  }

  private addSourceOf(sha256: string, rowid: number, source: SourceRef): void {
    const id = addSource(this.db, sha256, this.run.runId, source);
    if (id === null) return;
    this.run.counts.sourcesNew++;
    this.sources.push([id, rowid]);
  }

  /** An input's failure, or a message's (with its hash; the message itself is added right after). */
  addFailure(item: Extract<InputItem, { kind: 'failure' | 'skipped' }>, sha256?: string): void {
    // A message's failure is followed at once by the message: both go in one transaction.
    this.write(0, sha256 === undefined, () => {
      const f = item.kind === 'failure' ? item.failure : { path: item.path, offset: null, code: item.code, reason: item.reason };
      recordFailure(this.db, this.run.runId, item.kind, f, sha256 ?? null);
    });
  }

  /** Runs one write in the open transaction (beginning one if needed) and commits once it is full. */
  private write(bytes: number, mayCommit: boolean, fn: () => void): void {
    this.throwTimerError();
    if (this.mark === null) this.open();
    try {
      fn();
    } catch (error) {
      this.abandon();
      throw error;
    }
    this.ops++;
    this.bytes += bytes;
    this.writeback?.wrote(bytes);
    if (mayCommit && (this.ops >= WRITE_BATCH || this.bytes >= this.limits.bytes || Date.now() - this.openedAt >= this.limits.ms))
      this.flush();
  }

  private open(): void {
    // IMMEDIATE: the writes read (is the hash stored?) before they write; taking the write lock first makes a
    // second writer (another import, a review) queue instead of failing with "database is locked".
    beginWrite(this.db);
    try {
      this.mark = markBatch(this.db);
      if (this.known) this.takeKeyBack();
    } catch (error) {
      rollbackWrite(this.db);
      throw error;
    }
    this.openedAt = Date.now();
    const rollback = writesThroughRollbackJournal(this.db);
    this.limits = rollback ? ROLLBACK_LIMITS : WAL_LIMITS;
    if (rollback) this.writeback ??= new EarlyWriteback(this.db.name);
    // Analyses may stop arriving for a while (a slow message): the lock is not held meanwhile.
    this.timer = setTimeout(() => {
      try {
        this.flush();
      } catch (error) {
        // Thrown by the next write or flush, in the import's own flow, not as an uncaught exception.
        this.timerError ??= error;
      }
    }, this.limits.ms);
    this.timer.unref();
  }

  /**
   * Goes on with the hash key of messages once another import has built it again (it does so before it
   * writes: from then on, only the key knows its messages too), or builds it now once this import has
   * stored keylessLimit messages (memory stays bounded). Inside the transaction, under the write lock.
   */
  private takeKeyBack(): void {
    if (!messageKeyPresent(this.db)) {
      if (this.known!.size < this.keylessLimit) return;
      buildMessageKey(this.db);
    }
    this.known = null;
  }

  private throwTimerError(): void {
    const error = this.timerError;
    this.timerError = null;
    if (error !== null) throw error;
  }

  /** Commits what the open transaction wrote, if anything. */
  flush(): void {
    this.throwTimerError();
    const mark = this.mark;
    if (mark === null) return;
    try {
      countBatch(this.db, mark, this.sources);
      this.run.save();
      commitWrite(this.db);
    } catch (error) {
      this.abandon();
      throw error;
    }
    this.reset();
    const fetched = this.fetched;
    this.fetched = [];
    if (fetched.length) this.onKeys(fetched);
  }

  /**
   * After the last flush: waits for the early disk writes under way and closes their file, which is
   * safe while no transaction is open (early-writeback.ts; while an import writes through a rollback
   * journal, its connection is the only one of the process on the database).
   */
  async endWriteback(): Promise<void> {
    const writeback = this.writeback;
    this.writeback = null;
    await writeback?.end(() => !this.db.inTransaction);
  }

  /** Rolls the open transaction back (a write failed: the import stops with that error). */
  private abandon(): void {
    try {
      rollbackWrite(this.db);
    } finally {
      this.fetched = [];
      this.reset();
    }
  }

  private reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.mark = null;
    this.ops = 0;
    this.bytes = 0;
    this.sources = [];
  }
}
