// An import run: readers -> workers (hash; known? : analyse) -> store, in batches of one transaction
// each. Killed half-way and run again, it completes: what was committed is recognised by its hash,
// what was not is done again; nothing is stored twice. The pieces: run-record.ts (counts, progress,
// how it ended), worker-pool.ts (analysis off the main thread, under a time and memory limit),
// write-batch.ts (dedup by hash and the batched writes), and the back-pressure below.
import { availableParallelism } from 'node:os';
import { resolveTxt } from 'node:dns/promises';
import type { AnalysedMessage, InputItem, SourceRef } from '../model.ts';
import type { Db } from '../store/database.ts';
import { insertKeys, loadAllKeys } from '../store/keys-repo.ts';
import { catchUpSearchIndex, deferSearchIndex, resumeSearchIndex } from '../store/search-index.ts';
import { measureInputs, readInputs } from '../import/read-inputs.ts';
import { readInputsInThread } from './read-thread.ts';
import { KeyIndex } from '../verify/key-index.ts';
import type { LiveLookup, VerifyOptions } from '../verify/verify-message.ts';
import { AnalyseTimeoutError, analyseMessage, hashBytes, unanalysedMessage } from './analyse-message.ts';
import { ANALYSE_TIMEOUT_MS, toSharedBytes, WorkerPool } from './worker-pool.ts';
import type { PoolAnswer } from './worker-pool.ts';
import { runArchiveChecks } from './archive-pass.ts';
import { RunRecord } from './run-record.ts';
import type { ImportProgress, ImportSummary } from './run-record.ts';
import { WriteBatch } from './write-batch.ts';

export { TOOL_VERSION } from './run-record.ts';
export type { ImportProgress, ImportSummary } from './run-record.ts';
export { WRITE_BATCH } from './write-batch.ts';

/**
 * Message bytes read and not yet written, at most (in the workers' queues and the write batch).
 * With the workers' own memory this keeps an import well under 1 GB whatever the dump's size; a
 * single message larger than this still goes through, alone.
 */
export const IN_FLIGHT_BYTES = 192 * 1024 * 1024;

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
  run.setTotal((await measureInputs(paths)).bytes);

  const keyRecords = loadAllKeys(db);
  const keys = new KeyIndex(keyRecords);
  const workers = options.workers ?? Math.min(4, availableParallelism());
  const timeoutMs = options.timeoutMs ?? ANALYSE_TIMEOUT_MS;
  const pool =
    workers > 0
      ? new WorkerPool(workers, { keys: keyRecords, dnsLive: !!options.dnsLive, now, dbFile: db.memory ? null : db.name }, timeoutMs)
      : null;
  const batch = new WriteBatch(db, run, (fetched) => {
    insertKeys(db, fetched);
    pool?.addKeys(fetched);
  });
  const liveLookup = options.dnsLive ? (options.liveLookup ?? ((name: string) => resolveTxt(name))) : undefined;
  const verify: VerifyOptions = { keys, now, ...(liveLookup ? { liveLookup } : {}) };

  const stored = (a: AnalysedMessage, source: SourceRef): void => {
    run.countEngine(`body:${a.bodyParser ?? 'none'}`);
    run.countEngine(`verify:${a.verification.verifiedBy ?? 'none'}`);
    batch.addMessage(a, source);
  };
  // The bytes are still evidence: stored with a failure record and a verdict from what is known.
  const failed = (bytes: Buffer, source: SourceRef, err: Error, sha256 = hashBytes(bytes)): void => {
    const code = err instanceof AnalyseTimeoutError || err.name === 'AnalyseTimeoutError' ? 'analyse/timeout' : 'analyse/error';
    const reason = err.message.split('\n')[0]!;
    run.countFailure('failure', code);
    batch.addFailure({ kind: 'failure', failure: { path: source.path, offset: source.offset, code, reason } }, sha256);
    stored(unanalysedMessage(sha256, bytes, err.message, now), source);
  };

  let inFlightBytes = 0;
  const pending = new Set<Promise<void>>();
  const onPool = (bytes: Buffer, source: SourceRef): void => {
    const shared = toSharedBytes(bytes);
    inFlightBytes += shared.length;
    const done = pool!.analyse(shared).then(
      (answer: PoolAnswer) => {
        if (answer.known) batch.addSource(answer.sha256, source);
        else stored({ ...answer.result, bytes: shared }, source);
      },
      (err: Error) => failed(shared, source, err),
    );
    const tracked = done.finally(() => {
      inFlightBytes -= shared.length;
      pending.delete(tracked);
    });
    pending.add(tracked);
  };
  const inline = async (bytes: Buffer, source: SourceRef): Promise<void> => {
    const sha256 = hashBytes(bytes);
    if (batch.isStored(sha256)) return batch.addSource(sha256, source);
    try {
      stored(await analyseMessage(bytes, verify, sha256, Date.now() + timeoutMs), source);
    } catch (err) {
      failed(bytes, source, err as Error, sha256);
    }
  };
  /** Back-pressure: wait while the workers hold enough; index what is stored meanwhile. */
  const waitForRoom = async (): Promise<void> => {
    while (pool && pool.busy > 0 && (pool.busy >= workers * 16 || inFlightBytes + batch.heldBytes > IN_FLIGHT_BYTES)) {
      const settled = pool.settled();
      if (catchUpSearchIndex(db, 200) === 0) await settled;
      else await Promise.race([settled, Promise.resolve()]);
    }
  };

  let status: 'completed' | 'interrupted' = 'completed';
  deferSearchIndex(db);
  try {
    const items = pool ? readInputsInThread(paths, run.progress) : readInputs(paths, { progress: run.progress });
    for await (const item of items) {
      if (options.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      if (item.kind === 'message') {
        run.counts.messagesSeen++;
        if (pool) {
          await waitForRoom();
          onPool(item.message.bytes, item.message.source);
        } else await inline(item.message.bytes, item.message.source);
      } else {
        addInputFailure(run, batch, item);
      }
      run.report();
    }
    await Promise.all([...pending]);
    batch.flush();
    resumeSearchIndex(db);
    runArchiveChecks(db);
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
    await pool?.close();
  }
  run.report(true);
  return run.summary(status);
}

function addInputFailure(run: RunRecord, batch: WriteBatch, item: Extract<InputItem, { kind: 'failure' | 'skipped' }>): void {
  run.countFailure(item.kind, item.kind === 'failure' ? item.failure.code : item.code);
  batch.addFailure(item);
}
