// An import's WAL checkpoints, in a thread of their own. SQLite copies the WAL back into the
// database (a checkpoint) on the connection that commits, and waits there for the disk (fsync of
// the WAL, then of the database). During an import that connection is the main thread, which also
// hands messages to the analysis workers and writes their answers: while it waited, the workers ran
// out of work. In a CPU profile of 20,000 small messages the main thread spent 3.9 s of its 32 s in
// COMMIT; on the mixed dump more than half of a message's write was waiting for the disk.
//
// During an import this thread checkpoints instead (PASSIVE: it never takes a lock the writer needs
// and never waits for one), on a connection of its own, asked after each commit through shared
// memory. SQLite starts the WAL again from its beginning only when a write transaction begins after
// every committed page was copied; the writer begins its next batch at once, so the WAL grows while
// the thread copies. Past WAL_LIMIT_BYTES the writer waits after a commit for the checkpoint that
// copies the rest, and its next batch restarts the WAL: the WAL stays below about that limit plus one
// batch. The connection's own automatic checkpoints are set to twice that limit meanwhile, so that
// commits made outside commitWrite (the search index's slices, written between batches) are bounded
// too. The import ends the thread once its batches are written (endBackgroundCheckpoints); the index
// builds and the archive pass after them checkpoint at their commits.
// If the thread cannot start or fails, the connection's usual automatic checkpoints come back and
// the import goes on as before.
import { isMainThread, type Worker, workerData } from 'node:worker_threads';
import { startThread } from '../common/start-thread.ts';
import Database from 'better-sqlite3';

/**
 * WAL size past which the writer waits for the thread to catch up (see above). Paired runs on
 * 2026-12-01, alternating with the connection checkpointing itself every 16 MB: the mixed dump
 * 63.7-66.7 s against 67.8-71.7 s (three pairs; two more with the safety checkpoints off, below:
 * 65.8 and 63.5 s against 76.2 and 71.0 s); small messages no faster (20,000: 26.6-29.7 s against
 * 27.4-28.4 s; 100,000: 125.4 s against 122.9 s) and about 5 % more CPU: their import is
 * CPU-bound, the cores busy either way. An earlier
 * version that let the WAL reach 512 MB made small messages slower: the writer waited for long copies.
 */
export const WAL_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * The connection's own automatic checkpoints meanwhile, in multiples of the limit: only for commits
 * that do not ask the thread (the search index's slices). At the limit itself they
 * would run on the writer at the commit that crosses it, before the thread is asked: on the mixed
 * dump that gave back most of the gain (two pairs: 73.2 and 70.4 s against 72.4 and 77.0 s).
 */
const SAFETY_FACTOR = 2;

/** The longest the writer waits for one checkpoint, or for the thread to close, before it goes on without. */
const WAIT_MS = 120_000;

/** Slots of the shared Int32Array. */
const REQUESTED = 0; // checkpoints asked for (the writer adds one after each commit)
const DONE = 1; // the request the last finished checkpoint served
const STOP = 2; // 1: close the connection and end
const CLOSED = 3; // 1: the thread has closed its connection (or never opened one)
const FAILED = 4; // 1: the thread failed; the writer checkpoints itself again
const LOG = 5; // WAL frames when the last checkpoint ran
const COPIED = 6; // of which copied into the database
const READY = 7; // 1: the thread has opened its connection
const SLOTS = 8;

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'checkpoints') {
  const { dbFile, state } = workerData as { dbFile: string; state: SharedArrayBuffer };
  const s = new Int32Array(state);
  let db: Database.Database | null = null;
  try {
    db = new Database(dbFile, { fileMustExist: true });
    Atomics.store(s, READY, 1);
    Atomics.notify(s, DONE);
    for (;;) {
      const served = Atomics.load(s, DONE);
      while (Atomics.load(s, REQUESTED) === served && Atomics.load(s, STOP) === 0) Atomics.wait(s, REQUESTED, served);
      const request = Atomics.load(s, REQUESTED);
      // PASSIVE: copies what no reader still needs, never waits for a lock, never blocks the writer.
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
      Atomics.store(s, LOG, row!.log);
      Atomics.store(s, COPIED, row!.checkpointed);
      Atomics.store(s, DONE, request);
      Atomics.notify(s, DONE);
      if (Atomics.load(s, STOP) === 1 && Atomics.load(s, REQUESTED) === request) break;
    }
  } catch {
    Atomics.store(s, FAILED, 1);
  } finally {
    try {
      db?.close();
    } finally {
      Atomics.store(s, CLOSED, 1);
      Atomics.notify(s, DONE);
    }
  }
}

/**
 * Checkpoints of one connection's WAL in a thread, from start() until stop(). Meanwhile the
 * connection checkpoints itself only past twice the limit; stop() (or a failure of the thread) sets its
 * automatic checkpoints back to `autoPages`.
 */
export class BackgroundCheckpoints {
  private readonly state = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly db: Database.Database;
  private readonly autoPages: number;
  private readonly limitFrames: number;
  private worker: Worker | null;

