// A tiny zip writer for tests: hostile archives (lying sizes, escaping names, symlinks, encrypted
// flags, bombs) are generated from code, never committed as blobs.

import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  data: Buffer | string;
  /** Default 'deflate'; a number writes that method id with `rawData` (or the data) as is. */
  method?: 'store' | 'deflate' | number;
  /** Lies, for hostile archives: what the headers claim. */
  declaredSize?: number;
  declaredCrc?: number;
  /** General purpose flags, e.g. 1 = encrypted. */
  flags?: number;
  /** Unix mode written into the external attributes, e.g. 0o120777 for a symlink. */
  unixMode?: number;
  /** Replaces the compressed bytes (e.g. damaged deflate data). */
  rawData?: Buffer;
}

export function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const spec of entries) {
    const data = Buffer.isBuffer(spec.data) ? spec.data : Buffer.from(spec.data);
    const method = typeof spec.method === 'number' ? spec.method : spec.method === 'store' ? 0 : 8;
    const body = spec.rawData ?? (method === 8 ? deflateRawSync(data) : data);
    const name = Buffer.from(spec.name, 'utf8');
    const crc = spec.declaredCrc ?? crc32(data);
    const size = spec.declaredSize ?? data.length;
    const flags = (spec.flags ?? 0) | 0x800;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x21, 10); // 1980-01-01 00:00, a fixed time for reproducible archives
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode bits mean something
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0x21, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((spec.unixMode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
