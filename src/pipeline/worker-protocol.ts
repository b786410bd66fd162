// Messages between the import's main thread and its analysis workers.
import type { AnalysedMessage, KeyRecord, StorableAnalysis } from '../model.ts';
import { storableParsed } from '../store/stored-structure.ts';

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
 * The bytes stay with the main thread; the worker sends back what the store takes of the rest
 * (without the header list, which the bytes hold: src/store/stored-structure.ts).
 */
export type AnalysedWithoutBytes = Omit<StorableAnalysis, 'bytes'> & { bytes: undefined };

/** What a worker posts of an analysis (bench/stage-costs.ts times the same hand-over). */
export function handOver(a: AnalysedMessage): AnalysedWithoutBytes {
  return { ...a, parsed: storableParsed(a.parsed), bytes: undefined };
}

export type AnalyseReply =
  | { type: 'known'; id: number; sha256: string }
  | { type: 'done'; id: number; result: AnalysedWithoutBytes }
  | { type: 'error'; id: number; error: string };

/** Answers posted together, in the order the messages were analysed. */
export interface AnalyseAnswers {
  type: 'answers';
  replies: AnalyseReply[];
}
