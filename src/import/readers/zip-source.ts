// Random access to a zip's bytes for yauzl, without extracting anything to disk: a file on disk,
// a stored (uncompressed) zip inside another zip read in place, or a deflated inner zip in memory.

import { PassThrough, Readable } from 'node:stream';
import { RandomAccessReader, fromRandomAccessReader, type ZipFile } from 'yauzl';
import { collectBytes, readFileChunks, readFileInto } from './chunks.ts';
import { InputProblem, type ZipSource } from './context.ts';

export type { ZipSource } from './context.ts';

class SourceReader extends RandomAccessReader {
  readonly source: ZipSource;
  constructor(source: ZipSource) {
    super();
    this.source = source;
  }
  override _readStreamForRange(start: number, end: number): Readable {
    return this.source.openRange(start, end);
  }
}

export function fileZipSource(fd: number, size: number): ZipSource {
  return {
    size,
    openRange: (start, end) => Readable.from(readFileChunks(fd, start, end, null), { objectMode: false }),
    read(start, end) {
      if (start < 0 || end > size || end < start) return null;
      const out = Buffer.allocUnsafe(end - start);
      return readFileInto(fd, out, start, end, null, 0) === out.length ? out : null;
    },
  };
}

export function bufferZipSource(buffer: Buffer): ZipSource {
  return {
    size: buffer.length,
    openRange(start, end) {
      const stream = new PassThrough();
      stream.end(buffer.subarray(start, end));
      return stream;
    },
    read: (start, end) => (start < 0 || end > buffer.length || end < start ? null : buffer.subarray(start, end)),
  };
}

/** Bytes [start, start + size) of another source: a stored entry, read where it lies. */
export function sliceZipSource(parent: ZipSource, start: number, size: number): ZipSource {
  const slice: ZipSource = { size, openRange: (from, to) => parent.openRange(start + from, start + to) };
  const read = parent.read?.bind(parent);
  if (read) slice.read = (from, to) => (from < 0 || to > size || to < from ? null : read(start + from, start + to));
  return slice;
}

/**
 * Opens the central directory. Names are left undecoded and sizes unchecked on purpose: yauzl
 * would reject the whole archive for one hostile name, and we check names and sizes per entry.
 */
export function openZipFile(source: ZipSource): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    const options = {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: true,
    };
    fromRandomAccessReader(new SourceReader(source), source.size, options, (error, zipfile) => {
      if (error) reject(error);
      else resolve(zipfile);
    });
  });
}

/**
 * A zip that only a stream gives (deflated inside a zip, inside a tar, decompressed from gzip or
 * zstd), held in memory up to `limit` bytes, since yauzl reads a zip at random and nothing is
 * extracted to disk; beyond it, the problem `code` with the reason `beyond`.
 */
export async function heldZipSource(rest: AsyncIterable<Buffer>, limit: number, code: string, beyond: string): Promise<ZipSource> {
  const bytes = await collectBytes(rest, limit);
  if (!bytes) throw new InputProblem(code, beyond);
  return bufferZipSource(bytes);
}
