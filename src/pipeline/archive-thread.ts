// The archive pass (archive-pass.ts) in a thread of its own, under a heap limit. Run on the main
// thread, whose heap V8 lets grow to four or five times what is live before it collects, the pass
// over the fuzz dump took the process to 1.16 GB (trace-gc: 476 MB of heap with 109 MB live): the
// copies check builds large strings for each pair of copies. A limit makes V8 collect earlier
// instead. The thread opens the database file itself; an in-memory database (tests) has no file
// to open, so its pass runs where it is.
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { startThread } from '../common/start-thread.ts';
import { threadCpuMicros } from '../common/thread-cpu.ts';
import type { Db } from '../store/database.ts';
import { DatabaseError, openDatabase, translateError } from '../store/database.ts';
import { runArchiveChecks } from './archive-pass.ts';
import type { ArchivePassOptions, ArchivePassPhase } from './archive-pass.ts';
import { endWorker } from '../common/end-worker.ts';

/**
 * Old-generation heap of the archive pass. The fuzz dump (7,292 messages, groups of 309 copies)
 * keeps about 110 MB live at its peak; the profiles grow with senders and domains, not messages.
 * A pass that needs more stops the import with a sentence; what was stored stays, and the next
 * import runs the pass again.
 */
export const ARCHIVE_HEAP_MB = 384;

/**
 * Young generation of the archive thread (see WORKER_YOUNG_MB: a smaller one costs more scavenges,
 * never a failure). The pass makes short-lived records by the million: rerun on the database of
 * 1,000,000 small messages (ArchiveThread's pass from a scratch script, alternated; a rerun
 * changes no verdict, so this is its reading and judging, not its writes), it took
 * 59.5-75.6 s with 16 MB (five runs), 58.1-58.2 s with 32 MB (two), 57.1-59.7 s with 64 MB
 * (three); user CPU 58.7-66.8, 53.8-54.2 and 48.6-54.6 s; peak RSS 501-507, 528 and 574-581 MB.
 * Started by the `leaktriage` command, the thread had 16 MB whatever this said until startThread
 * set the command's flag aside for the threads (start-thread.ts).
 */
const ARCHIVE_YOUNG_MB = 32;

/**
 * Page cache of the archive pass's connection. The pass reads each message's facts, signatures and
 * sources through their hash-keyed indexes, in the order messages were stored, so every lookup lands
 * on a random leaf: with SQLite's 16 MB, the pass over 1,000,000 small messages read 172 GB from the
 * OS cache (62 s in the kernel, 135 s in all), with 256 MB 34 GB (34 s, 125 s), peak RSS 555 MB.
 * Those indexes grow by about 250 bytes a message: the cache follows them, from 16 MB up to 256 MB.
 */
function archiveCacheKib(db: Db): number {
  const messages = db.prepare('SELECT ifnull(max(rowid), 0) FROM messages').pluck().get() as number;
  return Math.round(Math.min(256 * 1024, Math.max(16 * 1024, (messages * 256) / 1024)));
}

/** What the thread posts: the pass's phases, then its result, or the error it failed with (its stack, and its message and code, SQLite's, the system's or ours, when it has one). */
type FromArchive =
  | { type: 'phase'; phase: ArchivePassPhase }
  | { type: 'done'; touched: number; cpuMicros: number }
  | { type: 'error'; error: string; message?: string; code?: string };

/** What the thread is told once it has loaded: run the pass now, or end without opening the database. */
type ToArchive = { type: 'run'; sharing: ArchivePassOptions['sharing'] } | { type: 'cancel' };

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'archive') {
  const { dbFile } = workerData as { dbFile: string };
  // Loaded, it waits to be told: the import that started it may still hold the database's exclusive
  // lock (database.ts, leaveWal), and the indexes the pass reads through may not be built yet.
  parentPort!.once('message', (m: ToArchive) => {
    if (m.type === 'cancel') return;
    parentPort!.postMessage(runPass(dbFile, m.sharing));
  });
}

function runPass(dbFile: string, sharing: ArchivePassOptions['sharing']): FromArchive {
  try {
    const db = openDatabase(dbFile, { mode: 'update' });
    db.pragma(`cache_size = -${archiveCacheKib(db)}`);
    // Not the import's write settings (beginBulkWrites): with temporary tables and statement journals
    // in memory, this thread's SQLite memory, which no heap limit bounds, took the fuzz run's peak
    // from 885 MB to 1,297 MB. On disk they cost the pass time, not memory.
    try {
      const onPhase = (phase: ArchivePassPhase) => parentPort!.postMessage({ type: 'phase', phase } satisfies FromArchive);
      return { type: 'done', touched: runArchiveChecks(db, { sharing, onPhase }), cpuMicros: threadCpuMicros() };
    } finally {
      db.close();
    }
  } catch (err) {
    const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
    return {
      type: 'error',
      error: String((err as Error)?.stack ?? err),
      ...(typeof code === 'string' && typeof message === 'string' ? { code, message } : {}),
    };
  }
}

