// The synchronous read of a one-message file (readers/message-file.ts) must give what the general
// path (readDiskFile) gives for such a file, and leave every other file to it untouched.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

function file(name: string, content: string | Buffer): { path: string; size: number } {
  const path = join(dir, name);
  writeFileSync(path, content);
  return { path, size: statSync(path).size };
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

async function general(path: string, size: number, place: Place): Promise<{ items: InputItem[]; bytesRead: number }> {
  const ctx = context();
  const items: InputItem[] = [];
  for await (const item of readDiskFile(path, size, place, ctx)) items.push(item);
  return { items, bytesRead: ctx.progress.bytesRead };
}

describe('a one-message file read at once', () => {
  it('gives the message readDiskFile gives, in the room the caller hands out, with its bytes counted', async () => {
    // Under, at and over the first read (what recognition needs), and a file without extension.
    const cases = [
      file('small.eml', EML),
      file('at-sniff.eml', EML + 'x'.repeat(SNIFF_BYTES - EML.length)),
      file('over-sniff.eml', EML + 'y\r\n'.repeat(3 * SNIFF_BYTES)),
      file('1234567890.host:2,S', EML),
    ];
    for (const { path, size } of cases) {
      const ctx = context();
      const quick = readMessageFile(path, size, PLAIN, ctx);
      const expected = await general(path, size, PLAIN);
      expect(quick).toEqual(expected.items[0]);
      expect(expected.items).toHaveLength(1);
      const bytes = quick?.kind === 'message' ? quick.message.bytes : null;
      expect(bytes).toBe(ctx.given[0]);
      expect(ctx.given).toHaveLength(1);
      expect(ctx.progress.bytesRead).toBe(size);
      expect(expected.bytesRead).toBe(size);
    }
  });

  it("leaves every other file to readDiskFile, reading nothing into the caller's room and counting nothing", async () => {
    const mbox = file('box.mbox', `From a@example.org Mon Jan  2 00:00:00 2023\n${EML}`);
    const zip = file('mail.zip', buildZip([{ name: 'one.eml', data: EML }]));
    const junk = file('junk.eml', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x00]));
    const empty = file('empty.eml', '');
    const big = file('big.eml', EML + 'x'.repeat(4000));
    const fifo = join(dir, 'pipe.eml');
    execFileSync('mkfifo', [fifo]);
    const left: [string, number, Place, ReadContext['limits']?][] = [
      [mbox.path, mbox.size, PLAIN],
      [zip.path, zip.size, PLAIN],
      [junk.path, junk.size, PLAIN],
      [empty.path, 0, PLAIN],
      [big.path, big.size, PLAIN, { ...DEFAULT_LIMITS, maxMessageBytes: 1024 }],
      // A maildir's tmp/ and the like: the walk marks them, readDiskFile records them as skipped.
      [big.path, big.size, { ...PLAIN, ignore: { code: 'maildir/tmp-ignored', reason: 'in a maildir tmp/ folder' } }],
      // Changed since the walk measured it: readDiskFile reads what is there and says so.
      [big.path, big.size - 1, PLAIN],
      [join(dir, 'gone.eml'), 100, PLAIN],
      // Opened without blocking, then seen not to be a regular file.
      [fifo, 100, PLAIN],
    ];
    for (const [path, size, place, limits] of left) {
      const ctx = context(limits);
      expect(readMessageFile(path, size, place, ctx)).toBeNull();
      expect(ctx.given).toEqual([]);
      expect(ctx.progress.bytesRead).toBe(0);
    }
  });
});
