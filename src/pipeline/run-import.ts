// An import run: readers -> hash -> (known? add a source : analyse in workers) -> store, in
// batches of one transaction each. Killed half-way and run again, it completes: what was committed
// is recognised by its hash, what was not is done again; nothing is stored twice.
import { availableParallelism } from 'node:os';
import type { AnalysedMessage, InputItem, KeyRecord, SourceRef } from '../model.ts';
import type { Db } from '../store/database.ts';
import { withTransaction } from '../store/transaction.ts';
import { addSource, hasMessage, insertMessage } from '../store/messages-repo.ts';
import { finishRun, markAbandonedRuns, recordFailure, setRunTotal, startRun, updateRunCounts } from '../store/runs-repo.ts';
import type { RunCounts } from '../store/runs-repo.ts';
import { insertKeys, loadAllKeys } from '../store/keys-repo.ts';
import { recordManifestEntries, sealManifest } from '../store/manifest-repo.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';
import { KeyIndex } from '../verify/key-index.ts';
import type { LiveLookup } from '../verify/verify-message.ts';
import { analyseMessage, hashBytes, unanalysedMessage } from './analyse-message.ts';
import { AnalyseTimeoutError, WorkerPool } from './worker-pool.ts';
import type { AnalysedWithoutBytes } from './worker-protocol.ts';
import { runArchiveChecks } from './archive-pass.ts';
import { resolveTxt } from 'node:dns/promises';

export const TOOL_VERSION = 'leaktriage 0.1.0';

/** Messages written per transaction: large enough to amortise the commit, small enough to lose little when killed. */
export const WRITE_BATCH = 200;

export interface ImportOptions {
  /** 0 = analyse on the main thread (no time limit per message); default: one per core, at most 4. */
  workers?: number;
  dnsLive?: boolean;
  /** The live DNS lookup used on the main thread (--workers 0); tests pass a fake one. Workers use node:dns. */
  liveLookup?: LiveLookup;
  onProgress?: (p: ImportProgress) => void;
  /** Unix seconds standing for "now" (tests fix it). */
  now?: number;
  /** Abort between messages (SIGINT): the run is recorded as interrupted. */
  signal?: AbortSignal;
}

export interface ImportProgress extends RunCounts {
  bytesTotal: number;
  elapsedMs: number;
}

export interface ImportSummary extends ImportProgress {
  runId: number;
  status: 'completed' | 'interrupted';
  failuresByCode: Record<string, number>;
}

type WriteOp =
  | { kind: 'message'; a: AnalysedMessage; sources: SourceRef[] }
  | { kind: 'source'; sha256: string; source: SourceRef }
  | { kind: 'failure'; item: Extract<InputItem, { kind: 'failure' | 'skipped' }>; sha256?: string };

