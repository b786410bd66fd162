// Hostile archives made from ordinary ones, for the import tests and the fuzzer.

const CENTRAL = 0x02014b50;
const END = 0x06054b50;

/**
 * An overlapping-entry bomb: the central directory of a one-entry archive repeated `count` times,
 * every copy pointing at the same local header and compressed data, under names of the same length.
 */
export function overlapEntries(zip: Buffer, count: number): Buffer {
  const start = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (start === -1 || end === -1 || zip.readUInt32LE(start) !== CENTRAL || zip.readUInt32LE(end) !== END) throw new Error('not a zip');
  const record = zip.subarray(start, end);
  const nameLength = record.readUInt16LE(28);
  const copies: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const copy = Buffer.from(record);
    // Same length as the original name: the digits of i, right-aligned over its first characters.
    const tag = String(i).padStart(Math.min(nameLength, 8), '0').slice(-Math.min(nameLength, 8));
    if (i > 0) copy.write(tag, 46, 'latin1');
    copies.push(copy);
  }
  const directory = Buffer.concat(copies);
  const eocd = Buffer.from(zip.subarray(end, end + 22));
  eocd.writeUInt16LE(count, 8);
  eocd.writeUInt16LE(count, 10);
  eocd.writeUInt32LE(directory.length, 12);
  return Buffer.concat([zip.subarray(0, start), directory, eocd]);
}
