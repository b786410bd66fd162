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
import { deferIndexes, resumeSearchIndex, tryCatchUpSearchIndex } from '../store/search-index.ts';
import { buildDeferredIndexes, INDEXES_AFTER_ARCHIVE_PASS } from '../store/deferred-indexes.ts';
import { computeRoot, sealManifest } from '../store/manifest-repo.ts';
import { withTransaction } from '../store/transaction.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';
import { readInputsInThread } from './read-thread.ts';
import { KeyIndex } from '../verify/key-index.ts';
import type { LiveLookup, VerifyOptions } from '../verify/verify-message.ts';
import { ANALYSE_TIMEOUT_MS, MAX_WORKERS, WorkerPool } from './worker-pool.ts';
import { Dispatch } from './dispatch.ts';
import { ArchiveThread } from './archive-thread.ts';
import type { ArchivePassPhase } from './archive-pass.ts';
import { RunRecord } from './run-record.ts';
import type { ImportProgress, ImportSummary } from './run-record.ts';
import { WriteBatch } from './write-batch.ts';

export { TOOL_VERSION } from './run-record.ts';
export type { ImportProgress, ImportSummary } from './run-record.ts';
export { WRITE_BATCH } from './write-batch.ts';
export { IN_FLIGHT_BYTES } from './dispatch.ts';
export { MAX_WORKERS } from './worker-pool.ts';

export interface ImportOptions {
  /** Analysis threads, 0 = analyse on the main thread; default one per core; at most MAX_WORKERS (more are cut to it). */
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
  // One per core by default; never more than MAX_WORKERS, which keeps the import under 1 GB. The run
  // records the count asked for as it ran (null: the default).
  const workers = Math.min(options.workers ?? availableParallelism(), MAX_WORKERS);
  const asked = options.workers === undefined ? null : workers;
  const run = new RunRecord(db, paths, { dns: options.dnsLive ? 'live' : 'off', workers: asked }, options.onProgress);
  const keyRecords = loadAllKeys(db);
  const keys = new KeyIndex(keyRecords);
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
  // Into an empty database nothing but this connection reads it during the batches: the workers do
  // not ask it whether a message is known (below), so the batches may go through a rollback journal.
  const fresh = db.memory || !hasAnyMessage(db);
  const pool =
    workers > 0
      ? new WorkerPool(
          workers,
          // Into an empty database, the workers need not ask it whether a message is known: only this
          // run can have stored it, and the write batch sees that (0.5 CPU-s per 20,000 small messages).
          { keys: keyRecords, dnsLive: !!options.dnsLive, now, dbFile: fresh ? null : db.name },
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
  const dispatch = new Dispatch({ run, batch, pool, workers, verify, timeoutMs: options.timeoutMs ?? ANALYSE_TIMEOUT_MS });

  let status: 'completed' | 'interrupted' = 'completed';
  let archive: ArchiveThread | null = null;
  deferIndexes(db);
  // The workers of an import into a database that holds messages read it meanwhile: through the WAL.
  beginBulkWrites(db, { rollbackJournal: fresh });
  try {
    const items = pool
      ? readInputsInThread(paths, run.progress, (bytes) => run.setTotal(bytes), { onCpu: (ms) => (run.threadCpuMs.reader = ms) })
      : readInputs(paths, { progress: run.progress });
    for await (const item of items) {
      if (options.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      if (item.kind === 'message') {
        run.counts.messagesSeen++;
        await dispatch.submit(item.message.bytes, item.message.source, item.message.done);
      } else {
        addInputFailure(run, batch, item);
      }
      run.report();
    }
    // Every message is read: the archive pass's thread loads its code while the last ones are analysed
    // and written and the indexes are built (archive-thread.ts). Those took 0.3-0.4 s of the mixed
    // dump's import, with one core idle through most of it; the thread then took another 0.15 s.
    archive = ArchiveThread.start(db);
    await dispatch.drain();
    await measuring;
    batch.flush();
    await batch.endWriteback();
    // The batches are written: the rest of the import checkpoints at its commits, as before (database.ts).
    endBackgroundCheckpoints(db);
    // The workers' heaps (and their PDF sandboxes) are not needed by the archive pass: freed first.
    await pool?.close();
    if (pool) run.threadCpuMs.analysis = pool.cpuMs;
    run.endPhase('messages');
    // The indexes the archive pass reads; the full-text index is completed beside the pass, below.
    buildDeferredIndexes(db, INDEXES_AFTER_ARCHIVE_PASS);
    if (keyless) db.pragma('foreign_keys = ON');
    run.endPhase('indexes');
    // So is this connection's import page cache (database.ts): freed for the archive pass's thread.
    endBulkWrites(db);
    // The manifest is complete and the pass does not change it: its root is computed on this thread
    // while the pass runs on its own (0.8 s for 100,000 messages, which the import no longer waits for),
    // and then the messages not yet searchable are indexed here while the pass reads (indexBesidePass).
    // Both are awaited before either's failure is raised, so that the pass never outlives the import.
    const pass = new PassWatch();
    const [rooted, passed] = await Promise.allSettled([
      Promise.resolve()
        .then(() => computeRoot(db, run.runId))
        .then(async (root) => {
          await indexBesidePass(db, pass);
          return root;
        }),
      pass.watch(archive.run({ sharing: 'shared', onPhase: (phase) => pass.enter(phase) }, (ms) => (run.threadCpuMs.archive = ms))),
    ]);
    if (passed.status === 'rejected') throw passed.reason;
    if (rooted.status === 'rejected') throw rooted.reason;
    const root = rooted.value;
    // The rest of the full-text index, and the indexes on what the pass wrote, built over its
    // results (counted in the pass's time).
    resumeSearchIndex(db);
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
      await batch.endWriteback();
      endBulkWrites(db);
      if (keyless) db.pragma('foreign_keys = ON');
    } catch {
      // the database itself is failing; the error above says more
    }
    measuring = null;
    await pool?.close();
    await archive?.cancel();
  }
  run.report(true);
  return run.summary(status);
}

function addInputFailure(run: RunRecord, batch: WriteBatch, item: Extract<InputItem, { kind: 'failure' | 'skipped' }>): void {
  run.countFailure(item.kind, item.kind === 'failure' ? item.failure.code : item.code);
  batch.addFailure(item);
}

/** What the archive pass's thread has said of its progress, and a promise for its next word. */
class PassWatch {
  phase: 'starting' | ArchivePassPhase | 'ended' = 'starting';
  private wake: () => void = () => undefined;
  private next = this.renew();

