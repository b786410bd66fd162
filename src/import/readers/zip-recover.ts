// When the central directory is gone (a download cut short), the entries before the cut can still
// be found by walking the local file headers from the start of the archive. Only entries whose
// sizes are in their local header can be delimited this way; the walk stops at the first that
// is not, and at anything that is not a local header.

import { type Entry, type ExtraField, parseExtraFields } from 'yauzl';
import { collectBytes } from './chunks.ts';
import type { ZipSource } from './zip-source.ts';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADERS = new Set([0x02014b50, 0x06054b50, 0x06064b50]);
const FLAG_DATA_DESCRIPTOR = 0x8;
const ZIP64_MARK = 0xffffffff;

export type LocalScan =
  | { kind: 'entry'; entry: Entry; offset: number; dataStart: number }
  /** Why the walk ended early; `name` when it ended inside a known entry. */
  | { kind: 'stop'; offset: number; name: Buffer | null; reason: string };

async function readAt(source: ZipSource, start: number, length: number): Promise<Buffer> {
  const end = Math.min(source.size, start + length);
  return (await collectBytes(source.openRange(start, end), length)) ?? Buffer.alloc(0);
}

/**
 * Where an entry's data starts, from the first 30 bytes of its local file header at `offset` (APPNOTE
 * 4.3.7: past the name and the extra field); null when they are not a local header.
 */
export function localDataStart(header: Buffer, offset: number): number | null {
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL_HEADER) return null;
  return offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

export async function startsWithLocalHeader(source: ZipSource): Promise<boolean> {
  if (source.size < 30) return false;
  return (await readAt(source, 0, 4)).readUInt32LE(0) === LOCAL_HEADER;
}

/** Walks local headers from `from` (0, or a local header where a damaged directory left off). */
export async function* scanLocalHeaders(source: ZipSource, from = 0): AsyncGenerator<LocalScan> {
  for (let offset = from; offset < source.size;) {
    if (offset + 30 > source.size) {
      yield { kind: 'stop', offset, name: null, reason: 'the archive ends inside a file header' };
      return;
    }
    const header = await readAt(source, offset, 30);
    const signature = header.readUInt32LE(0);
    if (CENTRAL_HEADERS.has(signature)) return;
    const dataStart = localDataStart(header, offset);
    if (dataStart === null) {
      yield { kind: 'stop', offset, name: null, reason: `unexpected bytes at offset ${offset} where a file header should be` };
      return;
    }
    const flags = header.readUInt16LE(6);
    const compressedSize = header.readUInt32LE(18);
    const uncompressedSize = header.readUInt32LE(22);
    const nameLength = header.readUInt16LE(26);
    const extraLength = header.readUInt16LE(28);
    const names = await readAt(source, offset + 30, nameLength + extraLength);
    const name = names.subarray(0, nameLength);
    if (flags & FLAG_DATA_DESCRIPTOR || compressedSize === ZIP64_MARK || uncompressedSize === ZIP64_MARK) {
      yield {
        kind: 'stop',
        offset,
        name,
        reason: 'its sizes are not in its local header, so it cannot be delimited without the central directory',
      };
      return;
    }
    if (names.length < nameLength + extraLength || dataStart + compressedSize > source.size) {
      yield { kind: 'stop', offset, name, reason: 'the archive ends inside this entry' };
      return;
    }
    let extraFields: ExtraField[];
    try {
      extraFields = parseExtraFields(names.subarray(nameLength));
    } catch {
      extraFields = [];
    }
    // Only what the readers look at; the central directory's version-made-by and attributes are gone.
    const entry = {
      fileNameRaw: name,
      extraFields,
      generalPurposeBitFlag: flags,
      compressionMethod: header.readUInt16LE(8),
      crc32: header.readUInt32LE(14),
      compressedSize,
      uncompressedSize,
      versionMadeBy: 0,
      externalFileAttributes: 0,
      relativeOffsetOfLocalHeader: offset,
    } as Entry;
    yield { kind: 'entry', entry, offset, dataStart };
    offset = dataStart + compressedSize;
  }
}
