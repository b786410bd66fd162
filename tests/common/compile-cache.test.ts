import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWN_COMPILE_CACHE } from '../../src/common/compile-cache.ts';

const CACHE_MODULE = new URL('../../src/common/compile-cache.ts', import.meta.url).href;
const THREAD_MODULE = new URL('../../src/common/start-thread.ts', import.meta.url).href;
const TEXT_MODULE = new URL('../../src/common/text.ts', import.meta.url).href;

/** This process's environment without Node's compile-cache variables, and `env` over it. */
const cleanEnv = (env: Record<string, string | undefined>): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_COMPILE_CACHE: undefined,
  NODE_DISABLE_COMPILE_CACHE: undefined,
  ...env,
});

/**
 * In a fresh process: turns the cache on as the command does, starts a thread with startThread, and
 * reports what the process and the thread saw (the cache's folder in each, whether the thread
 * loaded Node's TypeScript parser, and that it could import a module of src/).
 */
function probe(env: Record<string, string | undefined>): {
  enabled: string | null;
  inherited: string | null;
  /** Whether startThread gives Worker the entry itself (not the boot module that hands the stripped sources over). */
  entryItself: boolean;
  thread: { dir: string | null; parser: boolean; exports: number };
} {
  const thread = `
    import { parentPort } from 'node:worker_threads';
    import { getCompileCacheDir } from 'node:module';
    const text = await import(${JSON.stringify(TEXT_MODULE)});
    parentPort.postMessage({
      dir: getCompileCacheDir() ?? null,
      parser: process.moduleLoadList.some((m) => m.includes('amaro')),
      exports: Object.keys(text).length,
    });
  `;
  const script = `
    const { enableOwnCompileCache } = await import(${JSON.stringify(CACHE_MODULE)});
    const enabled = enableOwnCompileCache();
    const { startThread, threadArguments } = await import(${JSON.stringify(THREAD_MODULE)});
    const entry = new URL('data:text/javascript,' + encodeURIComponent(${JSON.stringify(thread)}));
    const entryItself = threadArguments(entry)[0].href === entry.href;
    const worker = startThread(entry);
    const seen = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    console.log(JSON.stringify({ enabled, inherited: process.env.NODE_COMPILE_CACHE ?? null, entryItself, thread: seen }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: cleanEnv(env),
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}

describe('the compile cache', () => {
  it("is kept inside the tool's installation and reaches the threads, which Node then loads from it", () => {
    const seen = probe({});
    expect(seen.enabled).toBe(OWN_COMPILE_CACHE);
    expect(OWN_COMPILE_CACHE).toContain(join('node_modules', '.cache', 'leaktriage'));
    expect(seen.inherited).toBe(OWN_COMPILE_CACHE);
    expect(seen.entryItself).toBe(true);
    // Node keeps each version's entries in a folder of their own within it.
    expect(seen.thread.dir?.startsWith(join(OWN_COMPILE_CACHE, 'v'))).toBe(true);
    expect(seen.thread.exports).toBeGreaterThan(0);
    expect(readdirSync(OWN_COMPILE_CACHE).length).toBeGreaterThan(0);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE=1, and threads then get the stripped sources handed over', () => {
    const seen = probe({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(seen.enabled).toBeNull();
    expect(seen.inherited).toBeNull();
    expect(seen.entryItself).toBe(false);
    expect(seen.thread.dir).toBeNull();
    // Handed over: the thread imported src/ without Node's TypeScript parser.
    expect(seen.thread.parser).toBe(false);
    expect(seen.thread.exports).toBeGreaterThan(0);
  });

  it('goes where a NODE_COMPILE_CACHE set by the caller says, and the command writes nothing in the temporary folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compile-cache-'));
    try {
      const own = join(dir, 'cache');
      const seen = probe({ NODE_COMPILE_CACHE: own, TMPDIR: dir });
      expect(seen.enabled).toBe(own);
      expect(seen.entryItself).toBe(true);
      expect(seen.thread.dir?.startsWith(join(own, 'v'))).toBe(true);
      const r = spawnSync(process.execPath, [new URL('../../bin/leaktriage.js', import.meta.url).pathname, '--help'], {
        encoding: 'utf8',
        env: cleanEnv({ TMPDIR: dir }),
      });
      expect(r.status, r.stderr).toBe(0);
      expect(readdirSync(dir)).toEqual(['cache']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