  enter(phase: ArchivePassPhase | 'ended'): void {
    this.phase = phase;
    this.wake();
    this.next = this.renew();
  }

  /** Resolves at the pass's next phase, or after `ms`, whichever comes first. */
  async changed(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.next, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  watch<T>(pass: Promise<T>): Promise<T> {
    return pass.finally(() => this.enter('ended'));
  }

  private renew(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }
}

/**
 * Messages indexed for search per transaction beside the archive pass, at most. Each is a segment
 * of the full-text index, and the pass waits for the one being written before it writes its places
 * or its findings.
 */
const SEARCH_SLICE_BESIDE_PASS = 20_000;

/** The first slice while the pass works out its places: it measures how fast this dump's messages are indexed. */
const FIRST_SEARCH_SLICE = 2_000;

/**
 * How long a slice should hold the write lock while the pass works out its places, which it then
 * waits for the lock to write: each slice then is sized from the last one's rate to take about this
 * long. Slices of a fixed 20,000 took about 0.9 s of 100,000 small messages, but 1.7 s of the mixed
 * dump's, all of it in one slice begun 0.25 s before the pass wanted the lock for its places: the pass
 * waited for it, then read with this thread idle. While the pass reads, slices are of 20,000: sized
 * by time there too, those of 100,000 small messages wrote 3.37 GB instead of 3.01 (more segments
 * of the index, merged again), and took as long.
 */
const SEARCH_SLICE_MS = 500;

/**
 * Indexes messages for search on this thread while the archive pass reads from its snapshot on its
 * own (ArchivePassOptions 'shared'): the two then share the machine's cores, where the pass alone
 * left one idle. Never while the pass holds the write lock (its places, then its findings): a slice
 * starts only when the lock is free, so neither waits for the other for long. What is left when the
 * pass ends is indexed after it (resumeSearchIndex).
 *
 * Before, the main thread indexed in slices of 2,000 while it waited for its workers. Measured
 * against that (`node bench/run-bench.ts --child import`, the two alternated in the same hour):
 * 100,000 small messages 37.8 s against 43.0 (65 CPU-s against 74); the mixed dump 26.0-26.4 s
 * against 27.5 (26.7 with the pass shared but the slices kept); 1,000,000 small messages 440.1 and 446.9 s against 437.4 (651-716
 * CPU-s against 712), the messages 24-37 s shorter and the archive phase as much longer. At that
 * size a trace of the archive phase shows why: of its 108 s, the pass's places held the lock for
 * 15 s and its writes for 23 s, with this thread idle; it indexed for 42 s beside the reading, and
 * the last 28 s (the rest of the index, and the indexes on what the pass wrote) came after it.
 *
 * None while the pass's thread starts: its first step (facts left to backfill) takes the lock, and
 * slices begun then made the mixed dump's archive phase 2.27-2.78 s against 2.00-2.20 s (three pairs).
 */
async function indexBesidePass(db: Db, pass: PassWatch): Promise<void> {
  let placesSlice = FIRST_SEARCH_SLICE;
  for (;;) {
    const { phase } = pass;
    if (phase !== 'starting' && phase !== 'places' && phase !== 'placing' && phase !== 'reading') return;
    const limit = phase === 'places' ? placesSlice : phase === 'reading' ? SEARCH_SLICE_BESIDE_PASS : null;
    const started = performance.now();
    const n = limit === null ? null : tryCatchUpSearchIndex(db, limit);
    if (n === 0) return;
    if (n === null) {
      // No slice now (the pass is starting or holds the lock, or another writer has it): wait for its next word, or 100 ms.
      await pass.changed(100);
      continue;
    }
    if (phase === 'places') placesSlice = nextSlice(n, performance.now() - started);
    // A slice done: the next turn of the event loop hears the pass's news before another starts.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The size of the next slice while the pass works out its places, from the last one's: `n` messages in `ms`. */
function nextSlice(n: number, ms: number): number {
  return Math.max(FIRST_SEARCH_SLICE, Math.min(SEARCH_SLICE_BESIDE_PASS, Math.round((n * SEARCH_SLICE_MS) / Math.max(ms, 1))));
}