/**
 * The error a pass that failed in its thread is raised with on the caller's, with the code it had
 * there: a full disk, or a database locked, damaged or gone meanwhile, is then told in one sentence
 * (store/database.ts, translateError; the command's error handling), as the same error on the
 * caller's own connection would be, instead of as the thread's stack.
 */
export function passFailure(reply: { error: string; message?: string; code?: string }): Error {
  const { code, message } = reply;
  if (code === undefined || message === undefined) return new Error(`the archive pass failed: ${reply.error}`);
  if (code.startsWith('db/')) return new DatabaseError(code, `the archive pass failed: ${message}`);
  const translated = translateError('the database', Object.assign(new Error(message), { code }));
  if (translated instanceof DatabaseError) return new DatabaseError(translated.code, `the archive pass failed: ${translated.message}`);
  return Object.assign(new Error(`the archive pass failed: ${reply.error}`), { code });
}

/** The error of a thread that ended before it posted the pass's reply. */
function stoppedEarly(code: number): Error {
  return new Error(`the archive pass stopped (exit ${code}) before it finished`);
}

/** The archive pass reached ARCHIVE_HEAP_MB: the import says so in a sentence (cli.ts), with no stack trace. */
export class ArchivePassMemoryError extends Error {
  override name = 'ArchivePassMemoryError';
}

/**
 * The archive pass's thread, started ahead of its pass: the thread loads its code (about 0.15 s of
 * one core) while the caller still has other work, and opens the database only when `run` is called.
 * An import starts it once it has read its last message, so that the loading overlaps the last
 * analyses and the index builds instead of holding up the pass (the main thread indexes for search
 * beside the pass only once the pass has begun: run-import.ts, indexBesidePass).
 */
export class ArchiveThread {
  private readonly db: Db;
  private readonly worker: Worker | null;
  /** The thread failed or ended before `run` listened for it. */
  private early: Error | null = null;
  private used = false;

  private constructor(db: Db) {
    this.db = db;
    // An in-memory database (tests) has no file to open: its pass runs on the caller's thread.
    this.worker = db.memory
      ? null
      : startThread(new URL(import.meta.url), {
          workerData: { role: 'archive', dbFile: db.name },
          resourceLimits: { maxOldGenerationSizeMb: ARCHIVE_HEAP_MB, maxYoungGenerationSizeMb: ARCHIVE_YOUNG_MB },
        });
    // Unreferenced while it waits: a caller that never runs its pass does not keep the process alive.
    this.worker?.unref();
    this.worker?.on('error', (err) => (this.early ??= err));
    this.worker?.once('exit', (code) => (this.early ??= stoppedEarly(code)));
  }

  /** Starts the thread for a pass over `db`, which `run` or `cancel` must follow. */
  static start(db: Db): ArchiveThread {
    return new ArchiveThread(db);
  }

  /**
   * Runs the archive checks in the thread, under ARCHIVE_HEAP_MB; returns how many messages they
   * touched. `onPhase` hears the pass's phases (ArchivePassOptions) as the thread posts them;
   * `onCpu` the CPU time the thread used, in milliseconds, once the pass is done (not for a database
   * in memory). Once only.
   */
  async run(options: ArchivePassOptions = {}, onCpu?: (ms: number) => void): Promise<number> {
    if (this.used) throw new Error('ArchiveThread.run: this thread has run its pass already');
    this.used = true;
    const worker = this.worker;
    if (worker === null) return runArchiveChecks(this.db, options);
    worker.ref();
    try {
      const reply = await new Promise<Exclude<FromArchive, { type: 'phase' }>>((resolve, reject) => {
        if (this.early) return reject(this.early);
        worker.on('message', (m: FromArchive) => (m.type === 'phase' ? options.onPhase?.(m.phase) : resolve(m)));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(stoppedEarly(code)));
        worker.postMessage({ type: 'run', sharing: options.sharing } satisfies ToArchive);
      });
      if (reply.type === 'error') throw passFailure(reply);
      onCpu?.(reply.cpuMicros / 1000);
      return reply.touched;
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY')
        throw new ArchivePassMemoryError(
          `the archive-wide checks needed more than ${ARCHIVE_HEAP_MB} MB of memory and were stopped; the messages are stored with their own verdicts`,
          { cause: err },
        );
      throw err;
    } finally {
      // Its connection closed, the thread ends by itself once it has posted its reply.
      await endWorker(worker);
    }
  }

  /** Ends a thread whose pass will not run (the import failed or was stopped first); nothing if it ran. */
  async cancel(): Promise<void> {
    if (this.used || this.worker === null) return;
    this.used = true;
    // Told, it ends by itself without having opened the database.
    if (this.early === null) this.worker.postMessage({ type: 'cancel' } satisfies ToArchive);
    await endWorker(this.worker);
  }
}
