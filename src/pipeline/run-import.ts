// An import run: readers -> workers (hash; known? : analyse) -> store, in batches of one transaction
// each. Killed half-way and run again, it completes: what was committed is recognised by its hash,
// what was not is done again; nothing is stored twice. The pieces: run-record.ts (counts, progress,
// how it ended), read-thread.ts (the readers off the main thread), dispatch.ts (where a message is
// analysed, back-pressure), worker-pool.ts (analysis under a time and memory limit), write-batch.ts
// (dedup by hash and the batched writes).
import { availableParallelism } from 'node:os';
import { resolveTxt } from 'node:dns/promises';
import type { InputItem } from '../model.ts';
import { beginBulkWrites, endBackgroundCheckpoints, endBulkWrites, type Db } from '../store/database.ts';
import { insertKeys, loadAllKeys } from '../store/keys-repo.ts';
import { hasAnyMessage } from '../store/messages-repo.ts';
import { takeMessageKey } from '../store/message-key.ts';
import { deferIndexes, resumeSearchIndex } from '../store/search-index.ts';
import { buildDeferredIndexes, INDEXES_AFTER_ARCHIVE_PASS } from '../store/deferred-indexes.ts';
import { computeRoot, sealManifest } from '../store/manifest-repo.ts';
import { withTransaction } from '../store/transaction.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';
import { readInputsInThread } from './read-thread.ts';
import { KeyIndex } from '../verify/key-index.ts';
import type { LiveLookup, VerifyOptions } from '../verify/verify-message.ts';
import { ANALYSE_TIMEOUT_MS, WorkerPool } from './worker-pool.ts';
import { Dispatch } from './dispatch.ts';
import { runArchiveChecksInThread } from './archive-thread.ts';
import { RunRecord } from './run-record.ts';
import type { ImportProgress, ImportSummary } from './run-record.ts';
import { WriteBatch } from './write-batch.ts';

export { TOOL_VERSION } from './run-record.ts';
export type { ImportProgress, ImportSummary } from './run-record.ts';
export { WRITE_BATCH } from './write-batch.ts';
export { IN_FLIGHT_BYTES } from './dispatch.ts';

export interface ImportOptions {
  /** 0 = analyse on the main thread; default: one per core, at most 4. */
  workers?: number;
  dnsLive?: boolean;
  /** The live DNS lookup used on the main thread (--workers 0); tests pass a fake one. Workers use node:dns. */
  liveLookup?: LiveLookup;
  onProgress?: (p: ImportProgress) => void;
  /** Unix seconds standing for "now" (tests fix it). */
  now?: number;
  /** Abort between messages (SIGINT): the run is recorded as interrupted. */
  signal?: AbortSignal;
  /** Longest analysis of one message, in ms (tests shorten it). */
  timeoutMs?: number;
}

