// The readers in their own thread (src/pipeline/read-thread.ts) give the main thread what the same
// readers give on it: every item, the same bytes and sources, in order; and each message's bytes
// arrive in a buffer of their own, so that the reader thread keeps no hold on them once posted.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it("hands each message's bytes over in a buffer of their own, not shared with the reader", async () => {
    const progress = { bytesRead: 0 };
    let messages = 0;
    for await (const item of readInputsInThread([DEMO], progress, () => undefined)) {
      if (item.kind !== 'message') continue;
      messages++;
      const bytes = item.message.bytes;
      // Shared memory made in the reader lived until the reader's next collection, which may be hundreds of MB later.
      expect(bytes.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
      expect(Buffer.isBuffer(bytes)).toBe(true);
    }
    expect(messages).toBeGreaterThan(10);
  });
});
