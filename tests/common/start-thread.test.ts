import { spawnSync } from 'node:child_process';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { startThread } from '../../src/common/start-thread.ts';

const TEXT_MODULE = new URL('../../src/common/text.ts', import.meta.url).href;

/** A thread's entry from source text (plain JavaScript, which Node loads without stripping anything). */
const entry = (source: string): URL => new URL(`data:text/javascript,${encodeURIComponent(source)}`);

/** The entry reports its workerData, what it imported of src/, and whether Node's TypeScript parser was loaded in its thread. */
const PROBE = entry(`
import { parentPort, workerData } from 'node:worker_threads';
const text = await import(${JSON.stringify(TEXT_MODULE)});
parentPort.postMessage({
  data: workerData,
  exports: Object.keys(text).length,
  parser: process.moduleLoadList.some((m) => m.includes('amaro')),
});
`);

function firstMessage(start: (url: URL, options: WorkerOptions) => Worker): Promise<{ data: unknown; exports: number; parser: boolean }> {
  const worker = start(PROBE, { workerData: { role: 'probe', n: 1 } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('startThread', () => {
  it("runs the entry with its workerData, loading src/ from the stripped sources without the thread's own TypeScript parser", async () => {
    const handed = await firstMessage(startThread);
    expect(handed.data).toEqual({ role: 'probe', n: 1 });
    expect(handed.exports).toBeGreaterThan(0);
    expect(handed.parser).toBe(false);
    // The same entry in a thread started as before: Node loads its TypeScript parser there.
    const plain = await firstMessage((url, options) => new Worker(url, options));
    expect(plain.parser).toBe(true);
    expect(plain.exports).toBe(handed.exports);
  });

  it("reports an entry's failure through the thread's error event", async () => {
    const worker = startThread(entry(`throw new Error('the entry failed');`));
    const error = await new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(error.message).toBe('the entry failed');
  });

  it("says nothing on stderr (Node's note that stripTypeScriptTypes is experimental is held back)", () => {
    const script = `
      import { startThread } from ${JSON.stringify(new URL('../../src/common/start-thread.ts', import.meta.url).href)};
      startThread(new URL('data:text/javascript,'));
      process.emitWarning('another warning goes through');
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('another warning goes through');
    expect(r.stderr).not.toContain('ExperimentalWarning');
  });

  it('gives each thread the young generation its resourceLimits ask for, though the process was started with a --max-semi-space-size', () => {
    // Allocation that keeps many young objects alive a while, so that V8 grows the young generation
    // as far as it may; then its largest size, in MB.
    const churn = `
      const v8 = await import('node:v8');
      let keep = [];
      let largest = 0;
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 1e6; i++) {
          keep.push({ i, s: 'x' + i });
          if (keep.length > 300000) keep = [];
        }
        largest = Math.max(largest, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
      const youngMb = largest / 2 ** 20;
    `;
    const thread = `data:text/javascript,${encodeURIComponent(`import { parentPort } from 'node:worker_threads'; ${churn} parentPort.postMessage(youngMb);`)}`;
    const script = `
      import { startThread } from ${JSON.stringify(new URL('../../src/common/start-thread.ts', import.meta.url).href)};
      const worker = startThread(new URL(${JSON.stringify(thread)}), { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
      const threadMb = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
      await worker.terminate();
      ${churn}
      console.log(JSON.stringify({ threadMb, mainMb: youngMb }));
    `;
    const r = spawnSync(process.execPath, ['--max-semi-space-size=4', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { threadMb, mainMb } = JSON.parse(r.stdout) as { threadMb: number; mainMb: number };
    // The main thread near the flag's two semi-spaces of 4 MB (8-10.5 MB seen), the thread near its
    // 64 MB (without the reset: 8 MB, as the main thread).
    expect(mainMb).toBeLessThan(16);
    expect(threadMb).toBeGreaterThanOrEqual(32);
  });
});
