// .zip archives, read in place with yauzl one entry at a time (lazyEntries): nothing is extracted
// to disk, and one entry at a time is read, whole (up to maxZipAtOnceBytes, readAtOnce) or as a
// stream. Entries go back to the registry, so an mbox or a zip inside a zip is read like one on disk.

import { type Readable, pipeline } from 'node:stream';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import type { Entry, ZipFile } from 'yauzl';
import type { InputItem } from '../../model.ts';
import { looksLikeZip } from '../detect.ts';
import { type Limits, READ_CHUNK_BYTES } from '../limits.ts';
import {
  type ByteInput,
  type FileFormat,
  type FileProgress,
  type ReadContext,
  type ZipBudget,
  InputProblem,
  dispatchInside,
  entryInput,
  failure,
} from './context.ts';
import { localDataStart, scanLocalHeaders, startsWithLocalHeader } from './zip-recover.ts';
import { type EntryBytes, EntrySpans, archiveBudget, checkEntry, decodeEntryName, guardEntryStream, streamedBytes } from './zip-safety.ts';
import { type ZipSource, heldZipSource, openZipFile, sliceZipSource } from './zip-source.ts';

export const zipFormat: FileFormat = {
  kind: 'zip',
  extensions: ['.zip'],
  names: [],
  // A file named .zip that is not one is still read as a zip, to report it as corrupt.
  trustName: true,
  matchesContent: looksLikeZip,
  read: readZipInput,
};

interface ZipPlace {
  /** SourceRef.path of the archive itself; entries are `<label>!/<name>`. */
  label: string;
  /** Zips this archive is inside of (0 for an archive on disk). */
  depth: number;
  progress: FileProgress | null;
  budget: ZipBudget;
  /** Byte ranges of this archive's entries read so far: overlapping entries are a bomb. */
  spans: EntrySpans;
}

async function* readZipInput(input: ByteInput, rest: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<InputItem> {
  if (input.zipDepth + 1 > ctx.limits.maxZipDepth) {
    yield failure(
      input.label,
      'zip/too-deep',
      `a zip nested more than ${ctx.limits.maxZipDepth} deep is not opened (zip-in-zip bombs nest deeply)`,
    );
    return;
  }
  const source = await input.openZip(rest);
  const budget = input.zipBudget ?? archiveBudget(source.size, ctx.limits);
  yield* readZip(source, { label: input.label, depth: input.zipDepth, progress: input.progress, budget, spans: new EntrySpans() }, ctx);
}

async function* readZip(source: ZipSource, place: ZipPlace, ctx: ReadContext): AsyncGenerator<InputItem> {
  let zipfile: ZipFile;
  try {
    zipfile = await openZipFile(source);
  } catch (error) {
    yield* failOrRecover(source, place, ctx, error);
    return;
  }
  // yauzl emits 'error' only in answer to readEntry(); this keeps a late one from crashing the process.
  zipfile.on('error', () => {});
  try {
    for (let count = 0; ; count++) {
      let entry: Entry | null;
      try {
        entry = await nextEntry(zipfile);
      } catch (error) {
        if (count === 0) {
          yield* failOrRecover(source, place, ctx, error);
        } else {
          // The entries after the damage may still be intact: walk their local headers from the last one read.
          yield archiveFailure(
            place.label,
            error,
            `the archive's directory is damaged after ${count} entries; the entries after them are read from their own headers`,
          );
          yield* recoverZip(source, place, ctx, place.spans.lastStart, count);
        }
        return;
      }
      if (!entry) return;
      if (count >= ctx.limits.maxZipEntries) {
        yield failure(
          place.label,
          'zip/too-many-entries',
          `the archive declares ${zipfile.entryCount} entries; only the first ${ctx.limits.maxZipEntries} were read`,
        );
        return;
      }
      yield* readEntry(entry, yauzlAccess(zipfile, source), source, place, ctx);
      place.progress?.add(entry.compressedSize);
    }
  } finally {
    zipfile.close();
  }
}

function archiveFailure(label: string, error: unknown, context: string): InputItem {
  const detail = error instanceof Error ? error.message : String(error);
  // yauzl refuses the whole central directory when an entry uses strong (certificate) encryption.
  const code = /encryption/i.test(detail) ? 'zip/encrypted' : 'zip/corrupt';
  return failure(label, code, `${context}: ${detail}`);
}

function nextEntry(zipfile: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      done();
      resolve(entry);
    };
    const onEnd = (): void => {
      done();
      resolve(null);
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    function done(): void {
      zipfile.off('entry', onEntry).off('end', onEnd).off('error', onError);
    }
    zipfile.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zipfile.readEntry();
  });
}

