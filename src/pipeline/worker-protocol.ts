// Messages between the import's main thread and its analysis workers.
import type { AnalysedMessage, KeyRecord } from '../model.ts';

export interface WorkerSetup {
  keys: KeyRecord[];
  dnsLive: boolean;
  now: number;
  /** The database file, opened read-only by each worker to skip messages already stored; null: none. */
  dbFile: string | null;
}

/** The bytes live in shared memory: the main thread keeps them (to store) while a worker reads them. */
export interface AnalyseRequest {
  type: 'analyse';
  id: number;
  bytes: Uint8Array;
}

/** The bytes stay with the main thread; the worker sends back everything else. */
export type AnalysedWithoutBytes = Omit<AnalysedMessage, 'bytes'> & { bytes: undefined };

export type AnalyseReply =
  | { type: 'known'; id: number; sha256: string }
  | { type: 'done'; id: number; result: AnalysedWithoutBytes }
  | { type: 'error'; id: number; error: string };
