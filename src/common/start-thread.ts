// How the tool starts its threads (readers, analysis, archive pass, checkpoints): each thread is a
// V8 isolate of its own, and Node strips the types of every TypeScript file it loads there once
// more, after loading its TypeScript parser (a WebAssembly module) once more. Measured on this
// machine, in a fresh process (`import('./src/pipeline/analyse-message.ts')`, and the same with the
// sources handed in stripped): loading the analysis took 510-560 CPU-ms, 220-300 with the stripped
// sources; stripping all of src/ once more on the main thread, whose parser is loaded already, took
// 80-90 CPU-ms. So the main thread strips the sources once (Node's own module.stripTypeScriptTypes,
// the stripping Node does itself: types become blanks, every line and column stays where it was)
// and hands them to each thread, whose loader takes them from there (module.registerHooks). A file
// not among them (a test's worker, a file added since) is loaded by Node as before: the hand-over
// saves work, it never decides what runs. An import of 10 messages took 2.0-2.3 CPU-s against
// 2.4, its messages phase 0.56-0.61 s against 0.69-0.71 (four alternated runs each); the mixed dump
// of `npm run bench` 17.2-19.6 s against 19.0-25.1 in three alternated pairs (this change and the
// lazy loading of mailparser and mailauth before it), peak RSS 415-431 MB against 430-465.
// The command turns Node's compile cache on (compile-cache.ts); a thread started then is left to
// Node, which takes its code from the cache: the hand-over is for processes without one (the tests).
import { stripTypeScriptTypes } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { compileCacheOn } from './compile-cache.ts';

/** The key of workerData under which a thread finds its sources and its entry (taken out before the entry runs). */
const BOOT_KEY = '__leaktriageThreadBoot';

interface Boot {
  entry: string;
  sources: Map<string, string>;
}

/**
 * What each thread runs first: it registers the loader that answers with the stripped sources, then
 * loads its entry. Plain JavaScript in a data: URL, so that this module needs no stripping itself.
 */
const BOOT_MODULE = `
import { registerHooks } from 'node:module';
import { workerData } from 'node:worker_threads';
const { entry, sources } = workerData[${JSON.stringify(BOOT_KEY)}];
delete workerData[${JSON.stringify(BOOT_KEY)}];
registerHooks({
  load(url, context, nextLoad) {
    const source = sources.get(url);
    return source === undefined ? nextLoad(url, context) : { format: 'module', source, shortCircuit: true };
  },
});
await import(entry);
`;
const BOOT_URL = new URL(`data:text/javascript,${encodeURIComponent(BOOT_MODULE)}`);

/** The folder whose TypeScript files are handed over: src/, this file's parent's parent. */
const SOURCE_ROOT = fileURLToPath(new URL('..', import.meta.url));

let stripped: Map<string, string> | null = null;

/** Every .ts file under src/, stripped of its types, by file URL; read once per process, when a thread first starts. */
function strippedSources(): Map<string, string> {
  if (stripped) return stripped;
  stripped = new Map();
  // Node says once per process that stripTypeScriptTypes is experimental: that sentence is not for
  // the tool's users, and only it is held back (other warnings go through as before).
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    for (const entry of readdirSync(SOURCE_ROOT, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
      const path = join(entry.parentPath, entry.name);
      try {
        stripped.set(pathToFileURL(path).href, stripTypeScriptTypes(readFileSync(path, 'utf8')));
      } catch {
        // Left to Node's own loader, which says what is wrong with the file if the thread loads it.
      }
    }
  } finally {
    process.emitWarning = emitWarning;
  }
  return stripped;
}

/**
 * A Worker running `entry` (a file URL), as `new Worker(entry, options)` would, with this process's
 * stripped sources handed over when the compile cache is off (threadArguments).
 */
export function startThread(entry: URL, options: WorkerOptions = {}): Worker {
  const [url, settings] = threadArguments(entry, options);
  // So that the thread has the young generation its resourceLimits ask for. A
  // --max-semi-space-size given to the process (bin/leaktriage.js gives one, for the main thread)
  // holds for every isolate made after it too, and V8 puts it before a Worker's
  // maxYoungGenerationSizeMb: with it, every thread had the main thread's young generation, whatever
  // it asked (trace-gc over 100,000 small messages: the archive pass's thread ran 295-297 scavenges
  // and 30-32 full collections with 16 MB, where it asks for 32 MB: 146-147 and 19). The flag is read
  // when an isolate is made, so setting it back to 0 (none) before each thread leaves the main
  // thread with its own: its young generation stayed at 32 MB under load with 16 given, against 128 MB
  // with none.
  setFlagsFromString('--max-semi-space-size=0');
  return new Worker(url, settings);
}

/**
 * What startThread gives `new Worker`. With the compile cache on (compile-cache.ts), the entry and
 * options as they are: Node loads the thread's code from the cache, stripped and compiled already,
 * for half the CPU of the hand-over, whose sources the cache does not keep. Otherwise the boot
 * module, with the stripped sources and the entry in workerData: `options.workerData`, if given,
 * must then be an object (it is passed on with one key added, which the thread removes before its
 * entry runs).
 */
export function threadArguments(entry: URL, options: WorkerOptions = {}): [URL, WorkerOptions] {
  const data = options.workerData as Record<string, unknown> | undefined;
  if (data !== undefined && (typeof data !== 'object' || data === null)) throw new TypeError('startThread: workerData must be an object');
  if (compileCacheOn()) return [entry, options];
  const boot: Boot = { entry: entry.href, sources: strippedSources() };
  return [BOOT_URL, { ...options, workerData: { ...data, [BOOT_KEY]: boot } }];
}
