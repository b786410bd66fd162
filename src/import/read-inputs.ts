// The entry point of import: paths on disk in, a stream of exact message byte ranges, failures and
// skips out. Bad input never throws and never stops the stream; only programming errors throw.

import { lstatSync } from 'node:fs';
import type { InputItem } from '../model.ts';
import { type Limits, resolveLimits } from './limits.ts';
import type { ReadContext } from './readers/context.ts';
import { walkInputs } from './readers/directory.ts';
import { readDiskFile } from './readers/disk-file.ts';
import { FOLDER_FORMATS, readByteInput } from './readers/index.ts';

export interface ReadOptions {
  /** Increased as input bytes are consumed, to compare with measureInputs().bytes. */
  progress?: { bytesRead: number };
  limits?: Partial<Limits>;
  /**
   * Memory for a message's bytes that a reader joins from chunks (an .eml file, a zip entry): the
   * reader thread hands out room in its slabs (pipeline/byte-slabs.ts), so that they are not copied
   * there again. Only for bytes that become a message's; a new buffer of that size when not given.
   */
  allocate?: (size: number) => Buffer;
}

export async function* readInputs(paths: string[], options: ReadOptions = {}): AsyncGenerator<InputItem> {
  const ctx: ReadContext = {
    limits: resolveLimits(options.limits),
    progress: options.progress ?? { bytesRead: 0 },
    dispatch: readByteInput,
    ...(options.allocate ? { allocate: options.allocate } : {}),
  };
  for await (const event of walkInputs(paths, ctx.limits, FOLDER_FORMATS)) {
    if (event.kind === 'item') yield event.item;
    else yield* readDiskFile(event.path, event.size, event.place, ctx);
  }
}

/**
 * Files measureInputs counts between two turns of the event loop. Its walk is synchronous system
 * calls behind promises that are already resolved, so without a turn it ran to its end before the
 * thread handled any event: the reader thread, which measures beside its reading, sent its first 256
 * messages, then measured a million small files for 9.7 s (one lstat each) before it heard the main
 * thread's acknowledgement and read on, both analysis threads idle meanwhile. With `--workers 0` the
 * main thread measures, and its commit timer and events waited the same way.
 */
const MEASURE_TURN_FILES = 64;

/** Regular files and their bytes that readInputs would visit: the total for an ETA. */
export async function measureInputs(paths: string[]): Promise<{ files: number; bytes: number }> {
  const total = { files: 0, bytes: 0 };
  try {
    for await (const event of walkInputs(paths, resolveLimits(undefined), FOLDER_FORMATS)) {
      if (event.kind !== 'file') continue;
      total.files += 1;
      // A file the walk did not examine (directory.ts) is examined here, as the walk did before.
      total.bytes += event.size ?? sizeOf(event.path);
      if (total.files % MEASURE_TURN_FILES === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } catch {
    // An estimate only: a walk that fails half-way still gives a usable lower bound.
  }
  return total;
}

/** A file's size by its path, 0 if it cannot be examined (the reader tells why, when it gets there). */
function sizeOf(path: string): number {
  try {
    return lstatSync(path).size;
  } catch {
    return 0;
  }
}
