// The readers in their own thread (src/pipeline/read-thread.ts) give the main thread what the same
// readers give on it: every item, the same bytes and sources, in order; and each message's bytes
// arrive in a buffer of their own, so that the reader thread keeps no hold on them once posted.
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
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

describe('the reader thread', () => {
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