/** No usable central directory: a failure for the archive, then what its local headers still give. */
async function* failOrRecover(source: ZipSource, place: ZipPlace, ctx: ReadContext, error: unknown): AsyncGenerator<InputItem> {
  if (!(await startsWithLocalHeader(source))) {
    yield archiveFailure(place.label, error, 'the archive cannot be opened');
    return;
  }
  yield archiveFailure(
    place.label,
    error,
    "the archive's directory is missing or damaged (a download cut short?); the entries before the damage are read from their own headers",
  );
  yield* recoverZip(source, place, ctx);
}

/** Walks the local headers of an archive without a usable central directory, from `from`. */
async function* recoverZip(source: ZipSource, place: ZipPlace, ctx: ReadContext, from = 0, alreadyRead = 0): AsyncGenerator<InputItem> {
  let count = alreadyRead;
  for await (const found of scanLocalHeaders(source, from)) {
    if (found.kind === 'stop') {
      const where = found.name ? `${place.label}!/${found.name.toString('utf8').replace(/\\/g, '/')}` : place.label;
      yield failure(where, 'zip/corrupt', `reading stopped at offset ${found.offset}: ${found.reason}`);
      return;
    }
    // The directory may list entries out of order: one read through it is not read again.
    if (place.spans.has(found.offset)) continue;
    if (++count > ctx.limits.maxZipEntries) {
      yield failure(place.label, 'zip/too-many-entries', `only the first ${ctx.limits.maxZipEntries} entries were read`);
      return;
    }
    yield* readEntry(found.entry, localAccess(source, found.dataStart), source, place, ctx);
    place.progress?.add(found.entry.compressedSize);
  }
}

/** How to get at an entry's bytes: through yauzl, or from a local header found by scanning. */
interface EntryAccess {
  openStream(entry: Entry): Promise<Readable>;
  dataStart(entry: Entry): Promise<number>;
  /** Where the entry's data starts, read on this thread (ZipSource.read); null when that cannot be told so. */
  dataStartNow(entry: Entry): number | null;
}

/**
 * Bytes zlib hands on at a time when an entry is streamed (its default is 16 KiB, yauzl's too): every
 * chunk then goes through the entry's streams, its checks and its reader one at a time.
 */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/** A deflated entry's stream of raw bytes, inflated. */
function inflated(raw: Readable): Readable {
  return pipeline(raw, createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES }), () => {});
}

function yauzlAccess(zipfile: ZipFile, source: ZipSource): EntryAccess {
  return {
    // As yauzl reads the local header (its minimal read).
    dataStartNow(entry) {
      const at = entry.relativeOffsetOfLocalHeader;
      const header = source.read?.(at, at + 30) ?? null;
      return header && localDataStart(header, at);
    },
    // Raw, and inflated here: yauzl would inflate 16 KiB at a time.
    openStream: (entry) =>
      new Promise<Readable>((resolve, reject) => {
        zipfile.openReadStream(entry, { decodeFileData: false }, (error, stream) => (error ? reject(error) : resolve(stream)));
      }).then((raw) => (entry.compressionMethod === 0 ? raw : inflated(raw))),
    dataStart: (entry) =>
      new Promise((resolve, reject) => {
        zipfile.readLocalFileHeader(entry, { minimal: true }, (error, header) => (error ? reject(error) : resolve(header.fileDataStart)));
      }),
  };
}

function localAccess(source: ZipSource, start: number): EntryAccess {
  return {
    async openStream(entry) {
      const raw = source.openRange(start, start + entry.compressedSize);
      return entry.compressionMethod === 0 ? raw : inflated(raw);
    },
    dataStart: async () => start,
    dataStartNow: () => start,
  };
}

/**
 * An entry's bytes read and inflated at once, where the archive can be read at random
 * (ZipSource.read: a file on disk, or an inner archive held in memory). The bench's mixed dump at a
 * quarter of its size (5,000 messages in a zip at deflate level 1, 490 MB), alternated runs on
 * 2026-12-05: 11.6-13.2 s to import with every entry streamed, 7.1-8.4 s read at once, 5.1-5.9 s
 * from its folders. Streamed, every entry went through several streams, and its inflating through
 * libuv's pool 16 KiB at a time while this thread waited. Null when anything is not as the stream
 * would find it (the local header, the deflate data, more than maxZipAtOnceBytes out): the entry is
 * then streamed, and its failure is the one the stream gives. What comes out is checked by
 * guardEntryStream either way, and the same messages, verdicts and findings came of that zip both ways.
 */
