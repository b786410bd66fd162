// A small pool of analysis workers. Each worker holds a few messages and analyses them one after
// the other, so it keeps working while the main thread is busy writing to the database. A worker
// that takes too long on one message (hostile input that makes a library spin) or runs out of its
// memory is ended and replaced; that message gets a stored failure instead of hanging or sinking the
// import, the others are handed out again. Message bytes are put in shared memory once: the worker
// reads them where they are, and the main thread still holds them to store them, whatever happens.
import type { Worker } from 'node:worker_threads';
import { startThread } from '../common/start-thread.ts';
import type { KeyRecord } from '../model.ts';
import { CURRENT_TASK, WORKER_STATE_INTS } from './worker-protocol.ts';
import type { AnalyseAnswers, AnalyseRequest, CloseRequest, EncodedAnalysis, WorkerSetup, WorkerStart } from './worker-protocol.ts';
import { AnalyseTimeoutError } from './analyse-message.ts';
import { endWorker } from '../common/end-worker.ts';

/**
 * Longest time one message may take. Ordinary mail takes about a millisecond and a 25 MB message
 * with attachments well under a second here; a minute means the worker is stuck.
 */
export const ANALYSE_TIMEOUT_MS = 60_000;

/**
 * Heap of one analysis worker (V8's old generation; message bytes live outside it). Decoded text is
 * capped (parse/mime-walk.ts) and attachments are decoded in slices, so a worker needs far less;
 * a worker that reaches it is ended like a stuck one, and its message recorded as failed.
 */
export const WORKER_HEAP_MB = 192;

/**
 * Young generation of one analysis worker. Left to itself V8 grows it to ~100 MB per worker under
 * the fuzz load (trace-gc: scavenges of 124 -> 30 MB) although 25-35 MB stay live, and that
 * memory stays committed; 16 MB costs more frequent scavenges, not failures (objects that outlive
 * one move to the old generation, which WORKER_HEAP_MB bounds).
 */
export const WORKER_YOUNG_MB = 16;

/**
 * Most analysis workers an import runs. Each takes 100-150 MB more at its peak under the fuzzer's
 * hostile load (`npm run fuzz`, 10,000 messages: 750 MB with one, 890 with two, 1,004 with
 * three, 1,103-1,121 with four, 1,522 with eight, before the memory settings of bin/leaktriage.js).
 * With them: two 743 MB, three 864, four 928-953; with the fuzzer's largest mutations doubled
 * (`--scale 2`), two 899 MB, three 954, four 1,100. Three keep an import under 1 GB on both.
 */
export const MAX_WORKERS = 3;

export { AnalyseTimeoutError };

/** What the pool says of a message: already in the database (by its hash), or analysed. */
export type PoolAnswer = { known: true; sha256: string } | { known: false; result: EncodedAnalysis };

interface Task {
  id: number;
  bytes: Uint8Array;
  resolve: (r: PoolAnswer) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Sent and not answered, oldest first; the worker runs them in this order. */
  tasks: Task[];
  timer: NodeJS.Timeout | null;
  /** Shared with the worker: which message it is on (worker-protocol.ts CURRENT_TASK). */
  state: Int32Array;
  /** The CPU time the worker's thread had used at its last post of answers, in microseconds. */
  cpuMicros: number;
}

/**
 * Messages handed to one worker at once: enough to bridge a database write on the main thread
 * (dispatch.ts: 256 in flight per worker, half of them queued in the worker, half waiting here).
 */
const PER_WORKER = 128;

/**
 * Messages handed to a worker in one post, at most. Messages handed in one by one are posted
 * together on the next turn of the event loop (the reader thread delivers them in batches:
 * read-thread.ts), as the worker posts its answers together (analyse-worker.ts): one post a
 * message each way cost both threads an event and a wake-up per message.
 */
const POST_BATCH = 32;

const WORKER_URL = new URL('./analyse-worker.ts', import.meta.url);

