// A minimal deterministic zip writer (PKWARE APPNOTE 6.3.10): stored or deflate, no zip64, no extra
// fields. It writes the demo archive, and the tests use it to make hostile archives from code
// (lying sizes and CRCs, escaping names, symlinks, encrypted flags, bombs) instead of committing blobs.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, `/`-separated (hostile tests write any bytes they like). */
  name: string;
  data: Buffer;
  /** Stored as an MS-DOS date and time (local time, 2-second resolution); taken as UTC. Absent: 0. */
  modifiedAt?: Date;
  /** Default 'deflate'; a number writes that method id with `rawData` (or the data) as is. */
  method?: 'store' | 'deflate' | number;
  /** Lies, for hostile archives: what the headers claim. */
  declaredSize?: number;
  declaredCrc?: number;
  /** General purpose flags added to the UTF-8 names flag, e.g. 1 = encrypted. */
  flags?: number;
  /** Unix mode written into the external attributes (default a regular rw-r--r-- file; 0o120777 a symlink). */
  unixMode?: number;
  /** Replaces the compressed bytes (e.g. damaged deflate data). */
  rawData?: Buffer;
}

const VERSION_NEEDED = 20; // 2.0: deflate
const FLAG_UTF8_NAMES = 0x0800;

function dosDateTime(at: Date | undefined): { time: number; date: number } {
  if (!at) return { time: 0, date: 0 };
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

export function writeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const method = typeof entry.method === 'number' ? entry.method : entry.method === 'store' ? 0 : 8;
    // Level fixed so the bytes depend only on the input and the bundled zlib.
    const body = entry.rawData ?? (method === 8 ? deflateRawSync(entry.data, { level: 9 }) : entry.data);
    const crc = entry.declaredCrc ?? crc32(entry.data);
    const size = entry.declaredSize ?? entry.data.length;
    const flags = (entry.flags ?? 0) | FLAG_UTF8_NAMES;
    const { time, date } = dosDateTime(entry.modifiedAt);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | VERSION_NEEDED, 4); // made by: Unix, so the mode below counts
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: all 0
    central.writeUInt32LE(((entry.unixMode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDirectory, end]);
}
