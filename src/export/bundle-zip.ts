// The one adapter over yazl (zip writing, by the author of the yauzl reader we import with). The
// same entries give the same bytes: a fixed time in the DOS fields only (no extended timestamp,
// which would carry the local time zone), fixed mode, fixed compression level, entries in order.
import { ZipFile } from 'yazl';

export interface ZipEntryData {
  name: string;
  data: Buffer;
}

/** 1980-01-01 00:00:00 in local time: the earliest DOS time, whatever the machine's time zone. */
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

export async function writeZipBuffer(entries: readonly ZipEntryData[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    zip.addBuffer(e.data, e.name, { mtime: FIXED_TIME, mode: 0o100644, compress: true, compressionLevel: 9, forceDosTimestamp: true });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
