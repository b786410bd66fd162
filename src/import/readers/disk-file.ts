// A regular file found by the walk: opened once, sniffed, handed to the registry's dispatch.
// I/O errors (EACCES, EIO) while opening or reading become `input/unreadable` records.

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
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

export async function* readDiskFile(path: string, size: number, place: Place, ctx: ReadContext): AsyncGenerator<InputItem> {
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

async function* readOpened(path: string, place: Place, progress: FileProgress, ctx: ReadContext): AsyncGenerator<InputItem> {
  let fd: number;
  try {
    // O_NONBLOCK: if the file was swapped for a FIFO since the walk looked, open must not hang.
    // Synchronous, like the reads (chunks.ts): a file's round trips through the thread pool cost far more.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    yield failure(path, 'input/unreadable', `the file cannot be opened: ${describeSystemError(error)}`);
    return;
  }
  try {
    const info = fstatSync(fd);
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
