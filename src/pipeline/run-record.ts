// The record of one import run: its counts as they grow, the failures by code, the progress shown
// while it runs, and how it ended. The database row is updated with every write batch, so the
// review server shows a running import's progress.
import type { Db } from '../store/database.ts';
import { finishRun, markAbandonedRuns, setRunTotal, startRun, updateRunCounts } from '../store/runs-repo.ts';
import type { RunCounts } from '../store/runs-repo.ts';

import { TOOL_VERSION } from '../common/version.ts';
import { threadCpuMicros } from '../common/thread-cpu.ts';

export { TOOL_VERSION };

export interface ImportProgress extends RunCounts {
  bytesTotal: number;
  elapsedMs: number;
}

export interface ImportSummary extends ImportProgress {
  runId: number;
  status: 'completed' | 'interrupted';
  failuresByCode: Record<string, number>;
  /** How many new messages each body parser and each verifier read (see parse-message.ts, verify-message.ts). */
  engines: Record<string, number>;
  /**
   * Wall time of each stage, in ms: reading, analysing and writing the messages; the full-text index
   * and the indexes built at the end; the archive pass. A returned summary has all three (a run stopped
   * by Ctrl-C still builds its indexes and runs the pass); they are filled in as the run goes.
   */
  phaseMs: Partial<Record<'messages' | 'indexes' | 'archive', number>>;
  /**
   * CPU time of the import's threads, in ms (user and system): this one (the writes, the full-text
   * index, and with no workers the reading and the analysis too), the analysis workers together (as of
   * each one's last answers), the reader thread and the archive pass's thread (0: none ran, or it did not
   * end its work). What the process used beyond their sum went to V8's own threads (garbage collection,
   * compilation), SQLite's and libuv's. `npm run bench` prints it for each import.
   */
  threadCpuMs: { main: number; analysis: number; reader: number; archive: number };
}

/** Progress is reported at most this often. */
const REPORT_EVERY_MS = 250;

export class RunRecord {
  readonly runId: number;
  readonly counts: RunCounts = { bytesRead: 0, messagesSeen: 0, messagesNew: 0, sourcesNew: 0, failures: 0, skipped: 0 };
  readonly failuresByCode: Record<string, number> = {};
  readonly engines: Record<string, number> = {};
  readonly phaseMs: ImportSummary['phaseMs'] = {};
  /** Filled in by the import as its threads end; `main` by summary(). */
  readonly threadCpuMs: ImportSummary['threadCpuMs'] = { main: 0, analysis: 0, reader: 0, archive: 0 };
  private readonly mainCpuAtStart = threadCpuMicros();
  /**
   * Durations are read from the monotonic clock: the wall clock can be set forward or back
   * meanwhile (a virtual machine paused for 57 s during one import of the bench had its clock set
   * forward after, and its messages phase read 361 s instead of 305).
   */
  private phaseStart = performance.now();
  /** Increased by the readers as they consume input bytes. */
  readonly progress = { bytesRead: 0 };
  bytesTotal = 0;
  private readonly started = performance.now();
  private lastReport = -Infinity;
  private readonly db: Db;
  private readonly onProgress: ((p: ImportProgress) => void) | undefined;

  constructor(db: Db, paths: string[], options: object, onProgress?: (p: ImportProgress) => void) {
    this.db = db;
    this.onProgress = onProgress;
    markAbandonedRuns(db);
    this.runId = startRun(db, paths, options, TOOL_VERSION);
  }

  setTotal(bytes: number): void {
    this.bytesTotal = bytes;
    setRunTotal(this.db, this.runId, bytes);
  }

  countFailure(kind: 'failure' | 'skipped', code: string): void {
    this.failuresByCode[code] = (this.failuresByCode[code] ?? 0) + 1;
    if (kind === 'failure') this.counts.failures++;
    else this.counts.skipped++;
  }

  countEngine(name: string): void {
    this.engines[name] = (this.engines[name] ?? 0) + 1;
  }

  /** Saves the counts; call inside the write batch's transaction. */
  save(): void {
    this.counts.bytesRead = this.progress.bytesRead;
    updateRunCounts(this.db, this.runId, this.counts);
  }

  report(force = false): void {
    const t = performance.now();
    if (!force && t - this.lastReport < REPORT_EVERY_MS) return;
    this.lastReport = t;
    this.counts.bytesRead = this.progress.bytesRead;
    // While the total is still being measured, it is at least what has been read.
    this.onProgress?.({
      ...this.counts,
      bytesTotal: Math.max(this.bytesTotal, this.counts.bytesRead),
      elapsedMs: Math.round(t - this.started),
    });
  }

  finish(status: 'completed' | 'interrupted' | 'failed', error?: string): void {
    finishRun(this.db, this.runId, status, error);
  }

  /** Ends a stage: its wall time since the previous stage ended (or the run started). */
  endPhase(name: keyof ImportSummary['phaseMs']): void {
    const now = performance.now();
    this.phaseMs[name] = Math.round(now - this.phaseStart);
    this.phaseStart = now;
  }

  summary(status: 'completed' | 'interrupted'): ImportSummary {
    this.counts.bytesRead = this.progress.bytesRead;
    return {
      ...this.counts,
      bytesTotal: this.bytesTotal,
      elapsedMs: Math.round(performance.now() - this.started),
      runId: this.runId,
      status,
      failuresByCode: this.failuresByCode,
      engines: this.engines,
      phaseMs: this.phaseMs,
      threadCpuMs: { ...this.threadCpuMs, main: threadCpuMicros(this.mainCpuAtStart) / 1000 },
    };
  }
}
