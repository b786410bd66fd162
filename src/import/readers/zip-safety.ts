// What makes a zip entry hostile, judged twice: on what the central directory declares, and again
// on the bytes that actually come out (declared sizes are written by whoever built the archive).

import { crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';
import { getFileNameLowLevel, type Entry } from 'yauzl';
import type { Limits } from '../limits.ts';
import { InputProblem, type ZipBudget } from './context.ts';

export interface EntryProblem {
  code: string;
  reason: string;
}

const UNIX_FILE_TYPE = 0o170000;
const UNIX_SYMLINK = 0o120000;
const MADE_BY_UNIX = 3;
const FLAG_ENCRYPTED = 0x1;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

/** The entry's name as written (CP437 or UTF-8, Info-ZIP Unicode path preferred). */
export function decodeEntryName(entry: Entry): string {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  return getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

/**
 * Why a name would leave its folder if extracted: absolute, drive letter, UNC, `..`, NUL. A
 * backslash counts as a separator, as Windows tools treat it. We never extract, but such a name is
 * a sign of a crafted archive and must not end up in a path we show as provenance.
 */
export function findEscape(name: string): string | null {
  if (name.length === 0) return 'the entry has an empty name';
  if (name.includes('\0')) return 'the name contains a NUL byte';
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return 'the name is an absolute path';
  if (/^[a-zA-Z]:/.test(slashed)) return 'the name starts with a drive letter';
  if (slashed.split('/').includes('..')) return 'the name climbs out of its folder with ".."';
  return null;
}

function ratioOf(uncompressed: number, compressed: number): number {
  return uncompressed / Math.max(compressed, 1);
}

/** Problems visible from the central directory alone; null when the entry may be read. */
export function checkEntry(entry: Entry, name: string, limits: Limits, budget: ZipBudget): EntryProblem | null {
  const escape = findEscape(name);
  if (escape) return { code: 'zip/entry-escapes', reason: `${escape}: ${JSON.stringify(name)}` };
  const madeBy = entry.versionMadeBy >> 8;
  if (madeBy === MADE_BY_UNIX && ((entry.externalFileAttributes >>> 16) & UNIX_FILE_TYPE) === UNIX_SYMLINK) {
    return { code: 'zip/symlink-entry', reason: 'the entry is a symbolic link, not a file; links in archives are not followed' };
  }
  if (entry.generalPurposeBitFlag & FLAG_ENCRYPTED) {
    return { code: 'zip/encrypted', reason: 'the entry is password-protected; decrypt the archive first' };
  }
  if (entry.compressionMethod !== METHOD_STORED && entry.compressionMethod !== METHOD_DEFLATED) {
    return {
      code: 'zip/unsupported-method',
      reason: `compression method ${entry.compressionMethod} is not supported (only stored and deflate); repack the archive`,
    };
  }
  const size = entry.uncompressedSize;
  if (size > limits.maxZipEntryBytes) {
    return { code: 'zip/bomb', reason: `the entry declares ${size} bytes, more than the limit of ${limits.maxZipEntryBytes}` };
  }
  const ratio = ratioOf(size, entry.compressedSize);
  if (size > limits.ratioFloorBytes && ratio > limits.maxCompressionRatio) {
    return {
      code: 'zip/bomb',
      reason: `the entry declares ${size} bytes from ${entry.compressedSize} compressed (ratio ${Math.round(ratio)}:1, limit ${limits.maxCompressionRatio}:1)`,
    };
  }
  if (size > budget.remaining) {
    return { code: 'zip/bomb', reason: `the archive would inflate beyond ${budget.total} bytes in total` };
  }
  return null;
}

/** An entry's bytes as they come (inflated, or stored as they are), and how to stop them coming. */
export interface EntryBytes {
  chunks: AsyncIterable<Buffer>;
  stop(): void;
}

/** An entry's bytes from a stream (yauzl's, or one of our own over a local header's data). */
export function streamedBytes(stream: Readable): EntryBytes {
  return { chunks: stream, stop: () => stream.destroy() };
}

/**
 * The entry's bytes, checked as they inflate: more than the entry limit, the ratio allows or the
 * archive's budget is a bomb whatever the header said; a wrong size or CRC at the end is damage.
 * yauzl's own stream errors (bad deflate data, truncation) become `zip/corrupt`.
 */
export async function* guardEntryStream(bytes: EntryBytes, entry: Entry, limits: Limits, budget: ZipBudget): AsyncGenerator<Buffer> {
  const allowed = Math.min(limits.maxZipEntryBytes, Math.max(limits.ratioFloorBytes, entry.compressedSize * limits.maxCompressionRatio));
  let total = 0;
  let crc = 0;
  const iterator = bytes.chunks[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw new InputProblem('zip/corrupt', `the entry's data is damaged after ${total} bytes: ${(error as Error).message}`);
    }
    if (next.done) break;
    const chunk = next.value;
    // Bytes that may still come before this entry or the archive is a bomb. A bomb is charged to
    // the archive's budget up to its first byte too many, however its bytes come (16 KiB at a time,
    // 256 KiB, or all at once): what is left for the archive's other entries is the same.
    const room = Math.min(allowed - total, budget.remaining);
    if (chunk.length > room) {
      bytes.stop();
      const byBudget = budget.remaining <= allowed - total;
      budget.remaining -= room + 1;
      const why = byBudget
        ? `the archive inflates beyond ${budget.total} bytes in total`
        : `the entry inflates beyond ${allowed} bytes from ${entry.compressedSize} compressed, although it declares ${entry.uncompressedSize}`;
      throw new InputProblem('zip/bomb', why);
    }
    total += chunk.length;
    budget.remaining -= chunk.length;
    crc = crc32(chunk, crc);
    yield chunk;
  }
  if (total !== entry.uncompressedSize) {
    throw new InputProblem('zip/corrupt', `the entry declares ${entry.uncompressedSize} bytes but holds ${total}`);
  }
  if (crc !== entry.crc32) {
    throw new InputProblem('zip/bad-crc', `the entry's CRC-32 does not match its bytes: they were damaged or altered inside the archive`);
  }
}

/**
 * What one archive may inflate to in all: its own size times the ratio an honest archive never
 * reaches (maxCompressionRatio), at least ratioFloorBytes, at most maxZipTotalBytes. A bomb of many
 * entries at an ordinary ratio each (or many directory entries pointing at one) is stopped by this.
 */
export function archiveBudget(archiveBytes: number, limits: Limits): ZipBudget {
  const total = Math.min(limits.maxZipTotalBytes, Math.max(limits.ratioFloorBytes, archiveBytes * limits.maxCompressionRatio));
  return { total, remaining: total };
}

/**
 * The byte ranges of one archive's entries read so far. Honest entries never share bytes; an
 * archive whose directory points many entries at the same compressed data (an overlapping-entry
 * bomb) inflates that data again for each. A range is [local header, header + 30 + compressed
 * size), which is never longer than the entry's real extent, so honest neighbours never overlap.
 */
export class EntrySpans {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly names: string[] = [];

  /** The name of an earlier entry this one overlaps, or null (and the span is recorded). */
  claim(offset: number, compressedSize: number, name: string): string | null {
    const end = offset + 30 + compressedSize;
    const at = this.firstAtOrAfter(offset);
    if (at > 0 && this.ends[at - 1]! > offset) return this.names[at - 1]!;
    if (at < this.starts.length && this.starts[at]! < end) return this.names[at]!;
    this.starts.splice(at, 0, offset);
    this.ends.splice(at, 0, end);
    this.names.splice(at, 0, name);
    return null;
  }

  /** Whether an entry with its local header at `offset` was read already. */
  has(offset: number): boolean {
    return this.starts[this.firstAtOrAfter(offset)] === offset;
  }

  /** Where the walk of local headers resumes after a damaged directory: the last entry read, or 0. */
  get lastStart(): number {
    return this.starts.at(-1) ?? 0;
  }

  /** Index of the first recorded span that starts at or after `offset` (spans are sorted by start). */
  private firstAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