export async function importPaths(db: Db, paths: string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  const now = options.now ?? Math.floor(started / 1000);
  markAbandonedRuns(db);
  const runId = startRun(db, paths, { dns: options.dnsLive ? 'live' : 'off', workers: options.workers ?? null }, TOOL_VERSION);
  const counts: RunCounts = { bytesRead: 0, messagesSeen: 0, messagesNew: 0, sourcesNew: 0, failures: 0, skipped: 0 };
  const failuresByCode: Record<string, number> = {};
  const { bytes: bytesTotal } = await measureInputs(paths);
  setRunTotal(db, runId, bytesTotal);

  const keyRecords = loadAllKeys(db);
  const keys = new KeyIndex(keyRecords);
  const workers = options.workers ?? Math.min(4, availableParallelism());
  const liveLookup = options.dnsLive ? (options.liveLookup ?? ((name: string) => resolveTxt(name))) : undefined;
  const pool = workers > 0 ? new WorkerPool(workers, { keys: keyRecords, dnsLive: !!options.dnsLive, now }) : null;
  const maxInFlight = Math.max(16, workers * 24);

  const progress = { bytesRead: 0 };
  const pending = new Map<string, { sources: SourceRef[]; done: Promise<void> }>();
  // Analysed and waiting for the next write: a later copy of the same bytes only adds a source.
  const queued = new Set<string>();
  let ops: WriteOp[] = [];
  let lastReport = 0;

  const report = (force = false): void => {
    const t = Date.now();
    if (!force && t - lastReport < 250) return;
    lastReport = t;
    counts.bytesRead = progress.bytesRead;
    options.onProgress?.({ ...counts, bytesTotal, elapsedMs: t - started });
  };

  const flush = (): void => {
    if (ops.length === 0) return;
    const batch = ops;
    ops = [];
    queued.clear();
    const fetched: KeyRecord[] = [];
    // IMMEDIATE: this batch reads (hasMessage) before it writes; taking the write lock first makes
    // a second writer (another import, a review) queue instead of failing with "database is locked".
    withTransaction(db, () => {
      // The run's manifest lists every message it read, new or already known (chain of custody).
      recordManifestEntries(
        db,
        runId,
        batch.flatMap((op) => (op.kind === 'message' ? [op.a.sha256] : op.kind === 'source' ? [op.sha256] : [])),
      );
      for (const op of batch) {
        if (op.kind === 'failure') {
          const it = op.item;
          const f = it.kind === 'failure' ? it.failure : { path: it.path, offset: null, code: it.code, reason: it.reason };
          recordFailure(db, runId, it.kind, f, op.sha256 ?? null);
        } else if (op.kind === 'source') {
          if (addSource(db, op.sha256, runId, op.source)) counts.sourcesNew++;
        } else {
          if (!hasMessage(db, op.a.sha256)) {
            insertMessage(db, runId, op.a);
            counts.messagesNew++;
          }
          for (const s of op.sources) if (addSource(db, op.a.sha256, runId, s)) counts.sourcesNew++;
          fetched.push(...op.a.verification.fetchedKeys);
        }
      }
      counts.bytesRead = progress.bytesRead;
      updateRunCounts(db, runId, counts);
    });
    if (fetched.length) {
      insertKeys(db, fetched);
      pool?.addKeys(fetched);
    }
  };

  const onAnalysed = (sha256: string, bytes: Buffer, r: AnalysedWithoutBytes | AnalysedMessage): void => {
    const entry = pending.get(sha256)!;
    pending.delete(sha256);
    const a: AnalysedMessage = { ...r, bytes };
    queued.add(sha256);
    ops.push({ kind: 'message', a, sources: entry.sources });
    if (ops.length >= WRITE_BATCH) flush();
  };

  const onFailedAnalysis = (sha256: string, bytes: Buffer, err: Error): void => {
    // The bytes are still evidence: store them, verdict from what is known (nothing), and a failure record.
    const code = err instanceof AnalyseTimeoutError ? 'analyse/timeout' : 'analyse/error';
    const entry = pending.get(sha256)!;
    const path = entry.sources[0]?.path ?? '(unknown)';
    failuresByCode[code] = (failuresByCode[code] ?? 0) + 1;
    counts.failures++;
    ops.push({
      kind: 'failure',
      item: { kind: 'failure', failure: { path, offset: entry.sources[0]?.offset ?? null, code, reason: err.message.split('\n')[0]! } },
      sha256,
    });
    const stub = unanalysedMessage(sha256, bytes, err.message, now);
    onAnalysed(sha256, bytes, stub);
  };

  let status: 'completed' | 'interrupted' = 'completed';
  let writeError: unknown = null;
  try {
    for await (const item of readInputs(paths, { progress })) {
      if (options.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      if (item.kind !== 'message') {
        const code = item.kind === 'failure' ? item.failure.code : item.code;
        failuresByCode[code] = (failuresByCode[code] ?? 0) + 1;
        if (item.kind === 'failure') counts.failures++;
        else counts.skipped++;
        ops.push({ kind: 'failure', item });
        report();
        continue;
      }
      const { bytes, source } = item.message;
      counts.messagesSeen++;
      const sha256 = hashBytes(bytes);
      const inFlight = pending.get(sha256);
      if (inFlight) {
        inFlight.sources.push(source);
      } else if (queued.has(sha256) || hasMessage(db, sha256)) {
        ops.push({ kind: 'source', sha256, source });
        if (ops.length >= WRITE_BATCH) flush();
      } else {
        const entry = { sources: [source], done: Promise.resolve() };
        pending.set(sha256, entry);
        if (pool) {
          entry.done = pool
            .analyse(sha256, bytes)
            .then(
              (r) => onAnalysed(sha256, bytes, r),
              (err: Error) => onFailedAnalysis(sha256, bytes, err),
            )
            // A write that fails here (a full disk) is the run's failure, raised in the loop below.
            .catch((err: unknown) => void (writeError ??= err));
          // Bound memory: never more than a few messages waiting per worker.
          while (pool.busy >= maxInFlight) await pool.settled();
        } else {
          // Only the analysis may fail as the message's own failure; a failed write stops the run.
          let analysed: Awaited<ReturnType<typeof analyseMessage>> | null = null;
          try {
            analysed = await analyseMessage(bytes, { keys, liveLookup, now }, sha256);
          } catch (err) {
            onFailedAnalysis(sha256, bytes, err as Error);
          }
          if (analysed) onAnalysed(sha256, bytes, analysed);
        }
      }
      if (writeError) throw writeError;
      report();
    }
    await Promise.all([...pending.values()].map((p) => p.done));
    if (writeError) throw writeError;
    flush();
    runArchiveChecks(db);
    withTransaction(db, () => sealManifest(db, runId));
    finishRun(db, runId, status, status === 'interrupted' ? 'stopped by the user before the end' : undefined);
  } catch (err) {
    // A programming error: record what was done, mark the run failed, then let it surface.
    try {
      flush();
      finishRun(db, runId, 'failed', String((err as Error).stack ?? err));
    } catch {
      // the database itself is failing; the original error says more
    }
    throw err;
  } finally {
    await pool?.close();
  }
  report(true);
  counts.bytesRead = progress.bytesRead;
  return { ...counts, bytesTotal, elapsedMs: Date.now() - started, runId, status, failuresByCode };
}
