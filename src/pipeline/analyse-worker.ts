// A worker thread that hashes and analyses messages (parse, verify, check, decide): the CPU-bound
// part of an import, off the thread that reads inputs and writes the database. A message the
// database already holds (a re-run after a kill) is only hashed: its own read-only connection says so.
import { parentPort, workerData } from 'node:worker_threads';
import { resolveTxt } from 'node:dns/promises';
import type { KeyRecord } from '../model.ts';
import { threadCpuMicros } from '../common/thread-cpu.ts';
import { openDatabase } from '../store/database.ts';
import type { Db } from '../store/database.ts';
import { hasMessage } from '../store/messages-repo.ts';
import { KeyIndex } from '../verify/key-index.ts';
import { analyseMessage, hashBytes } from './analyse-message.ts';
import {
  CURRENT_TASK,
  encodeAnalysis,
  type AnalyseAnswers,
  type AnalyseRequest,
  type AnalyseReply,
  type CloseRequest,
  type WorkerStart,
} from './worker-protocol.ts';

const setup = workerData as WorkerStart;
const state = new Int32Array(setup.state);
const keys = new KeyIndex(setup.keys);
const liveLookup = setup.dnsLive ? (name: string) => resolveTxt(name) : undefined;
let db: Db | null = null;
try {
  db = setup.dbFile ? openDatabase(setup.dbFile, { readonly: true }) : null;
} catch {
  // Without it every message is analysed; the main thread still stores each one once.
  db = null;
}

/**
 * Answers held before they are posted, at most: each post costs this thread and the main thread an
 * event and a wake-up, as much as a small message's hand-over itself. Answers are posted at once
 * when no message waits here (the main thread is not kept waiting for the last of a burst), with
 * the first answer that comes ANSWERS_HOLD_MS or more after the oldest held one, and before they
 * hold ANSWERS_CHARS of decoded text (they sit in this thread's bounded heap: worker-pool.ts
 * WORKER_HEAP_MB).
 */
const ANSWERS_BATCH = 16;
const ANSWERS_HOLD_MS = 20;
const ANSWERS_CHARS = 1024 * 1024;

let held: AnalyseReply[] = [];
let heldSince = 0;
let heldChars = 0;
/** Messages received and not answered (held answers included). */
let waiting = 0;

function post(): void {
  if (held.length === 0) return;
  parentPort!.postMessage({ type: 'answers', replies: held, cpuMicros: threadCpuMicros() } satisfies AnalyseAnswers);
  held = [];
  heldChars = 0;
}

function answer(reply: AnalyseReply): void {
  waiting--;
  if (held.length === 0) heldSince = performance.now();
  held.push(reply);
  if (reply.type === 'done') heldChars += (reply.result.rows.content[1]?.length ?? 0) + (reply.result.rows.content[2]?.length ?? 0);
  if (waiting === 0 || held.length >= ANSWERS_BATCH || heldChars >= ANSWERS_CHARS || performance.now() - heldSince >= ANSWERS_HOLD_MS)
    post();
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
  waiting += msg.tasks.length;
  for (const task of msg.tasks) {
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    // One message at a time, in arrival order.
    queue = queue
      .then(async (): Promise<AnalyseReply | null> => {
        if (closing) return null;
        Atomics.store(state, CURRENT_TASK, task.id);
        const sha256 = hashBytes(bytes);
        if (db && hasMessage(db, sha256)) return { type: 'known', id: task.id, sha256 };
        const a = await analyseMessage(bytes, { keys, liveLookup, now: setup.now }, sha256);
        return { type: 'done', id: task.id, result: encodeAnalysis(a, bytes.length) };
      })
      .then(
        (reply) => {
          Atomics.store(state, CURRENT_TASK, 0);
          if (reply) answer(reply);
        },
        (err: unknown) => {
          Atomics.store(state, CURRENT_TASK, 0);
          answer({ type: 'error', id: task.id, error: String((err as Error)?.stack ?? err) });
        },
      );
  }
});