export async function importPaths(db: Db, paths: string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const run = new RunRecord(db, paths, { dns: options.dnsLive ? 'live' : 'off', workers: options.workers ?? null }, options.onProgress);
  const keyRecords = loadAllKeys(db);
  const keys = new KeyIndex(keyRecords);
  const workers = options.workers ?? Math.min(4, availableParallelism());
  // The total (for the ETA) is measured while the import runs: walking a million files first took
  // about two minutes before the first message was read. With workers, the reader thread measures.
  let measuring: Promise<void> | null =
    workers > 0
      ? null
      : measureInputs(paths).then(
          (total) => {
            if (measuring) run.setTotal(total.bytes);
          },
          () => undefined,
        );
  const pool =
    workers > 0
      ? new WorkerPool(
          workers,
          // Into an empty database, the workers need not ask it whether a message is known: only this
          // run can have stored it, and the write batch sees that (0.5 CPU-s per 20,000 small messages).
          { keys: keyRecords, dnsLive: !!options.dnsLive, now, dbFile: db.memory || !hasAnyMessage(db) ? null : db.name },
          options.timeoutMs ?? ANALYSE_TIMEOUT_MS,
        )
      : null;
  // Into an empty database, the hash key of messages is built at the end, not row by row (message-key.ts).
  const keyless = takeMessageKey(db);
  // SQLite cannot check a reference to messages (sha256) without the key: every row this connection
  // writes has its message, and the key is back before the archive pass writes on its own connection.
  if (keyless) db.pragma('foreign_keys = OFF');
  const batch = new WriteBatch(
    db,
    run,
    (fetched) => {
      insertKeys(db, fetched);
      pool?.addKeys(fetched);
    },
    keyless,
  );
  const liveLookup = options.dnsLive ? (options.liveLookup ?? ((name: string) => resolveTxt(name))) : undefined;
  const verify: VerifyOptions = { keys, now, ...(liveLookup ? { liveLookup } : {}) };
  const dispatch = new Dispatch({ db, run, batch, pool, workers, verify, timeoutMs: options.timeoutMs ?? ANALYSE_TIMEOUT_MS });

  let status: 'completed' | 'interrupted' = 'completed';
  deferIndexes(db);
  beginBulkWrites(db);
  try {
    const items = pool
      ? readInputsInThread(paths, run.progress, (bytes) => run.setTotal(bytes))
      : readInputs(paths, { progress: run.progress });
    for await (const item of items) {
      if (options.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      if (item.kind === 'message') {
        run.counts.messagesSeen++;
        await dispatch.submit(item.message.bytes, item.message.source);
      } else {
        addInputFailure(run, batch, item);
      }
      run.report();
    }
    await dispatch.drain();
    await measuring;
    batch.flush();
    // The batches are written: the rest of the import checkpoints at its commits, as before (database.ts).
    endBackgroundCheckpoints(db);
    // The workers' heaps (and their PDF sandboxes) are not needed by the archive pass: freed first.
    await pool?.close();
    run.endPhase('messages');
    resumeSearchIndex(db, INDEXES_AFTER_ARCHIVE_PASS);
    if (keyless) db.pragma('foreign_keys = ON');
    run.endPhase('indexes');
    // So is this connection's import page cache (database.ts): freed for the archive pass's thread.
    endBulkWrites(db);
    // The manifest is complete and the pass does not change it: its root is computed on this thread
    // while the pass runs on its own (0.8 s for 100,000 messages, which the import no longer waits for).
    // Both are awaited before either's failure is raised, so that the pass never outlives the import.
    const [rooted, passed] = await Promise.allSettled([
      Promise.resolve().then(() => computeRoot(db, run.runId)),
      runArchiveChecksInThread(db),
    ]);
    if (passed.status === 'rejected') throw passed.reason;
    if (rooted.status === 'rejected') throw rooted.reason;
    const root = rooted.value;
    // The indexes on what the pass wrote, built over its results (counted in the pass's time).
    buildDeferredIndexes(db);
    run.endPhase('archive');
    withTransaction(db, () => sealManifest(db, run.runId, root));
    run.finish(status, status === 'interrupted' ? 'stopped by the user before the end' : undefined);
  } catch (err) {
    // A programming error: record what was done, mark the run failed, then let it surface.
    try {
      batch.flush();
      resumeSearchIndex(db);
      run.finish('failed', String((err as Error).stack ?? err));
    } catch {
      // the database itself is failing; the original error says more
    }
    throw err;
  } finally {
    try {
      endBulkWrites(db);
      if (keyless) db.pragma('foreign_keys = ON');
    } catch {
      // the database itself is failing; the error above says more
    }
    measuring = null;
    await pool?.close();
  }
  run.report(true);
  return run.summary(status);
}

function addInputFailure(run: RunRecord, batch: WriteBatch, item: Extract<InputItem, { kind: 'failure' | 'skipped' }>): void {
  run.countFailure(item.kind, item.kind === 'failure' ? item.failure.code : item.code);
  batch.addFailure(item);
}
