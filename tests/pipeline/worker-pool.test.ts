// The pool's workers open the database read-only; closing the pool must let each close its
// connection and end by itself (common/end-worker.ts), not be terminated with it open.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openDatabase } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { WorkerPool, toSharedBytes } from '../../src/pipeline/worker-pool.ts';

const CORPUS = resolve(import.meta.dirname, '../../test-corpus/generated');
const dir = mkdtempSync(join(tmpdir(), 'lt-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A database holding one message, so that workers given its file open it to skip known messages. */
async function storedOne(name: string): Promise<{ file: string; bytes: Buffer }> {
  const file = join(dir, `${name}.sqlite`);
  const path = join(CORPUS, 'authentic-campaign-2023.eml');
  const db = openDatabase(file);
  await importPaths(db, [path], { workers: 0 });
  db.close();
  return { file, bytes: toSharedBytes(readFileSync(path)) };
}

describe('WorkerPool.close', () => {
  it('lets idle workers close their connection and end without being terminated', async () => {
    const { file, bytes } = await storedOne('idle');
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const pool = new WorkerPool(2, { keys: [], dnsLive: false, now: 0, dbFile: file });
    const answers = await Promise.all([pool.analyse(bytes), pool.analyse(bytes), pool.analyse(bytes)]);
    // The workers read the database: each knows the message.
    expect(answers.every((a) => a.known)).toBe(true);
    await pool.close();
    expect(terminate).not.toHaveBeenCalled();
  });

  it('drops the messages still queued and lets the workers end', async () => {
    const { file } = await storedOne('queued');
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const pool = new WorkerPool(1, { keys: [], dnsLive: false, now: 0, dbFile: file });
    const other = toSharedBytes(readFileSync(join(CORPUS, 'authentic-news-ed25519-attachment.eml')));
    const answered: unknown[] = [];
    for (let i = 0; i < 50; i++) void pool.analyse(other).then((a) => answered.push(a));
    await pool.close();
    expect(terminate).not.toHaveBeenCalled();
    // Far fewer than were handed in: the worker stopped at the close.
    expect(answered.length).toBeLessThan(50);
  });
});

describe('CPU time of the threads', () => {
  it("counts each worker's CPU as of its last answers, and keeps a replaced worker's", async () => {
    const url = new URL('../helpers/hanging-worker.ts', import.meta.url);
    const pool = new WorkerPool(1, { keys: [], dnsLive: false, now: 0, dbFile: null }, 2000, url);
    const message = (first: string) => toSharedBytes(Buffer.from(`${first}rom: a@example.org\r\n\r\nbody\r\n`));
    expect(pool.cpuMs).toBe(0);
    await pool.analyse(message('F'));
    const first = pool.cpuMs;
    expect(first).toBeGreaterThan(0);
    // The worker hangs and is replaced: what it had used stays counted, and its successor has said nothing yet.
    await expect(pool.analyse(message('!'))).rejects.toThrow(/longer than/);
    expect(pool.cpuMs).toBe(first);
    await pool.analyse(message('F'));
    expect(pool.cpuMs).toBeGreaterThan(first);
    await pool.close();
  });

  it("reports the import's threads, which add up to no more than the process used", async () => {
    const inputs = ['authentic-campaign-2023.eml', 'authentic-news-ed25519-attachment.eml'].map((f) => join(CORPUS, f));
    for (const workers of [1, 0]) {
      const db = openDatabase(join(dir, `cpu-${workers}.sqlite`));
      const before = process.cpuUsage();
      const { threadCpuMs: cpu } = await importPaths(db, inputs, { workers });
      const used = process.cpuUsage(before);
      db.close();
      expect(cpu.main).toBeGreaterThan(0);
      // The archive pass runs in a thread of its own for a database in a file.
      expect(cpu.archive).toBeGreaterThan(0);
      if (workers === 1) {
        expect(cpu.analysis).toBeGreaterThan(0);
        expect(cpu.reader).toBeGreaterThan(0);
      } else {
        // Read and analysed on the main thread.
        expect(cpu).toMatchObject({ analysis: 0, reader: 0 });
      }
      expect(cpu.main + cpu.analysis + cpu.reader + cpu.archive).toBeLessThanOrEqual((used.user + used.system) / 1000);
    }
  });
});
