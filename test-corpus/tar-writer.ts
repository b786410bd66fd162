// tar archives for tests and the generated leak, written here header by header (POSIX ustar, the old v7 format without a
// magic, GNU long names and pax path records), so that the reader is tested against bytes laid out
// by the format's rules rather than by the library it reads with.

export interface TarEntrySpec {
  name: string;
  data?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo';
  linkname?: string;
  /** How a name over 100 bytes is written: a GNU ././@LongLink entry or a pax `path` record. */
  longName?: 'gnu' | 'pax';
  /** The file's modification time (default 2023-11-14T22:13:20Z). */
  modifiedAt?: Date;
}

const TYPE_FLAGS: Record<NonNullable<TarEntrySpec['type']>, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  directory: '5',
  fifo: '6',
};

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte header block; `format` 'v7' leaves out the ustar magic and version. */
export function tarHeader(
  name: string,
  size: number,
  typeFlag: string,
  format: 'ustar' | 'v7' = 'ustar',
  linkname = '',
  mtime = 1_700_000_000,
): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write(octal(0o644, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(mtime, 12), 136, 'latin1');
  block.write(' '.repeat(8), 148, 'latin1');
  block.write(typeFlag, 156, 'latin1');
  block.write(linkname.slice(0, 100), 157, 'utf8');
  if (format === 'ustar') {
    block.write('ustar\0', 257, 'latin1');
    block.write('00', 263, 'latin1');
  }
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % 512;
  return rest === 0 ? [data] : [data, Buffer.alloc(512 - rest)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length = String(length).length + body.length;
  return `${length}${body}`;
}

/** A whole archive: each entry's header(s) and data, then the two empty blocks that end it. */
export function buildTar(entries: TarEntrySpec[], format: 'ustar' | 'v7' = 'ustar'): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    const type = entry.type ?? 'file';
    if (Buffer.byteLength(entry.name) > 100) {
      if (entry.longName === 'pax') {
        const record = Buffer.from(paxRecord('path', entry.name));
        parts.push(tarHeader('PaxHeaders/long', record.length, 'x'), ...padded(record));
      } else {
        const long = Buffer.from(entry.name + '\0');
        parts.push(tarHeader('././@LongLink', long.length, 'L'), ...padded(long));
      }
    }
    const size = type === 'file' ? data.length : 0;
    const mtime = entry.modifiedAt ? Math.floor(entry.modifiedAt.getTime() / 1000) : undefined;
    parts.push(tarHeader(entry.name, size, TYPE_FLAGS[type], format, entry.linkname, mtime));
    if (size > 0) parts.push(...padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
