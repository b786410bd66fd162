// A small pool of analysis workers, one message in flight each. A worker that takes too long on
// one message (hostile input that makes a library spin) is ended and replaced; that message gets
// a stored failure instead of hanging the import.
import { Worker } from 'node:worker_threads';
import type { KeyRecord } from '../model.ts';
import type { AnalyseReply, AnalysedWithoutBytes, WorkerSetup } from './worker-protocol.ts';

/**
 * Longest time one message may take. Ordinary mail takes about a millisecond and a 25 MB message
 * with attachments well under a second here; a minute means the worker is stuck.
 */
export const ANALYSE_TIMEOUT_MS = 60_000;

export class AnalyseTimeoutError extends Error {
  override name = 'AnalyseTimeoutError';
}

interface Task {
  id: number;
  sha256: string;
  bytes: Buffer;
  resolve: (r: AnalysedWithoutBytes) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

const WORKER_URL = new URL('./analyse-worker.ts', import.meta.url);

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly setup: WorkerSetup;
  private readonly timeoutMs: number;

  constructor(size: number, setup: WorkerSetup, timeoutMs: number = ANALYSE_TIMEOUT_MS) {
    this.setup = setup;
    this.timeoutMs = timeoutMs;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_URL, { workerData: this.setup }), task: null, timer: null };
    slot.worker.on('message', (reply: AnalyseReply) => this.onReply(slot, reply));
    slot.worker.on('error', (err) => this.onCrash(slot, err));
    slot.worker.unref();
    return slot;
  }

  get busy(): number {
    return this.queue.length + this.slots.filter((s) => s.task).length;
  }

  analyse(sha256: string, bytes: Buffer): Promise<AnalysedWithoutBytes> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, sha256, bytes, resolve, reject });
      this.pump();
    });
  }

  /** Keys fetched from live DNS by one worker are shared with the others. */
  addKeys(keys: KeyRecord[]): void {
    for (const s of this.slots) s.worker.postMessage({ type: 'keys', keys });
    this.setup.keys.push(...keys);
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.timer = setTimeout(() => this.onTimeout(slot), this.timeoutMs);
      slot.worker.postMessage({ type: 'analyse', id: task.id, sha256: task.sha256, bytes: task.bytes });
    }
  }

  private finish(slot: Slot): Task | null {
    const task = slot.task;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task = null;
    slot.timer = null;
    return task;
  }

  private onReply(slot: Slot, reply: AnalyseReply): void {
    const task = this.finish(slot);
    if (task && task.id === reply.id) {
      if (reply.type === 'done') task.resolve(reply.result);
      else task.reject(new Error(reply.error));
    }
    this.pump();
  }

  private replace(slot: Slot): void {
    void slot.worker.terminate();
    if (this.closed) return;
    const i = this.slots.indexOf(slot);
    if (i !== -1) this.slots[i] = this.spawn();
  }

  private onTimeout(slot: Slot): void {
    const task = this.finish(slot);
    this.replace(slot);
    task?.reject(new AnalyseTimeoutError(`analysis took longer than ${this.timeoutMs / 1000} s and was stopped`));
    this.pump();
  }

  private onCrash(slot: Slot, err: Error): void {
    const task = this.finish(slot);
    this.replace(slot);
    task?.reject(new Error(`the analysis worker crashed: ${err.message}`));
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
