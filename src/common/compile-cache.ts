// The tool's compile cache: V8's compiled form of the tool's own code (and of its libraries), kept
// by Node in a folder inside the tool's installation (node_modules/.cache/leaktriage), so that a
// command and each of its threads load the code without stripping the TypeScript types and parsing
// every module again. Node checks each entry against the source it was made from and compiles again
// when they differ; nothing from a dump ever goes there. A folder Node cannot write (an installation
// the user may not change) leaves the cache off, without a word; NODE_DISABLE_COMPILE_CACHE=1 turns
// it off, and a NODE_COMPILE_CACHE the caller sets names another folder (Node's own variables).
//
// Measured on the 2-core machine of bench/RESULTS.md (2026-12-06): a thread loading the analysis
// (src/pipeline/analyse-message.ts and the store) took 260-300 CPU-ms from the cache, against
// 450-610 with the stripped sources handed over (start-thread.ts) and 490-570 as Node loads it
// without either; handed-over sources are not cached (520-590). An import of the 12 demo messages
// took 1.27-1.49 CPU-s against 1.74-1.86 (three alternated pairs).
import { enableCompileCache, getCompileCacheDir } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where the tool keeps its compile cache: in its own installation, beside its libraries. */
export const OWN_COMPILE_CACHE = fileURLToPath(new URL('../../node_modules/.cache/leaktriage', import.meta.url));

/**
 * Turns the compile cache on for this process and, through NODE_COMPILE_CACHE, for the threads it
 * starts from now on; returns its folder, or null when it is off (disabled, or the folder could not
 * be made). Call it before loading the code it should serve.
 */
export function enableOwnCompileCache(): string | null {
  // A folder the caller names was taken up by Node as the process started (then the result names
  // the folder of this version of Node within it, which the threads must not be given).
  const asked = process.env.NODE_COMPILE_CACHE;
  const result = enableCompileCache(asked ? undefined : OWN_COMPILE_CACHE);
  if (result.directory === undefined) return null;
  if (asked) return asked;
  process.env.NODE_COMPILE_CACHE = result.directory;
  return result.directory;
}

/** Whether threads started now load their code through the compile cache (they take it from NODE_COMPILE_CACHE). */
export function compileCacheOn(): boolean {
  return getCompileCacheDir() !== undefined && Boolean(process.env.NODE_COMPILE_CACHE);
}
