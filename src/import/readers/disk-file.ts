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
import type { Place } from './directory.ts';
import { fileZipSource } from './zip-source.ts';
import { readMessageFile } from './message-file.ts';

/**
 * `size`: what the walk's lstat said; null when the walk did not examine the file (its folder's
 * listing said it is a regular file: directory.ts), and its size is then the open file's.
 */
export async function* readDiskFile(path: string, size: number | null, place: Place, ctx: ReadContext): AsyncGenerator<InputItem> {
  if (size === null) {
    yield* readListed(path, place, ctx);
    return;
  }
  const progress = fileProgress(ctx.progress, size);
  try {
    if (place.ignore) {
      yield skipped(path, place.ignore.code, place.ignore.reason);
    } else if (size === 0) {
      yield skipped(path, 'input/empty', 'the file is empty (0 bytes)');
    } else {
      yield* readOpened(path, place, progress, ctx);
    }
  } finally {
    // Whatever was not read (skipped, too large, not mail) still counts as done for the ETA.
    progress.finish();
  }
}

/**
 * A file the walk did not examine: opened first, then examined, with the records the walk and
 * readDiskFile would have made for it. Its size counts in the progress as the walk's would have.
 */
async function* readListed(path: string, place: Place, ctx: ReadContext): AsyncGenerator<InputItem> {
  const fd = openFile(path);
  if (typeof fd !== 'number') {
    const why = whyNotOpened(path, fd);
    ctx.progress.bytesRead += why.size;
    yield why.item;
    return;
  }
  let progress: (FileProgress & { finish(): void }) | null = null;
  try {
    const info = fstatSync(fd);
    progress = fileProgress(ctx.progress, info.isFile() ? info.size : 0);
    if (info.isFile() && info.size === 0) yield skipped(path, 'input/empty', 'the file is empty (0 bytes)');
    else yield* readOpenFile(fd, info, path, place, progress, ctx);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    yield failure(path, 'input/unreadable', `reading the file failed: ${describeSystemError(error)}`);
  } finally {
    closeSync(fd);
    progress?.finish();
  }
}

/**
 * Why a file its folder listed could not be opened, as the walk's lstat would have told it before
 * any open: gone since, or empty (an empty file is not read, readable or not); otherwise the open's
 * failure. With the size the walk would have counted.
 */
function whyNotOpened(path: string, openFailure: InputItem): { item: InputItem; size: number } {
  let info: Stats;
  try {
    info = lstatSync(path);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    const gone = error.code === 'ENOENT' || error.code === 'ENOTDIR';
    return { item: gone ? failure(path, 'input/not-found', 'no such file or folder') : openFailure, size: 0 };
  }
  const size = info.isFile() ? info.size : 0;
  return { item: size === 0 && info.isFile() ? skipped(path, 'input/empty', 'the file is empty (0 bytes)') : openFailure, size };
}

/** The file opened for reading, or the record of why it cannot be. */
function openFile(path: string): number | InputItem {
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since the walk looked, open must not hang.
    // Synchronous, like the reads (chunks.ts): a file's round trips through the thread pool cost far more.
    return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    return failure(path, 'input/unreadable', `the file cannot be opened: ${describeSystemError(error)}`);
  }
}

async function* readOpened(path: string, place: Place, progress: FileProgress, ctx: ReadContext): AsyncGenerator<InputItem> {
  const fd = openFile(path);
  if (typeof fd !== 'number') {
    yield fd;
    return;
  }
  try {
    // Examined inside the try: a failure of fstat is a failure to read the file.
    yield* readOpenFile(fd, fstatSync(fd), path, place, progress, ctx);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    yield failure(path, 'input/unreadable', `reading the file failed: ${describeSystemError(error)}`);
  } finally {
    closeSync(fd);
  }
}

/** An open file, examined (`info`): read as one message if it is one, else handed to the dispatch. The caller closes it. */
async function* readOpenFile(
  fd: number,
  info: Stats,
  path: string,
  place: Place,
  progress: FileProgress,
  ctx: ReadContext,
): AsyncGenerator<InputItem> {
  try {
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
  }
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
