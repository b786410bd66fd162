// Results waiting to be written, and the one transaction that writes them. A message is stored
// once, by its hash: a copy found later (or analysed twice because two copies were in flight at
// once) only adds a source. Batches are cut by count and by bytes, so memory stays flat.
import type { AnalysedMessage, InputItem, KeyRecord, SourceRef } from '../model.ts';
import type { Db } from '../store/database.ts';
import { addSource, hasMessage, insertMessage } from '../store/messages-repo.ts';
import { recordFailure } from '../store/runs-repo.ts';
import { recordManifestEntries } from '../store/manifest-repo.ts';
import { withTransaction } from '../store/transaction.ts';
import { countBatch, markBatch } from '../store/search-index.ts';
import type { RunRecord } from './run-record.ts';

/** Messages written per transaction: large enough to amortise the commit, small enough to lose little when killed. */
export const WRITE_BATCH = 1000;

/**
 * Message bytes held for one transaction at most (large messages make smaller batches). What a batch
 * holds is several times its raw bytes (the parsed view, decoded text and HTML, facts, findings): on
 * the 20,000-message mixed dump (2.7 GB) a 32 MB cap peaked at 1,034 MB RSS, 8 MB at 550 MB, for the
 * same time. Small messages still fill 1,000 to a batch.
 */
export const WRITE_BATCH_BYTES = 8 * 1024 * 1024;

type WriteOp =
  | { kind: 'message'; a: AnalysedMessage; source: SourceRef }
  | { kind: 'source'; sha256: string; source: SourceRef }
  | { kind: 'failure'; item: Extract<InputItem, { kind: 'failure' | 'skipped' }>; sha256?: string };

export class WriteBatch {
  private ops: WriteOp[] = [];
  private bytes = 0;
  /** Messages in this batch, by hash: a second copy before the write only adds a source. */
  private readonly queued = new Set<string>();

  private readonly db: Db;
  private readonly run: RunRecord;
  /** Keys fetched from live DNS by the messages written, handed on after each write. */
  private readonly onKeys: (keys: KeyRecord[]) => void;

  constructor(db: Db, run: RunRecord, onKeys: (keys: KeyRecord[]) => void) {
    this.db = db;
    this.run = run;
    this.onKeys = onKeys;
  }

  /** Message bytes waiting in this batch. */
  get heldBytes(): number {
    return this.bytes;
  }

  isStored(sha256: string): boolean {
    return this.queued.has(sha256) || hasMessage(this.db, sha256);
  }

  addMessage(a: AnalysedMessage, source: SourceRef): void {
    // Only this batch is asked here: whether the store has it is asked once, in the write transaction.
    if (this.queued.has(a.sha256)) {
      this.addSource(a.sha256, source);
      return;
    }
    this.queued.add(a.sha256);
    this.ops.push({ kind: 'message', a, source });
    this.bytes += a.bytes.length;
    this.flushIfFull();
  }

  addSource(sha256: string, source: SourceRef): void {
    this.ops.push({ kind: 'source', sha256, source });
    this.flushIfFull();
  }

  addFailure(item: Extract<InputItem, { kind: 'failure' | 'skipped' }>, sha256?: string): void {
    this.ops.push({ kind: 'failure', item, ...(sha256 ? { sha256 } : {}) });
    // An input's own failure may end a full batch (a zip of thousands of refused entries otherwise
    // piles up until the next message); a message's failure waits for the message it comes with,
    // which follows at once, so that both are written in one transaction.
    if (sha256 === undefined) this.flushIfFull();
  }

  private flushIfFull(): void {
    if (this.ops.length >= WRITE_BATCH || this.bytes >= WRITE_BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.ops.length === 0) return;
    const batch = this.ops;
    this.ops = [];
    this.bytes = 0;
    this.queued.clear();
    const fetched: KeyRecord[] = [];
    const { db, run } = this;
    const counts = run.counts;
    // IMMEDIATE: this batch reads (hasMessage) before it writes; taking the write lock first makes
    // a second writer (another import, a review) queue instead of failing with "database is locked".
    withTransaction(db, () => {
      const mark = markBatch(db);
      // The run's manifest lists every message it read, new or already known (chain of custody).
      recordManifestEntries(
        db,
        run.runId,
        batch.flatMap((op) => (op.kind === 'message' ? [op.a.sha256] : op.kind === 'source' ? [op.sha256] : [])),
      );
      for (const op of batch) {
        if (op.kind === 'failure') {
          const it = op.item;
          const f = it.kind === 'failure' ? it.failure : { path: it.path, offset: null, code: it.code, reason: it.reason };
          recordFailure(db, run.runId, it.kind, f, op.sha256 ?? null);
        } else if (op.kind === 'source') {
          if (addSource(db, op.sha256, run.runId, op.source)) counts.sourcesNew++;
        } else {
          if (!hasMessage(db, op.a.sha256)) {
            insertMessage(db, run.runId, op.a);
            counts.messagesNew++;
          }
          if (addSource(db, op.a.sha256, run.runId, op.source)) counts.sourcesNew++;
          fetched.push(...op.a.verification.fetchedKeys);
        }
      }
      countBatch(db, mark);
      run.save();
    });
    if (fetched.length) this.onKeys(fetched);
  }
}
