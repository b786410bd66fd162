// Byte streams as async iterables of Buffers: how files are read without holding them whole.

import type { FileHandle } from 'node:fs/promises';
import { READ_CHUNK_BYTES } from '../limits.ts';

/** Counts input bytes consumed for one file, never beyond that file's size (progress/ETA). */
export interface FileProgress {
  add(bytes: number): void;
}

/**
 * Reads a file from `start` to EOF or `end` (the size seen by stat, so a file still being written
 * cannot keep us reading forever). Each chunk is a fresh Buffer: readers keep slices of it.
 */
export async function* readFileChunks(
  handle: FileHandle,
  start: number,
  end: number,
  progress: FileProgress | null,
): AsyncGenerator<Buffer> {
  let position = start;
  while (position < end) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, end - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    progress?.add(bytesRead);
    yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
  }
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

/** All bytes, or null as soon as they exceed `limit` (the rest is not read). */
export async function collectBytes(chunks: AsyncIterable<Buffer>, limit: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts, total);
}