  private constructor(db: Database.Database, autoPages: number, limitBytes: number) {
    this.db = db;
    this.autoPages = autoPages;
    this.limitFrames = Math.max(1, Math.ceil(limitBytes / (db.pragma('page_size', { simple: true }) as number)));
    db.pragma(`wal_autocheckpoint = ${SAFETY_FACTOR * this.limitFrames}`);
    this.worker = startThread(new URL(import.meta.url), {
      workerData: { role: 'checkpoints', dbFile: db.name, state: this.state.buffer },
      resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
    });
    // A thread that cannot start or dies: the connection checkpoints itself again (see fallBack).
    this.worker.on('error', () => Atomics.store(this.state, FAILED, 1));
    this.worker.on('exit', () => {
      Atomics.store(this.state, CLOSED, 1);
      if (Atomics.load(this.state, STOP) === 0) Atomics.store(this.state, FAILED, 1);
    });
    this.worker.unref();
  }

  /**
   * Starts the thread for a connection to a file in WAL mode; null for one that has no WAL (in
   * memory), or when no thread could be made (the connection then checkpoints itself as before).
   */
  static start(db: Database.Database, autoPages: number, limitBytes = WAL_LIMIT_BYTES): BackgroundCheckpoints | null {
    if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
    try {
      return new BackgroundCheckpoints(db, autoPages, limitBytes);
    } catch {
      handBack(db, autoPages);
      return null;
    }
  }

  /** Whether checkpoints still run in the thread (false once stopped, or after it failed). */
  get running(): boolean {
    return this.worker !== null && Atomics.load(this.state, FAILED) === 0;
  }

  /** Waits until the thread has opened its connection (or failed); whether it did. */
  waitUntilReady(timeoutMs: number): boolean {
    this.waitUntil(() => Atomics.load(this.state, READY) === 1 || this.ended(), timeoutMs);
    return this.running && Atomics.load(this.state, READY) === 1;
  }

  /** After each commit: asks for a checkpoint, and past the WAL limit waits until it has run. */
  afterCommit(): void {
    if (this.fallBack()) return;
    const request = Atomics.add(this.state, REQUESTED, 1) + 1;
    Atomics.notify(this.state, REQUESTED);
    if (Atomics.load(this.state, LOG) < this.limitFrames) return;
    if (!this.waitFor(request)) return;
    // Copied to the end: the next write transaction starts the WAL again, and the size the thread
    // reported no longer holds. It is idle now (its request is served), so the slot is ours to reset.
    // A reader on an older snapshot may have kept the copy short: the size stands, and the next
    // commit waits for the next checkpoint (a short one, as little is left to copy).
    if (Atomics.load(this.state, COPIED) >= Atomics.load(this.state, LOG)) Atomics.store(this.state, LOG, 0);
  }

  /** Waits until every checkpoint asked for so far is done; false if the thread failed or took longer than `timeoutMs`. */
  settle(timeoutMs = WAIT_MS): boolean {
    return this.running && this.waitFor(Atomics.load(this.state, REQUESTED), timeoutMs);
  }

  /** Ends the thread (after a last checkpoint) and gives the connection its automatic checkpoints back. */
  stop(): void {
    if (this.worker === null) return;
    Atomics.store(this.state, STOP, 1);
    Atomics.add(this.state, REQUESTED, 1);
    Atomics.notify(this.state, REQUESTED);
    this.waitUntil(() => this.ended(), WAIT_MS);
    this.worker = null;
    handBack(this.db, this.autoPages);
  }

  /** Whether the thread failed (the connection then checkpoints itself again, from here on). */
  private fallBack(): boolean {
    if (this.worker === null) return true;
    if (Atomics.load(this.state, FAILED) === 0) return false;
    this.worker = null;
    handBack(this.db, this.autoPages);
    return true;
  }

  /** Waits until the checkpoint serving `request` is done; false if the thread ended first or took too long. */
  private waitFor(request: number, timeoutMs = WAIT_MS): boolean {
    const served = () => Atomics.load(this.state, DONE) >= request;
    return this.waitUntil(() => served() || this.ended(), timeoutMs) && served();
  }

  /** Whether the thread failed or closed its connection. */
  private ended(): boolean {
    return Atomics.load(this.state, FAILED) === 1 || Atomics.load(this.state, CLOSED) === 1;
  }

  /**
   * Blocks until `condition` holds (checked whenever the thread signals DONE, and at least every
   * 50 ms, as a failure or exit is not signalled there); false if `timeoutMs` passed first.
   */
  private waitUntil(condition: () => boolean, timeoutMs: number): boolean {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.state, DONE);
      if (condition()) return true;
      const left = until - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.state, DONE, done, Math.min(left, 50));
    }
  }
}

/** The connection checkpoints itself again, every `autoPages` pages of WAL. */
function handBack(db: Database.Database, autoPages: number): void {
  db.pragma(`wal_autocheckpoint = ${autoPages}`);
}
