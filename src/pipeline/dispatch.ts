// Where each message read is analysed: in the worker pool (the default) or on the main thread
// (--workers 0), and what is stored for it: the analysis, only a new source when its hash is known,
// or, when the analysis failed or ran out of time, the bytes with a failure record. The pool side
// keeps back-pressure: at most so many messages and bytes in flight.
import type { AnalysedMessage, SourceRef, StorableAnalysis } from '../model.ts';
import { encodeAnalysis } from './worker-protocol.ts';
import type { EncodedAnalysis } from './worker-protocol.ts';
import type { VerifyOptions } from '../verify/verify-message.ts';
import { AnalyseTimeoutError, analyseMessage, hashBytes, unanalysedMessage } from './analyse-message.ts';
import type { RunRecord } from './run-record.ts';
import { toSharedBytes } from './worker-pool.ts';
import type { PoolAnswer, WorkerPool } from './worker-pool.ts';
import type { WriteBatch } from './write-batch.ts';

/**
 * Message bytes handed to the workers and not yet answered, at most (answers are written as they
 * arrive, write-batch.ts; the reader thread runs ahead by 8 MiB, read-thread.ts). What the answers hold is several
 * times these bytes (parsed view, decoded text and HTML): on 4,000 messages of the mixed dump, peak
 * RSS 533 MB with 24 MiB here, 605 MB with 32 MiB, 718 MB with 48 MiB and 850 MB with 128 MiB (with
 * 512 messages per worker below). This, not the count, bounds large messages in flight: the whole
 * mixed dump (20,000 messages, 2.7 GB) with 256 per worker took 39.7 s and 793 MB with 24 MiB, 44.6 s
 * and 737 MB with 16 MiB (64 per worker and 32 MiB: 42.3 s, 789 MB, same hour). A single message
 * larger than this still goes through, alone.
 */
export const IN_FLIGHT_BYTES = 24 * 1024 * 1024;

/**
 * Messages handed to the workers and not answered, at most per worker: this bounds small messages, the
 * bytes above bound large ones. While the main thread writes or commits, the workers must not run
 * dry (a small message takes a worker about a millisecond): with 64 here and batches of 1,000 written
 * at once (before write-batch.ts wrote on arrival) they sat idle a third of the import; 20,000 small
 * messages took 19.2 s with 64, 17.5 s with 256. Answers wait in the message port meanwhile, each
 * holding its message's shared bytes, which is why the byte cap above was lowered with it (256 with
 * 32 MiB took the mixed dump to 1,151 MB). The fuzz run (`npm run fuzz -- --count 10000 --workers 2`):
 * 950 MB, 890 MB once analyses were written on arrival.
 */
const IN_FLIGHT_PER_WORKER = 256;

export interface DispatchContext {
  run: RunRecord;
  batch: WriteBatch;
  /** null: analyse on the main thread. */
  pool: WorkerPool | null;
  workers: number;
  verify: VerifyOptions;
  timeoutMs: number;
}

export class Dispatch {
  private readonly c: DispatchContext;
  private inFlightBytes = 0;
  private readonly pending = new Set<Promise<void>>();
  /** A write that failed after a pooled analysis (a full disk): the run's failure, raised on the next call. */
  private writeError: unknown = null;

  constructor(c: DispatchContext) {
    this.c = c;
  }

  /**
   * Analyses and stores one message. `done`, if given, is called once the bytes will never be read
   * again (their message is written, or the run failed): they may live in a reader's slab (byte-slabs.ts).
   */
  async submit(bytes: Buffer, source: SourceRef, done?: () => void): Promise<void> {
    try {
      this.raiseWriteError();
      if (this.c.pool) await this.waitForRoom(this.c.pool);
    } catch (err) {
      done?.();
      throw err;
    }
    if (this.c.pool) this.onPool(this.c.pool, bytes, source, done);
    else await this.inline(bytes, source).finally(done);
  }

  /** Resolves when every message handed in has been put in the write batch. */
  async drain(): Promise<void> {
    await Promise.all([...this.pending]);
    this.raiseWriteError();
  }

  private raiseWriteError(): void {
    if (this.writeError !== null) throw this.writeError;
  }

  private stored(a: EncodedAnalysis, bytes: Buffer, source: SourceRef): void {
    this.c.run.countEngine(`body:${a.bodyParser ?? 'none'}`);
    this.c.run.countEngine(`verify:${a.verifiedBy ?? 'none'}`);
    this.c.batch.addMessage(a, bytes, source);
  }

  /** The analysis of a message analysed on this thread, as a worker hands one over. */
  private storedHere(a: StorableAnalysis, source: SourceRef): void {
    this.stored(encodeAnalysis(a, a.bytes.length), a.bytes, source);
  }

  /** The bytes are still evidence: stored with a failure record and a verdict from what is known. */
  private failed(bytes: Buffer, source: SourceRef, err: Error, sha256 = hashBytes(bytes)): void {
    const code = err instanceof AnalyseTimeoutError || err.name === 'AnalyseTimeoutError' ? 'analyse/timeout' : 'analyse/error';
    const reason = err.message.split('\n')[0]!;
    this.c.run.countFailure('failure', code);
    this.c.batch.addFailure({ kind: 'failure', failure: { path: source.path, offset: source.offset, code, reason } }, sha256);
    this.storedHere(unanalysedMessage(sha256, bytes, err.message, this.c.verify.now), source);
  }

  private onPool(pool: WorkerPool, bytes: Buffer, source: SourceRef, done: (() => void) | undefined): void {
    // Bytes in the reader thread's slabs are shared already and not copied; a message that found no
    // room in them (byte-slabs.ts) is copied here.
    const shared = toSharedBytes(bytes);
    this.inFlightBytes += shared.length;
    const written = pool
      .analyse(shared)
      .then(
        (answer: PoolAnswer) => {
          if (answer.known) this.c.batch.addSource(answer.sha256, source);
          else this.stored(answer.result, shared, source);
        },
        (err: Error) => this.failed(shared, source, err),
      )
      // Only the analysis may fail as the message's own failure; a failed write stops the run.
      .catch((err: unknown) => void (this.writeError ??= err));
    const tracked = written.finally(() => {
      this.inFlightBytes -= shared.length;
      this.pending.delete(tracked);
      done?.();
    });
    this.pending.add(tracked);
  }

  private async inline(bytes: Buffer, source: SourceRef): Promise<void> {
    const sha256 = hashBytes(bytes);
    if (this.c.batch.isStored(sha256)) return this.c.batch.addSource(sha256, source);
    // Only the analysis may fail as the message's own failure; a failed write stops the run.
    let analysed: AnalysedMessage;
    try {
      analysed = await analyseMessage(bytes, this.c.verify, sha256, Date.now() + this.c.timeoutMs);
    } catch (err) {
      return this.failed(bytes, source, err as Error, sha256);
    }
    this.storedHere(analysed, source);
  }

  /**
   * Back-pressure: wait while the workers hold enough. The main thread no longer indexes stored
   * messages for search meanwhile: the import does it beside its archive pass (run-import.ts).
   */
  private async waitForRoom(pool: WorkerPool): Promise<void> {
    const full = () => pool.busy >= this.c.workers * IN_FLIGHT_PER_WORKER || this.inFlightBytes > IN_FLIGHT_BYTES;
    while (pool.busy > 0 && full()) await pool.settled();
  }
}
