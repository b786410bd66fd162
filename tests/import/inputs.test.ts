import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureInputs } from '../../src/import/read-inputs.ts';
import { DEFAULT_LIMITS, SNIFF_BYTES, resolveLimits } from '../../src/import/limits.ts';
import { readDiskFile } from '../../src/import/readers/disk-file.ts';
import type { InputItem } from '../../src/model.ts';
import type { ByteInput } from '../../src/import/readers/context.ts';
import { emlFormat } from '../../src/import/readers/eml-file.ts';
import { readByteInput } from '../../src/import/readers/index.ts';
import { collect, summary } from '../helpers/read-items.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-inputs-'));
const outside = mkdtempSync(join(tmpdir(), 'leaktriage-outside-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

function write(path: string, content: string | Buffer): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

const EML = 'Received: from mx.example.org\r\nFrom: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n';

describe('single files', () => {
  it('reads an .eml file exactly, and a message file without extension', async () => {
    const eml = write(join(dir, 'one.eml'), EML);
    const bare = write(join(dir, '12345'), EML);
    const items = await collect([eml, bare]);
    expect(summary(items)).toEqual([`message ${eml}`, `message ${bare}`]);
    const first = items[0]!.kind === 'message' ? items[0]!.message : null;
    expect(first!.bytes.equals(Buffer.from(EML))).toBe(true);
    expect(first!.source).toEqual({ path: eml, container: null, mailbox: null, folder: null, offset: null, length: EML.length });
  });

  it('reads a message file straight into the room the caller gives for it, once, byte-exact', async () => {
    // Around the first read (SNIFF_BYTES, what recognition needs) and over several of READ_CHUNK_BYTES.
    const sizes = [100, SNIFF_BYTES, SNIFF_BYTES + 1, 3 * 1024 * 1024 + 7];
    const files = sizes.map((size, i) => {
      const body = Buffer.alloc(size - EML.length, `line ${i} of a long body\r\n`);
      return {
        path: write(join(dir, 'direct', `${i}.eml`), Buffer.concat([Buffer.from(EML), body])),
        bytes: Buffer.concat([Buffer.from(EML), body]),
      };
    });
    const given: Buffer[] = [];
    const progress = { bytesRead: 0 };
    const allocate = (size: number): Buffer => given[given.push(Buffer.alloc(size, 0xee)) - 1]!;
    const items = await collect([join(dir, 'direct')], { allocate, progress });
    expect(given.map((b) => b.length)).toEqual(sizes);
    items.forEach((item, i) => {
      const bytes = item.kind === 'message' ? item.message.bytes : null;
      expect(bytes).toBe(given[i]);
      expect(bytes!.equals(files[i]!.bytes)).toBe(true);
    });
    expect(progress.bytesRead).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('records a message file that ends before its size as read (it changed meanwhile)', async () => {
    const bytes = Buffer.from(EML + 'x'.repeat(20_000));
    const chunks = (async function* () {
      yield bytes.subarray(0, SNIFF_BYTES);
    })();
    const input: ByteInput = {
      label: 'shrunk.eml',
      name: 'shrunk.eml',
      container: null,
      folder: null,
      mailbox: null,
      size: bytes.length,
      chunks,
      readInto: (target, from) => bytes.copy(target, from, from, from + 100),
      openZip: () => Promise.reject(new Error('not a zip')),
      zipDepth: 0,
      progress: null,
      zipBudget: null,
    };
    const ctx = { limits: DEFAULT_LIMITS, progress: { bytesRead: 0 }, dispatch: readByteInput, allocate: (n: number) => Buffer.alloc(n) };
    await expect(emlFormat.read(input, chunks, ctx).next()).rejects.toThrow(
      /the file changed while it was read: 8292 bytes where it had 20073/,
    );
  });

  it('records empty files, junk, other formats, missing paths and devices, and never throws', async () => {
    const empty = write(join(dir, 'bad', 'empty.eml'), '');
    const junk = write(join(dir, 'bad', 'junk.eml'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x00]));
    const text = write(join(dir, 'bad', 'note.txt'), 'Note: buy milk\nand eggs\n');
    // bzip2 is named, not read (gzip and zstd are: tar-compressed.test.ts).
    const bz = write(join(dir, 'bad', 'mail.mbox.bz2'), Buffer.from('BZh91AY&SY\x00\x01\x02', 'latin1'));
    const missing = join(dir, 'no-such-file.eml');
    const items = await collect([empty, junk, text, bz, missing, '/dev/null', 'nul\0byte']);
    expect(summary(items)).toEqual([
      `input/empty ${empty}`,
      `input/not-mail ${junk}`,
      `input/not-mail ${text}`,
      `input/unsupported-format ${bz}`,
      `input/not-found ${missing}`,
      'input/not-a-file /dev/null',
      'input/not-found nul\0byte',
    ]);
    for (const item of items) {
      const reason = item.kind === 'failure' ? item.failure.reason : item.kind === 'skipped' ? item.reason : '';
      expect(reason.length).toBeGreaterThan(10);
    }
  });

  it('skips a FIFO without opening it (opening would hang)', async () => {
    const fifo = join(dir, 'pipe.eml');
    execFileSync('mkfifo', [fifo]);
    const items = await collect([fifo]);
    expect(summary(items)).toEqual([`input/not-a-file ${fifo}`]);
    expect(items[0]!.kind === 'skipped' && items[0]!.reason).toContain('FIFO');
  });

  it('reports a message over the size limit without reading it', async () => {
    const big = write(join(dir, 'big.eml'), EML + 'x'.repeat(4000));
    expect(summary(await collect([big], { limits: { maxMessageBytes: 1024 } }))).toEqual([`input/too-large ${big}`]);
  });
});

describe('directory trees', () => {
  const root = join(dir, 'dump');
  write(join(root, 'b', 'two.eml'), EML);
  write(join(root, 'a', 'one.eml'), EML);
  write(join(root, 'a', 'deeper', 'three.eml'), EML);
  write(join(root, 'readme.pdf'), '%PDF-1.4 not mail');
  write(join(outside, 'linked.eml'), EML);
  symlinkSync(join(root, 'a', 'one.eml'), join(root, 'c-link-inside.eml'));
  symlinkSync(join(outside, 'linked.eml'), join(root, 'd-link-outside.eml'));
  symlinkSync(root, join(root, 'a', 'loop'));
  symlinkSync('self', join(root, 'self'));
  symlinkSync(join(dir, 'nowhere'), join(root, 'dangling'));

  it('walks recursively in sorted order, follows links once and records loops', async () => {
    const items = await collect([root]);
    expect(summary(items)).toEqual([
      `message ${root}/a/deeper/three.eml`,
      `input/symlink-loop ${root}/a/loop`,
      `message ${root}/a/one.eml`,
      `message ${root}/b/two.eml`,
      `input/duplicate-link ${root}/c-link-inside.eml`,
      `message ${root}/d-link-outside.eml`,
      `input/not-found ${root}/dangling`,
      `input/not-mail ${root}/readme.pdf`,
      `input/symlink-loop ${root}/self`,
    ]);
    const three = items[0]!.kind === 'message' ? items[0]!.message.source : null;
    expect(three).toMatchObject({ folder: `${root}/a/deeper`, container: null, mailbox: null, offset: null });
    const four = items.find((i) => i.kind === 'message' && i.message.source.path.endsWith('d-link-outside.eml'));
    expect(four?.kind === 'message' && four.message.source.folder).toBe(root);
  });

  it('records a folder given twice once, and measures what it reads', async () => {
    const progress = { bytesRead: 0 };
    const items = await collect([root, root], { progress });
    expect(summary(items).at(-1)).toBe(`input/already-read ${root}`);
    const measured = await measureInputs([root, root]);
    expect(measured.files).toBe(5);
    expect(progress.bytesRead).toBe(measured.bytes);
  });

  it('measures missing paths and loops without throwing', async () => {
    expect(await measureInputs([join(dir, 'missing'), join(root, 'self'), join(root, 'a', 'loop')])).toMatchObject({ files: 5 });
  });

  it('lets the event loop turn while it measures a large tree', async () => {
    // The reader thread measures beside its reading and must still hear the main thread meanwhile.
    const tree = join(dir, 'many');
    mkdirSync(tree);
    for (let i = 0; i < 300; i++) writeFileSync(join(tree, `${i}.eml`), 'Subject: x\r\n\r\nx\r\n');
    const order: string[] = [];
    const measuring = measureInputs([tree]).then((total) => order.push(`measured ${total.files}`));
    setImmediate(() => order.push('turn'));
    await measuring;
    expect(order).toEqual(['turn', 'measured 300']);
  });

  it('stops at the folder depth limit', async () => {
    const items = await collect([root], { limits: { maxDirectoryDepth: 1 } });
    expect(summary(items)).toContain(`input/too-deep ${root}/a/deeper`);
  });
});

describe('files their folder lists as regular files (read without an lstat of their own)', () => {
  const place = { folder: dir, mailbox: null, ignore: null };
  async function readListed(path: string): Promise<string[]> {
    const ctx = { limits: resolveLimits(undefined), progress: { bytesRead: 0 }, dispatch: readByteInput };
    const items: InputItem[] = [];
    for await (const item of readDiskFile(path, null, place, ctx)) items.push(item);
    return summary(items);
  }

  it('records what a folder lists as it records the same files given one by one, and counts their bytes', async () => {
    const folder = join(dir, 'listed');
    const files = [
      write(join(folder, 'a-empty.eml'), ''),
      write(join(folder, 'b-junk.eml'), Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x00])),
      write(join(folder, 'c-mail.eml'), EML),
      write(join(folder, 'd-big.eml'), EML + 'x'.repeat(4000)),
      // Not mail, known from its first bytes: the rest is never read, yet counts as done.
      write(join(folder, 'e-junk.bin'), Buffer.alloc(SNIFF_BYTES * 8, 0xff)),
    ];
    const fifo = join(folder, 'f-pipe.eml');
    execFileSync('mkfifo', [fifo]);
    const progress = { bytesRead: 0 };
    const limits = { maxMessageBytes: 1024 };
    const listed = await collect([folder], { progress, limits });
    expect(summary(listed)).toEqual(summary(await collect([...files, fifo], { limits })));
    expect(summary(listed).map((line) => line.split(' ')[0])).toEqual([
      'input/empty',
      'input/not-mail',
      'message',
      'input/too-large',
      'input/not-mail',
      'input/not-a-file',
    ]);
    expect(progress.bytesRead).toBe((await measureInputs([folder])).bytes);
  });

  it('tells a listed file gone, or no longer a regular file, by what it is when it is opened', async () => {
    const gone = join(dir, 'listed-then-gone.eml');
    expect(await readListed(gone)).toEqual([`input/not-found ${gone}`]);
    const fifo = join(dir, 'listed-then-fifo.eml');
    execFileSync('mkfifo', [fifo]);
    expect(await readListed(fifo)).toEqual([`input/not-a-file ${fifo}`]);
    const empty = write(join(dir, 'listed-empty.eml'), '');
    expect(await readListed(empty)).toEqual([`input/empty ${empty}`]);
  });
});
