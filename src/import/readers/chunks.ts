// Byte streams as async iterables of Buffers: how files are read without holding them whole.

import { readSync } from 'node:fs';
import { READ_CHUNK_BYTES } from '../limits.ts';

/** Counts input bytes consumed for one file, never beyond that file's size (progress/ETA). */
export interface FileProgress {
  add(bytes: number): void;
}

/**
 * Reads an open file from `start` to EOF or `end` (the size seen by stat, so a file still being written
 * cannot keep us reading forever). Each chunk is a fresh Buffer, of which readers keep slices, unless
 * `shared` (below).
 *
 * The reads are synchronous: the readers run in a thread of their own (or, with --workers 0, on a
 * thread that waits for them anyway), and going through libuv's thread pool cost about 30 times the
 * CPU of the read itself (20,000 small files: 7.8 CPU-s with fs/promises, 0.4 s with fs sync calls).
 */
export async function* readFileChunks(
  fd: number,
  start: number,
  end: number,
  progress: FileProgress | null,
  { firstChunk = READ_CHUNK_BYTES, shared = false }: { firstChunk?: number; shared?: boolean } = {},
): AsyncGenerator<Buffer> {
  let position = start;
  let chunk = firstChunk;
  // With `shared`, the chunks are read into two buffers that take turns: each is overwritten when
  // the one after the next is read (ByteInput.readChunksFrom). Reading into memory used a moment
  // before costs less than into new memory, which this machine hands over slowly (mbox.ts,
  // mboxChunks, says how much).
  const turns: Buffer[] = [];
  for (let turn = 0; position < end; turn ^= 1) {
    const size = Math.min(chunk, end - position);
    chunk = READ_CHUNK_BYTES;
    const buffer = shared
      ? (turns[turn] ??= Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, end - start))).subarray(0, size)
      : Buffer.allocUnsafe(size);
    const bytesRead = readSync(fd, buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    progress?.add(bytesRead);
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }
}

/**
 * Reads bytes [from, end) of an open file into `target`, from offset `at` (by default at the same
 * offsets as in the file), in as many reads as it takes; returns how many it read (fewer when the
 * file ended early).
 */
export function readFileInto(fd: number, target: Buffer, from: number, end: number, progress: FileProgress | null, at = from): number {
  let position = from;
  while (position < end) {
    const bytesRead = readSync(fd, target, at + position - from, end - position, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    progress?.add(bytesRead);
  }
  return position - from;
}

/** The first `size` bytes (or fewer at EOF) for recognition, and the whole stream again from byte 0. */
export async function peekHead(chunks: AsyncIterable<Buffer>, size: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let total = 0;
  let done = false;
  while (total < size) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    total += next.value.length;
  }
  const head = Buffer.concat(seen, Math.min(total, size));
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* seen.splice(0);
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      done = true;
    } finally {
      // A reader that stops early (too large, bomb) lets the source close its stream.
      if (!done) await iterator.return?.();
    }
  }
  return { head, rest: replay() };
}

/**
 * All bytes, or null as soon as they exceed `limit` (the rest is not read). `allocate`: where they
 * are joined (a new buffer when not given); asked only once they are all read, so only for bytes returned.
 */
export async function collectBytes(
  chunks: AsyncIterable<Buffer>,
  limit: number,
  allocate?: (size: number) => Buffer,
): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) return null;
    parts.push(chunk);
  }
  if (!allocate) return Buffer.concat(parts, total);
  const out = allocate(total);
  let at = 0;
  for (const part of parts) at += part.copy(out, at);
  return out;
}
