// Messages between the import's main thread and its analysis workers.
import type { AnalysedMessage, KeyRecord } from '../model.ts';

export interface WorkerSetup {
  keys: KeyRecord[];
  dnsLive: boolean;
  now: number;
}

export interface AnalyseRequest {
  type: 'analyse';
  id: number;
  sha256: string;
  bytes: Uint8Array;
}

/** The bytes stay with the main thread; the worker sends back everything else. */
export type AnalysedWithoutBytes = Omit<AnalysedMessage, 'bytes'> & { bytes: undefined };

export type AnalyseReply = { type: 'done'; id: number; result: AnalysedWithoutBytes } | { type: 'error'; id: number; error: string };
