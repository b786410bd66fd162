// The synchronous read of an open one-message file (readers/message-file.ts) must give the item the
// general path gives for such a file, and leave every other file to that path without reading it
// into the caller's room or counting it.
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputItem } from '../../src/model.ts';
import { DEFAULT_LIMITS, SNIFF_BYTES } from '../../src/import/limits.ts';
import type { ReadContext } from '../../src/import/readers/context.ts';
import type { Place } from '../../src/import/readers/directory.ts';
import { readDiskFile } from '../../src/import/readers/disk-file.ts';
import { readByteInput } from '../../src/import/readers/index.ts';
import { readMessageFile } from '../../src/import/readers/message-file.ts';
import { buildZip } from '../helpers/zip-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-message-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EML = 'Received: from mx.example.org\r\nFrom: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n';
const PLAIN: Place = { folder: 'inbox', mailbox: 'dump/alice', ignore: null };

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A context that records what it hands out for message bytes. */
function context(limits = DEFAULT_LIMITS): ReadContext & { given: Buffer[] } {
  const given: Buffer[] = [];
  return {
    limits,
    progress: { bytesRead: 0 },
    dispatch: readByteInput,
    allocate: (n) => given[given.push(Buffer.alloc(n, 0xee)) - 1]!,
    given,
  };
}

/** readMessageFile on the file, opened as readDiskFile opens it, with the bytes it counted. */
function atOnce(path: string, ctx: ReadContext): { item: InputItem | null; counted: number } {
  const fd = openSync(path, 'r');
  let counted = 0;
  try {
    const item = readMessageFile(fd, fstatSync(fd).size, path, PLAIN, { add: (n) => (counted += n) }, ctx);
    return { item, counted };
  } finally {
    closeSync(fd);
  }
}

/** What readDiskFile gives for the file, through whichever path it takes. */
async function throughDiskFile(path: string, ctx: ReadContext): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readDiskFile(path, statSync(path).size, PLAIN, ctx)) items.push(item);
  return items;
}

describe('a one-message file read at once', () => {
  it('gives the message with its exact bytes, in the room the caller hands out, with its bytes counted', async () => {
    // Under, at and over the first read (what recognition needs), and a maildir name without extension.
    const cases = [
      file('small.eml', EML),
      file('at-sniff.eml', EML + 'x'.repeat(SNIFF_BYTES - EML.length)),
      file('over-sniff.eml', EML + 'y\r\n'.repeat(3 * SNIFF_BYTES)),
      file('1234567890.host:2,S', EML),
    ];
    for (const path of cases) {
      const ctx = context();
      const { item, counted } = atOnce(path, ctx);
      const size = statSync(path).size;
      expect(item).toEqual({
        kind: 'message',
        message: {
          bytes: expect.any(Buffer),
          source: { path, container: null, mailbox: PLAIN.mailbox, folder: PLAIN.folder, offset: null, length: size },
        },
      });
      const read = item?.kind === 'message' ? item.message.bytes : null;
      expect(read).toBe(ctx.given[0]);
      expect(ctx.given).toHaveLength(1);
      expect(read!.equals(readFileSync(path))).toBe(true);
      expect(counted).toBe(size);
      // readDiskFile gives the same item for it.
      expect(await throughDiskFile(path, context())).toEqual([item]);
    }
  });

  it("leaves every other file to the general path, reading nothing into the caller's room and counting nothing", async () => {
    const others: [string, ReadContext['limits']?][] = [
      [file('box.mbox', `From a@example.org Mon Jan  2 00:00:00 2023\n${EML}`)],
      [file('mail.zip', buildZip([{ name: 'one.eml', data: EML }]))],
      [file('junk.eml', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x00]))],
      [file('empty.eml', '')],
      [file('big.eml', EML + 'x'.repeat(4000)), { ...DEFAULT_LIMITS, maxMessageBytes: 1024 }],
    ];
    for (const [path, limits] of others) {
      const ctx = context(limits);
      expect(atOnce(path, ctx)).toEqual({ item: null, counted: 0 });
      expect(ctx.given).toEqual([]);
    }
  });
});
