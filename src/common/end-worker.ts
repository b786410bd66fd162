// How a worker thread that opened SQLite connections is ended. `worker.terminate()` stops a thread
// wherever it is, its connections and prepared statements still open; V8 then collects their
// wrappers while the isolate is torn down, after the addon's own cleanup (better-sqlite3 issue #1476
// and pull request #1477 describe a crash there). So the threads close what they opened and end by
// themselves; terminate() is kept for a thread that is stuck or too slow. Limit: this did not end
// the test process's occasional SIGSEGV, which came back in a test whose analysis threads open no
// connection at all; its cause is still unknown.
import type { Worker } from 'node:worker_threads';

/**
 * How long a thread that was asked to end (or has nothing left to do) may take: closing a read-only
 * connection and leaving takes milliseconds; a thread still busy after this is stuck.
 */
export const WORKER_END_MS = 10_000;

/**
 * Resolves once the thread has ended: by itself within `waitMs`, or else terminated. The caller has
 * asked it to end, or it ends when its work is done. The process is kept alive meanwhile (the thread
 * may be unref'd): a process must not exit while a thread still tears its connections down.
 */
export async function endWorker(worker: Worker, waitMs: number = WORKER_END_MS): Promise<void> {
  // -1 once the thread no longer runs, set before its 'exit' event is emitted (Node's docs).
  if (worker.threadId === -1) return;
  worker.ref();
  const ended = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), waitMs);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  if (!ended) await worker.terminate();
}
