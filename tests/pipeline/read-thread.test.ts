// The readers in their own thread (src/pipeline/read-thread.ts) give the main thread what the same
// readers give on it: every item, the same bytes and sources, in order; each message's bytes arrive
// in place, in a slab of shared memory that the reader fills again only once they are released.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readInputs } from '../../src/import/read-inputs.ts';
import { readInputsInThread } from '../../src/pipeline/read-thread.ts';
import type { InputItem } from '../../src/model.ts';

// The demo dump: eml files, an mbox, a maildir, a zip, and files that are not mail.
const DEMO = resolve(import.meta.dirname, '../../test-corpus/demo');

async function collect(items: AsyncIterable<InputItem>): Promise<InputItem[]> {
  const out: InputItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

// A folder of many messages, as a dump is: more items than one batch, a file that is not mail among
// them, and a message larger than a batch's bytes.
const MANY = mkdtempSync(join(tmpdir(), 'lt-read-thread-'));
afterAll(() => rmSync(MANY, { recursive: true, force: true }));
function writeMany(): void {
  if (existsSync(join(MANY, 'inbox'))) return;
  mkdirSync(join(MANY, 'inbox'));
  for (let i = 0; i < 150; i++) {
    const body = i === 70 ? `${'x'.repeat(76)}\r\n`.repeat(20_000) : `message ${i}\r\n`;
    const mail = `From: a${i}@example.org\r\nTo: b@example.org\r\nSubject: number ${i}\r\nMessage-ID: <${i}@example.org>\r\n\r\n${body}`;
    writeFileSync(join(MANY, 'inbox', `${String(i).padStart(4, '0')}.eml`), mail);
    if (i === 40) writeFileSync(join(MANY, 'inbox', '0040-notes.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe]));
  }
}

describe('the reader thread', () => {
  it('hands over items in batches without losing or reordering any, with the progress at each item', async () => {
    writeMany();
    const progress = { bytesRead: 0 };
    const direct: { item: InputItem; read: number }[] = [];
    for await (const item of readInputs([MANY], { progress })) direct.push({ item, read: progress.bytesRead });
    const threadedProgress = { bytesRead: 0 };
    const threaded: { item: InputItem; read: number }[] = [];
    for await (const item of readInputsInThread([MANY], threadedProgress, () => undefined))
      threaded.push({ item, read: threadedProgress.bytesRead });
    expect(direct.filter((d) => d.item.kind === 'message').length).toBe(150);
    expect(direct.some((d) => d.item.kind !== 'message')).toBe(true);
    expect(threaded.length).toBe(direct.length);
    threaded.forEach(({ item, read }, n) => {
      const d = direct[n]!;
      expect(read).toBe(d.read);
      expect(item.kind).toBe(d.item.kind);
      if (item.kind === 'message' && d.item.kind === 'message') {
        expect(Buffer.compare(item.message.bytes, d.item.message.bytes)).toBe(0);
        expect(item.message.source).toEqual(d.item.message.source);
      } else expect(item).toEqual(d.item);
    });
    expect(threadedProgress.bytesRead).toBe(progress.bytesRead);
  });

  it('yields what readInputs yields on the calling thread, with the same progress and total', async () => {
    const direct = await collect(readInputs([DEMO]));
    const progress = { bytesRead: 0 };
    let total = -1;
    const threaded = await collect(readInputsInThread([DEMO], progress, (bytes) => (total = bytes)));
    expect(threaded.length).toBe(direct.length);
    expect(threaded.filter((i) => i.kind === 'message').length).toBeGreaterThan(10);
    threaded.forEach((item, n) => {
      const d = direct[n]!;
      expect(item.kind).toBe(d.kind);
      if (item.kind === 'message' && d.kind === 'message') {
        expect(Buffer.compare(item.message.bytes, d.message.bytes)).toBe(0);
        expect(item.message.source).toEqual(d.message.source);
      } else expect(item).toEqual(d);
    });
    expect(total).toBeGreaterThan(0);
    expect(progress.bytesRead).toBe(total);
  });

  it('hands each message over in place, in the pool of slabs, and fills a slab again only once all its messages are done', async () => {
    // 801 messages of about 90 bytes (one of 20 KB), in a pool of 4 slabs of 16 KiB: about 720 places,
    // more than the reader may run ahead (256 items), and fewer than the messages.
    const dir = join(MANY, 'slabs');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 800; i++)
      writeFileSync(
        join(dir, `${String(i).padStart(4, '0')}.eml`),
        `From: a${i}@example.org\r\nSubject: number ${i}\r\nMessage-ID: <${i}@example.org>\r\n\r\nmessage ${i}\r\n`,
      );
    writeFileSync(join(dir, 'big.eml'), `From: big@example.org\r\nSubject: big\r\n\r\n${'y'.repeat(20_000)}\r\n`);
    const direct = (await collect(readInputs([dir]))).flatMap((i) => (i.kind === 'message' ? [i.message.bytes] : []));
    const pool = { slabBytes: 16 * 1024, slabCount: 4 };
    const shared = (b: Buffer): boolean => b.buffer instanceof SharedArrayBuffer;
    // Nothing released: the slabs fill up, and every later message comes in a buffer of its own,
    // with its bytes intact; none is written over.
    const held: Buffer[] = [];
    for await (const item of readInputsInThread([dir], { bytesRead: 0 }, () => undefined, pool)) {
      if (item.kind !== 'message') continue;
      held.push(item.message.bytes);
    }
    expect(held.length).toBe(801);
    held.forEach((bytes, n) => expect(Buffer.compare(bytes, direct[n]!)).toBe(0));
    const inSlabs = held.filter(shared);
    expect(new Set(inSlabs.map((b) => b.buffer)).size).toBe(4);
    expect(inSlabs.length).toBeGreaterThan(300);
    expect(held.length - inSlabs.length).toBeGreaterThan(50);
    // Each released once read, but one kept: the slabs are filled again, and the one kept is never
    // written over (its slab stays out of use).
    let kept: Buffer | null = null;
    let n = 0;
    let own = 0;
    for await (const item of readInputsInThread([dir], { bytesRead: 0 }, () => undefined, pool)) {
      if (item.kind !== 'message') continue;
      expect(Buffer.compare(item.message.bytes, direct[n]!)).toBe(0);
      if (!shared(item.message.bytes)) own++;
      if (n === 10) kept = item.message.bytes;
      else if (item.message.done) {
        // Released twice: the second does nothing (counted twice, it would free another message's place).
        item.message.done();
        item.message.done();
      }
      n++;
    }
    expect(n).toBe(801);
    expect(Buffer.compare(kept!, direct[10]!)).toBe(0);
    expect(shared(kept!)).toBe(true);
    // Only the message larger than a slab came in a buffer of its own.
    expect(own).toBe(1);
  });
});
