// A worker thread that hashes and analyses messages (parse, verify, check, decide): the CPU-bound
// part of an import, off the thread that reads inputs and writes the database. A message the
// database already holds (a re-run after a kill) is only hashed: its own read-only connection says so.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveTxt } from 'node:dns/promises';
import type { KeyRecord } from '../model.ts';
import { openDatabase } from '../store/database.ts';
import type { Db } from '../store/database.ts';
import { hasMessage } from '../store/messages-repo.ts';
import { KeyIndex } from '../verify/key-index.ts';
import { analyseMessage, hashBytes } from './analyse-message.ts';
import { handOver, type AnalyseRequest, type AnalyseReply, type CloseRequest, type WorkerSetup } from './worker-protocol.ts';

const setup = workerData as WorkerSetup;
const keys = new KeyIndex(setup.keys);
const liveLookup = setup.dnsLive ? (name: string) => resolveTxt(name) : undefined;
let db: Db | null = null;
try {
  db = setup.dbFile ? openDatabase(setup.dbFile, { readonly: true }) : null;
} catch {
  // Without it every message is analysed; the main thread still stores each one once.
  db = null;
}

let queue: Promise<void> = Promise.resolve();
/** The pool closed: the messages still queued here are dropped (nothing would take their answers). */
let closing = false;

parentPort!.on('message', (msg: AnalyseRequest | CloseRequest | { type: 'keys'; keys: KeyRecord[] }) => {
  if (msg.type === 'keys') {
    for (const k of msg.keys) keys.add(k);
    return;
  }
  if (msg.type === 'close') {
    // Ends by itself (common/end-worker.ts): the connection closed, then nothing keeps the thread.
    closing = true;
    queue = queue.then(() => {
      db?.close();
      db = null;
      parentPort!.close();
    });
    return;
  }
  const bytes = Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
  // One message at a time, in arrival order: the pool times the oldest outstanding message.
  queue = queue
    .then(async (): Promise<AnalyseReply | null> => {
      if (closing) return null;
      const sha256 = hashBytes(bytes);
      if (db && hasMessage(db, sha256)) return { type: 'known', id: msg.id, sha256 };
      const a = await analyseMessage(bytes, { keys, liveLookup, now: setup.now }, sha256);
      return { type: 'done', id: msg.id, result: handOver(a) };
    })
    .then(
      (reply) => {
        if (reply) parentPort!.postMessage(reply);
      },
      (err: unknown) => {
        const reply: AnalyseReply = { type: 'error', id: msg.id, error: String((err as Error)?.stack ?? err) };
        parentPort!.postMessage(reply);
      },
    );
});