function readAtOnce(entry: Entry, access: EntryAccess, source: ZipSource, limits: Limits): EntryBytes | null {
  const most = limits.maxZipAtOnceBytes;
  if (!source.read || most < 1 || entry.uncompressedSize > most || entry.compressedSize > most) return null;
  let content: Buffer;
  try {
    const start = access.dataStartNow(entry);
    const raw = start === null ? null : source.read(start, start + entry.compressedSize);
    if (!raw) return null;
    content =
      entry.compressionMethod === 0
        ? raw
        : inflateRawSync(raw, {
            maxOutputLength: most,
            // One buffer for what the entry declares (a byte more, so that zlib sees its end in it).
            chunkSize: Math.min(most, Math.max(64 * 1024, entry.uncompressedSize + 1)),
          });
  } catch {
    return null;
  }
  // In the pieces the stream gives (a stored entry's reads, zlib's output), so that whatever depends
  // on how much has come (a reader that stops after recognising the first bytes, a bomb's limit
  // reached within a piece) goes the same way.
  const piece = entry.compressionMethod === 0 ? READ_CHUNK_BYTES : INFLATE_CHUNK_BYTES;
  let stopped = false;
  const chunks = (async function* () {
    for (let at = 0; at < content.length && !stopped; at += piece) yield content.subarray(at, at + piece);
  })();
  return { chunks, stop: () => (stopped = true) };
}

async function* readEntry(
  entry: Entry,
  access: EntryAccess,
  source: ZipSource,
  place: ZipPlace,
  ctx: ReadContext,
): AsyncGenerator<InputItem> {
  const name = decodeEntryName(entry);
  const shown = name.replace(/\\/g, '/');
  const label = `${place.label}!/${shown}`;
  const problem = checkEntry(entry, name, ctx.limits, place.budget);
  if (problem) {
    yield failure(label, problem.code, problem.reason);
    return;
  }
  const overlapped = place.spans.claim(entry.relativeOffsetOfLocalHeader, entry.compressedSize, shown);
  if (overlapped !== null) {
    yield failure(
      label,
      'zip/overlapping-entries',
      `the entry's bytes overlap those of ${JSON.stringify(overlapped)}: a crafted archive that inflates the same data again for each entry (a zip bomb); not read`,
    );
    return;
  }
  // Folder entries carry no bytes; the files inside them are entries of their own.
  if (shown.endsWith('/') && entry.uncompressedSize === 0) return;
  let bytes: EntryBytes;
  try {
    bytes = readAtOnce(entry, access, source, ctx.limits) ?? streamedBytes(await access.openStream(entry));
  } catch (error) {
    yield failure(label, 'zip/corrupt', `the entry cannot be read: ${(error as Error).message}`);
    return;
  }
  const input = entryInput({ label: place.label, depth: place.depth, budget: place.budget }, shown, {
    size: entry.uncompressedSize,
    chunks: guardEntryStream(bytes, entry, ctx.limits, place.budget),
    openZip: (rest) => openInnerZip(entry, access, source, rest, bytes, ctx),
  });
  try {
    yield* dispatchInside(input, ctx);
  } finally {
    bytes.stop();
  }
}

/**
 * A zip inside a zip. Stored: read in place from the outer archive's bytes, any size. Deflated:
 * held in memory up to maxNestedZipBytes, since yauzl needs random access and we do not extract.
 */
async function openInnerZip(
  entry: Entry,
  access: EntryAccess,
  outer: ZipSource,
  rest: AsyncIterable<Buffer>,
  entryBytes: EntryBytes,
  ctx: ReadContext,
): Promise<ZipSource> {
  if (entry.compressionMethod === 0) {
    entryBytes.stop();
    const start = await access.dataStart(entry).catch((error: Error) => {
      throw new InputProblem('zip/corrupt', `the inner archive's header cannot be read: ${error.message}`);
    });
    return sliceZipSource(outer, start, entry.compressedSize);
  }
  const limit = ctx.limits.maxNestedZipBytes;
  const tooLarge = `a compressed zip inside a zip is read in memory, up to ${limit} bytes; unpack the outer archive first`;
  if (entry.uncompressedSize > limit) throw new InputProblem('zip/nested-too-large', tooLarge);
  return heldZipSource(rest, limit, 'zip/nested-too-large', tooLarge);
}
