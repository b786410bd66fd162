// A regular file found by the walk: opened once, sniffed, handed to the registry's dispatch.
// I/O errors (EACCES, EIO) while opening or reading become `input/unreadable` records.

import { closeSync, constants, fstatSync, lstatSync, openSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename } from 'node:path';
import type { InputItem } from '../../model.ts';
import { readFileChunks, readFileInto } from './chunks.ts';
import { SNIFF_BYTES } from '../limits.ts';
import {
  type ByteInput,
  type FileProgress,
  type ReadContext,
  InputProblem,
  describeSystemError,
  failure,
  isSystemError,
  skipped,
} from './context.ts';
import { type Place, describeStatError } from './directory.ts';
import { fileZipSource } from './zip-source.ts';
import { readMessageFile } from './message-file.ts';

/**
 * `size`: what the walk's lstat said; null when the walk did not examine the file (its folder's
 * listing said it is a regular file: directory.ts), and it is examined once open.
 */
export async function* readDiskFile(path: string, size: number | null, place: Place, ctx: ReadContext): AsyncGenerator<InputItem> {
  const progress = size === null ? null : fileProgress(ctx.progress, size);
  try {
    if (place.ignore) {
      yield skipped(path, place.ignore.code, place.ignore.reason);
    } else if (size === 0) {
      yield emptyFile(path);
    } else {
      yield* readOpened(path, place, ctx, progress);
    }
  } finally {
    // Whatever was not read (skipped, too large, not mail) still counts as done for the ETA.
    progress?.finish();
  }
}

type Progress = FileProgress & { finish(): void };

/**
 * Opens the file, examines it and reads it. `walked`: its progress, when the walk examined it;
 * null when it did not, and then the open file's size counts (an empty file is told here), or, if
 * it cannot be opened, what its path says as the walk would have told it (gone, or empty).
 */
async function* readOpened(path: string, place: Place, ctx: ReadContext, walked: Progress | null): AsyncGenerator<InputItem> {
  let fd: number;
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since the walk looked, open must not hang.
    // Synchronous, like the reads (chunks.ts): a file's round trips through the thread pool cost far more.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    const why = failure(path, 'input/unreadable', `the file cannot be opened: ${describeSystemError(error)}`);
    yield walked ? why : examinedByPath(path, why, ctx.progress);
    return;
  }
  let own: Progress | null = null;
  try {
    const info = fstatSync(fd);
    if (!walked) {
      own = fileProgress(ctx.progress, info.isFile() ? info.size : 0);
      if (info.isFile() && info.size === 0) {
        yield emptyFile(path);
        return;
      }
    }
    const progress = (walked ?? own)!;
    if (!info.isFile()) {
      yield skipped(path, 'input/not-a-file', 'not a regular file (it changed while the import ran): not read');
      return;
    }
    // Most files hold one message: read at once (message-file.ts; the reader thread's CPU for
    // 100,000 small files, 46-54 µs a file before, 37-41 µs after); any other file as below.
    const quick = readMessageFile(fd, info.size, path, place, progress, ctx);
    if (quick) {
      yield quick;
      return;
    }
    const input: ByteInput = {
      label: path,
      name: basename(path),
      container: null,
      folder: place.folder,
      mailbox: place.mailbox,
      size: info.size,
      // The first read is only what recognising the file needs (readers/index.ts): the rest of a
      // message file is then read straight into where its bytes will live (readInto, eml-file.ts).
      chunks: readFileChunks(fd, 0, info.size, progress, { firstChunk: SNIFF_BYTES }),
      readInto: (target, from) => readFileInto(fd, target, from, info.size, progress),
      readChunksFrom: (from) => readFileChunks(fd, from, info.size, progress, { shared: true }),
      openZip: async () => fileZipSource(fd, info.size),
      zipDepth: 0,
      progress,
      zipBudget: null,
    };
    yield* ctx.dispatch(input, ctx);
  } catch (error) {
    if (error instanceof InputProblem) {
      yield failure(path, error.code, error.message, error.offset);
    } else if (isSystemError(error)) {
      yield failure(path, 'input/unreadable', `reading the file failed: ${describeSystemError(error)}`);
    } else {
      throw error;
    }
  } finally {
    closeSync(fd);
    own?.finish();
  }
}

/**
 * A file the walk did not examine and that cannot be opened, examined by its path as the walk
 * would have done first: gone since its folder was listed (the walk's record), or empty (an empty
 * file is never read, readable or not); otherwise `openFailure`. Its size counts as the walk's would.
 */
function examinedByPath(path: string, openFailure: InputItem, progress: { bytesRead: number }): InputItem {
  let info: Stats;
  try {
    info = lstatSync(path);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    return describeStatError(path, error, false);
  }
  if (!info.isFile()) return openFailure;
  progress.bytesRead += info.size;
  return info.size === 0 ? emptyFile(path) : openFailure;
}

function emptyFile(path: string): InputItem {
  return skipped(path, 'input/empty', 'the file is empty (0 bytes)');
}

function fileProgress(total: { bytesRead: number }, size: number): FileProgress & { finish(): void } {
  let counted = 0;
  const add = (bytes: number): void => {
    const step = Math.max(0, Math.min(bytes, size - counted));
    counted += step;
    total.bytesRead += step;
  };
  return { add, finish: () => add(size - counted) };
}
