// Messages between the import's main thread and its analysis workers.
import type { KeyRecord, StorableAnalysis } from '../model.ts';
import { encodeMessageRows } from '../store/messages-repo.ts';
import type { MessageRows } from '../store/messages-repo.ts';

export interface WorkerSetup {
  keys: KeyRecord[];
  dnsLive: boolean;
  now: number;
  /** The database file, opened read-only by each worker to skip messages already stored; null: none. */
  dbFile: string | null;
}

/** A worker's data: the pool's setup, and the state it shares with this worker alone (CURRENT_TASK). */
export interface WorkerStart extends WorkerSetup {
  state: SharedArrayBuffer;
}

/**
 * Messages handed to a worker in one post (worker-pool.ts says why several). The bytes live in
 * shared memory: the main thread keeps them (to store) while a worker reads them.
 */
export interface AnalyseRequest {
  type: 'analyse';
  tasks: { id: number; bytes: Uint8Array }[];
}

/**
 * What each worker and the pool share without posting: the id of the message the worker is
 * analysing now (0 between messages). A worker holds some answers before it posts them
 * (AnalyseAnswers), so the oldest message not answered is not always the one it is on: the pool
 * reads this to know which message ran out of time or brought the worker down.
 */
export const CURRENT_TASK = 0;
export const WORKER_STATE_INTS = 1;

/**
 * The pool is done with the worker: it drops the messages it still queues (the one it is analysing
 * is finished, its answer unsent), closes its connection and ends.
 */
export interface CloseRequest {
  type: 'close';
}

/**
 * What the store takes of an analysis, and what the import counts of it: the message's rows, encoded
 * where it was analysed (store/messages-repo.ts MessageRows, without the header list, which the
 * bytes hold: store/stored-structure.ts), so that the thread that writes only binds them. The bytes
 * stay with the main thread.
 */
export interface EncodedAnalysis {
  rows: MessageRows;
  bodyParser: StorableAnalysis['bodyParser'];
  verifiedBy: StorableAnalysis['verification']['verifiedBy'];
  /** Keys fetched from live DNS (--dns live), handed to the other workers once written. */
  fetchedKeys: KeyRecord[];
}

/**
 * What a worker posts of an analysis (bench/stage-costs.ts times the same hand-over); the main
 * thread encodes its own the same way (--workers 0, and a message stored with a failure). The main
 * thread, which writes, is the import's busiest. Per small message (`node bench/stage-costs.ts
 * --small 2000 --mixed 0`, best of 8 passes), handing over the analysis as objects took 44.0 µs to
 * serialise and deserialise, and writing it 69.1 µs of CPU; handing over its rows, 9.6 µs to encode
 * in the worker, 14.3 µs to serialise and deserialise, and 51.6 µs to write.
 */
export function encodeAnalysis(a: Omit<StorableAnalysis, 'bytes'>, size: number): EncodedAnalysis {
  return {
    rows: encodeMessageRows(a, size),
    bodyParser: a.bodyParser,
    verifiedBy: a.verification.verifiedBy,
    fetchedKeys: a.verification.fetchedKeys,
  };
}

export type AnalyseReply =
  | { type: 'known'; id: number; sha256: string }
  | { type: 'done'; id: number; result: EncodedAnalysis }
  | { type: 'error'; id: number; error: string };

/** Answers posted together, in the order the messages were analysed. */
export interface AnalyseAnswers {
  type: 'answers';
  replies: AnalyseReply[];
  /** The CPU time this worker's thread has used so far, in microseconds (the import's ImportSummary.threadCpuMs). */
  cpuMicros: number;
}