/** The bytes in memory that workers can read in place (one copy, unless they are there already). */
export function toSharedBytes(bytes: Buffer): Buffer {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(shared);
  return shared;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** CPU time of the workers replaced (stuck or crashed), as of their last answers, in microseconds. */
  private replacedCpuMicros = 0;
  private waiters: (() => void)[] = [];
  private readonly setup: WorkerSetup;
  private readonly timeoutMs: number;
  private readonly workerUrl: URL;

  /** `workerUrl`: the workers' script (tests give one that hangs on purpose; worker-protocol.ts is its contract). */
  constructor(size: number, setup: WorkerSetup, timeoutMs: number = ANALYSE_TIMEOUT_MS, workerUrl: URL = WORKER_URL) {
    this.setup = setup;
    this.timeoutMs = timeoutMs;
    this.workerUrl = workerUrl;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const state = new SharedArrayBuffer(WORKER_STATE_INTS * Int32Array.BYTES_PER_ELEMENT);
    const worker = startThread(this.workerUrl, {
      workerData: { ...this.setup, state } satisfies WorkerStart,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
    });
    const slot: Slot = { worker, tasks: [], timer: null, state: new Int32Array(state), cpuMicros: 0 };
    slot.worker.on('message', (answers: AnalyseAnswers) => this.onAnswers(slot, answers));
    slot.worker.on('error', (err) => this.onCrash(slot, err));
    slot.worker.unref();
    return slot;
  }

  /**
   * The CPU time the workers have used, in milliseconds, as of each one's last post of answers (what a
   * worker spends after its last answer, or on a message it is stopped in, is not counted).
   */
  get cpuMs(): number {
    return (this.replacedCpuMicros + this.slots.reduce((n, s) => n + s.cpuMicros, 0)) / 1000;
  }

  /** Messages handed in and not answered yet. */
  get busy(): number {
    return this.queue.length + this.slots.reduce((n, s) => n + s.tasks.length, 0);
  }

  /** Resolves when the next message is answered (or given up): room for another one. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  /** Hashes and analyses a message; `bytes` should be shared (toSharedBytes) or it is copied. */
  analyse(bytes: Buffer): Promise<PoolAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, resolve, reject });
      if (this.queue.length >= POST_BATCH * this.slots.length) this.pump();
      else this.pumpSoon();
    });
  }

  private pumpScheduled = false;

  /** Pumps on the next turn of the event loop, with whatever has been handed in by then. */
  private pumpSoon(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Keys fetched from live DNS by one worker are shared with the others. */
  addKeys(keys: KeyRecord[]): void {
    for (const s of this.slots) s.worker.postMessage({ type: 'keys', keys });
    this.setup.keys.push(...keys);
  }

  /**
   * Hands waiting messages out, each to the worker holding fewest. Filling one worker to PER_WORKER
   * before the next left the second idle whenever the byte budget allowed fewer messages in flight
   * than that (the mixed dump: one worker busy, the other idle 80 % of the time).
   */
  private pump(): void {
    const posts = new Map<Slot, AnalyseRequest['tasks']>();
    while (this.queue.length > 0) {
      let slot: Slot | null = null;
      for (const s of this.slots) if (s.tasks.length < PER_WORKER && (!slot || s.tasks.length < slot.tasks.length)) slot = s;
      if (!slot) break;
      const task = this.queue.shift()!;
      slot.tasks.push(task);
      let post = posts.get(slot);
      if (!post) posts.set(slot, (post = []));
      post.push({ id: task.id, bytes: task.bytes });
      if (post.length >= POST_BATCH) {
        slot.worker.postMessage({ type: 'analyse', tasks: post } satisfies AnalyseRequest);
        posts.set(slot, []);
      }
      if (!slot.timer) this.arm(slot);
    }
    for (const [slot, tasks] of posts) if (tasks.length) slot.worker.postMessage({ type: 'analyse', tasks } satisfies AnalyseRequest);
  }

  /** The clock runs while the worker holds messages; every post of answers restarts it. */
  private arm(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = slot.tasks.length > 0 ? setTimeout(() => this.onTimeout(slot), this.timeoutMs) : null;
  }

  private onAnswers(slot: Slot, answers: AnalyseAnswers): void {
    slot.cpuMicros = answers.cpuMicros;
    for (const reply of answers.replies) {
      const i = slot.tasks.findIndex((t) => t.id === reply.id);
      if (i === -1) continue;
      const [task] = slot.tasks.splice(i, 1);
      if (reply.type === 'done') task!.resolve({ known: false, result: reply.result });
      else if (reply.type === 'known') task!.resolve({ known: true, sha256: reply.sha256 });
      else task!.reject(new Error(reply.error));
    }
    this.arm(slot);
    this.pump();
    this.wake();
  }

  /**
   * The message a worker is stuck on or died in: the one it says it is on, or else (it never began
   * one, or is between two) the oldest it was handed. Messages before it may be analysed with
   * their answers held (analyse-worker.ts): they are handed out again, not blamed.
   */
  private culpritOf(slot: Slot): Task | undefined {
    const current = Atomics.load(slot.state, CURRENT_TASK);
    return slot.tasks.find((t) => t.id === current) ?? slot.tasks[0];
  }

  /** Ends a worker; its unanswered messages but `culprit` go back to the front of the queue. */
  private replace(slot: Slot, culprit: Task | undefined): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const others = slot.tasks.filter((t) => t !== culprit);
    slot.tasks = [];
    this.queue.unshift(...others);
    this.replacedCpuMicros += slot.cpuMicros;
    slot.cpuMicros = 0;
    void slot.worker.terminate();
    if (this.closed) return;
    const i = this.slots.indexOf(slot);
    if (i !== -1) this.slots[i] = this.spawn();
  }

  private onTimeout(slot: Slot): void {
    const culprit = this.culpritOf(slot);
    this.replace(slot, culprit);
    culprit?.reject(new AnalyseTimeoutError(`analysis took longer than ${this.timeoutMs / 1000} s and was stopped`));
    this.pump();
    this.wake();
  }

  private onCrash(slot: Slot, err: Error): void {
    const culprit = this.culpritOf(slot);
    this.replace(slot, culprit);
    culprit?.reject(new Error(`the analysis worker crashed: ${err.message}`));
    this.pump();
    this.wake();
  }

  /**
   * Ends the workers: each drops the messages it still holds (the import failed or was stopped:
   * nothing takes their answers), closes its connection and ends by itself, or is terminated after
   * WORKER_END_MS (common/end-worker.ts).
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map((s) => {
        if (s.timer) clearTimeout(s.timer);
        s.timer = null;
        s.worker.postMessage({ type: 'close' } satisfies CloseRequest);
        return endWorker(s.worker);
      }),
    );
  }
}
