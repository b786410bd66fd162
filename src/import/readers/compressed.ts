// Files compressed whole with gzip or zstd: a dump handed over as `.tar.gz` (the Enron corpus is
// one), an `mbox.gz`, a `.eml.gz`, a maildir file that Dovecot's zlib plugin compressed (it keeps
// the file's name). Decompressed as a stream, never to disk; what comes out goes back to the
// registry as the file it was before compression, so a tar, an mbox, a message or a zip inside is
// read as one on disk would be. The message bytes stored are the decompressed ones (the message
// as it was delivered); the source path names both layers: `dump.tar.gz!/dump.tar!/a/1.eml`.
// A decompression bomb is stopped as a zip's is (zip-safety.ts): by the ratio to the compressed
// size above ratioFloorBytes, and by the budget of the top-level archive it is in.

import { Readable, type Transform, pipeline } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import type { InputItem } from '../../model.ts';
import type { Limits } from '../limits.ts';
import { peekHead } from './chunks.ts';
import { type ByteInput, type FileFormat, type ReadContext, type ZipBudget, InputProblem, dispatchInside, failure } from './context.ts';
import { archiveBudget } from './zip-safety.ts';
import { heldZipSource } from './zip-source.ts';

interface Compression {
  name: string;
  magic: Buffer;
  /** Extensions the compression adds, lower case with the dot, and what each stood for. */
  extensions: Record<string, string>;
  open(chunkSize: number): Transform;
}

const COMPRESSIONS: readonly Compression[] = [
  {
    name: 'gzip',
    // ID1 ID2 and CM = 8 (deflate, the only method RFC 1952 defines).
    magic: Buffer.from([0x1f, 0x8b, 0x08]),
    extensions: { '.gz': '', '.tgz': '.tar' },
    // Node's gunzip reads concatenated members (as gzip -d does) as one stream.
    open: (chunkSize) => createGunzip({ chunkSize }),
  },
  {
    name: 'zstd',
    // The frame magic number of RFC 8878.
    magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]),
    extensions: { '.zst': '', '.zstd': '', '.tzst': '.tar' },
    open: (chunkSize) => createZstdDecompress({ chunkSize }),
  },
];

/** Bytes the decompressor hands on at a time (zlib's default is 16 KiB), as for a zip entry. */
const OUTPUT_CHUNK_BYTES = 256 * 1024;

function compressionOf(head: Buffer): Compression | null {
  return COMPRESSIONS.find((c) => head.length >= c.magic.length && head.subarray(0, c.magic.length).equals(c.magic)) ?? null;
}

export const compressedFormat: FileFormat = {
  kind: 'compressed',
  extensions: COMPRESSIONS.flatMap((c) => Object.keys(c.extensions)),
  names: [],
  // The magic bytes decide: a file named .gz that is not gzip is reported for what it is.
  trustName: false,
  matchesContent: (head) => compressionOf(head) !== null,
  read: readCompressed,
};

/**
 * The name of what `name` held before compression: `a.mbox.gz` -> `a.mbox`, `d.tgz` -> `d.tar`; a
 * name without the compression's extension (a maildir file Dovecot compressed) stays as it is.
 */
function decompressedName(name: string, compression: Compression): string {
  const lower = name.toLowerCase();
  for (const [extension, was] of Object.entries(compression.extensions)) {
    if (lower.endsWith(extension) && name.length > extension.length) return name.slice(0, -extension.length) + was;
  }
  return name;
}

async function* readCompressed(input: ByteInput, rest: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<InputItem> {
  const { head, rest: bytes } = await peekHead(rest, 8);
  const compression = compressionOf(head);
  if (!compression) {
    // matchesContent read the same first bytes; kept so that no input can go without a record.
    yield failure(input.label, 'compressed/corrupt', 'the file does not start with a gzip or zstd signature');
    return;
  }
  if (input.zipDepth + 1 > ctx.limits.maxZipDepth) {
    yield failure(
      input.label,
      'compressed/too-deep',
      `a ${compression.name} file inside archives nested more than ${ctx.limits.maxZipDepth} deep is not opened (bombs nest deeply)`,
    );
    return;
  }
  const name = decompressedName(input.name, compression);
  const label = `${input.label}!/${name}`;
  const budget = input.zipBudget ?? archiveBudget(input.size, ctx.limits);
  const stream = pipeline(Readable.from(bytes), compression.open(OUTPUT_CHUNK_BYTES), () => {});
  const inner: ByteInput = {
    label,
    name,
    container: input.label,
    folder: input.folder,
    // A maildir file Dovecot compressed stays in its maildir.
    mailbox: input.mailbox,
    size: 0,
    chunks: guardDecompressed(stream, input.size, compression.name, ctx.limits, budget),
    // A zip is read at random, so a compressed one is held in memory, as a deflated zip inside a zip.
    openZip: (innerRest) =>
      heldZipSource(
        innerRest,
        ctx.limits.maxNestedZipBytes,
        'compressed/nested-too-large',
        `a compressed zip is read in memory, up to ${ctx.limits.maxNestedZipBytes} bytes; decompress it first`,
      ),
    zipDepth: input.zipDepth + 1,
    progress: null,
    zipBudget: budget,
  };
  try {
    yield* dispatchInside(inner, ctx);
  } finally {
    stream.destroy();
  }
}

/**
 * The decompressed bytes, checked as they come: more than maxZipEntryBytes, than the ratio allows
 * to `compressedSize` (when known: 0 for what a compressed file holds) or than the archive's budget
 * is a bomb; damaged or cut-short data is `compressed/corrupt`, after what came out before it.
 */
async function* guardDecompressed(
  stream: Readable,
  compressedSize: number,
  name: string,
  limits: Limits,
  budget: ZipBudget,
): AsyncGenerator<Buffer> {
  const allowed =
    compressedSize > 0
      ? Math.min(limits.maxZipEntryBytes, Math.max(limits.ratioFloorBytes, compressedSize * limits.maxCompressionRatio))
      : limits.maxZipEntryBytes;
  let total = 0;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new InputProblem('compressed/corrupt', `the ${name} data is damaged after ${total} bytes: ${(error as Error).message}`);
      }
      if (next.done) return;
      const chunk = next.value;
      const room = Math.min(allowed - total, budget.remaining);
      if (chunk.length > room) {
        const byBudget = budget.remaining < allowed - total;
        // What comes before the limit is handed on (the entries of a tar before the bomb are read).
        if (room > 0) {
          total += room;
          yield chunk.subarray(0, room);
        }
        budget.remaining -= room + 1;
        throw new InputProblem(
          'compressed/bomb',
          byBudget
            ? `the archive decompresses beyond ${budget.total} bytes in total`
            : `the ${name} data decompresses beyond ${allowed} bytes` + (compressedSize > 0 ? ` from ${compressedSize}` : ''),
        );
      }
      total += chunk.length;
      budget.remaining -= chunk.length;
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
}
