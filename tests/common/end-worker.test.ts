import { afterEach, describe, expect, it, vi } from 'vitest';
import { Worker } from 'node:worker_threads';
import { endWorker } from '../../src/common/end-worker.ts';

afterEach(() => vi.restoreAllMocks());

/** A thread from source text, its exit code recorded. */
function thread(source: string): { worker: Worker; exitCode: Promise<number> } {
  const worker = new Worker(source, { eval: true });
  const exitCode = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, exitCode };
}

describe('endWorker', () => {
  it('lets a thread that ends by itself end, without terminating it', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const { worker, exitCode } = thread('setTimeout(() => {}, 200);');
    worker.unref();
    await endWorker(worker, 5_000);
    expect(await exitCode).toBe(0);
    expect(terminate).not.toHaveBeenCalled();
  });

  it('terminates a thread that is still running after the wait', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const { worker, exitCode } = thread('setInterval(() => {}, 1000);');
    const started = Date.now();
    await endWorker(worker, 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(terminate).toHaveBeenCalledTimes(1);
    expect(await exitCode).toBe(1);
  });

  it('returns at once for a thread that has ended already', async () => {
    const { worker, exitCode } = thread('');
    expect(await exitCode).toBe(0);
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    await endWorker(worker, 60_000);
    expect(terminate).not.toHaveBeenCalled();
  });
});
