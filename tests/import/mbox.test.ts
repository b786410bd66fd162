import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import type { InputItem } from '../../src/model.ts';
import { readInputs } from '../../src/import/read-inputs.ts';
import { isFromLine } from '../../src/import/detect.ts';
import { DEFAULT_LIMITS } from '../../src/import/limits.ts';
import { readByteInput } from '../../src/import/readers/index.ts';
import { mboxFormat } from '../../src/import/readers/mbox.ts';
import { integersFrom } from '../helpers/seeded-random.ts';
import { collect } from '../helpers/read-items.ts';

const dir = mkdtempSync(join(tmpdir(), 'leaktriage-mbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Every message must be exactly the slice of the file its offset/length name. */
function expectExactSlices(path: string, items: InputItem[]): void {
  const file = readFileSync(path);
  for (const item of items) {
    if (item.kind !== 'message') continue;
    const { offset, length } = item.message.source;
    expect(offset).not.toBeNull();
    expect(Buffer.compare(item.message.bytes, file.subarray(offset!, offset! + length))).toBe(0);
    expect(item.message.bytes.length).toBe(length);
  }
}

const FROM = 'From alice@example.org Mon Jan  1 10:00:00 2024';

describe('mbox', () => {
  it('splits an LF mbox into exact byte ranges, leaving >From quoted', async () => {
    const text =
      `${FROM}\nFrom: alice@example.org\nSubject: one\n\n>From the start\nbody\n\n` +
      `From bob@example.org Tue Jan  2 10:00:00 2024\nFrom: bob@example.org\n\ntwo\n\n`;
    const path = write('lf.mbox', text);
    const items = await collect([path]);
    expect(items.map((i) => i.kind)).toEqual(['message', 'message']);
    expectExactSlices(path, items);
    const [first, second] = items.map((i) => (i.kind === 'message' ? i.message : null));
    expect(first!.bytes.toString()).toBe('From: alice@example.org\nSubject: one\n\n>From the start\nbody\n');
    expect(first!.source).toMatchObject({ path: `${path}#${FROM.length + 1}`, mailbox: path, container: null, offset: FROM.length + 1 });
    expect(second!.bytes.toString()).toBe('From: bob@example.org\n\ntwo\n');
  });

  it('handles CRLF files and a last message without a trailing newline', async () => {
    const text = `${FROM}\r\nFrom: a@example.org\r\n\r\nfirst\r\n\r\n${FROM}\r\nFrom: b@example.org\r\n\r\nno newline at end`;
    const path = write('crlf.mbox', text);
    const items = await collect([path]);
    expectExactSlices(path, items);
    const bodies = items.map((i) => (i.kind === 'message' ? i.message.bytes.toString() : i.kind));
    expect(bodies).toEqual(['From: a@example.org\r\n\r\nfirst\r\n', 'From: b@example.org\r\n\r\nno newline at end']);
  });

  it('recognises an mbox by its first line when the file has no extension', async () => {
    const path = write('Sent', `${FROM}\nFrom: a@example.org\n\nhello\n`);
    const items = await collect([path]);
    expect(items).toHaveLength(1);
    expect(items[0]!.kind === 'message' && items[0]!.message.source.path).toBe(`${path}#${FROM.length + 1}`);
  });

  it('records junk before the first From_ line, then reads the messages', async () => {
    const path = write('junk.mbox', `garbage line\nmore\n${FROM}\nFrom: a@example.org\n\nhi\n`);
    const items = await collect([path]);
    expect(items[0]).toMatchObject({ kind: 'failure', failure: { code: 'mbox/junk-before-first', offset: 0 } });
    expect(items[1]!.kind).toBe('message');
    expectExactSlices(path, items);
  });

  it('records an empty member and a file named .mbox without any From_ line', async () => {
    const empty = write('empty-member.mbox', `${FROM}\n${FROM}\nFrom: a@example.org\n\nhi\n`);
    const items = await collect([empty]);
    expect(items.map((i) => (i.kind === 'failure' ? i.failure.code : i.kind))).toEqual(['mbox/empty-member', 'message']);
    const none = write('none.mbox', 'just some text\n');
    expect((await collect([none]))[0]).toMatchObject({ kind: 'failure', failure: { code: 'mbox/no-from-line' } });
  });

  it('does not split at body lines that only start with "From "', async () => {
    const path = write('body-from.mbox', `${FROM}\nFrom: a@example.org\n\nFrom here on, no date.\n`);
    const items = await collect([path]);
    expect(items).toHaveLength(1);
  });

  it('reports a member over the size limit with its offset and goes on', async () => {
    const big = 'x'.repeat(5000);
    const text = `${FROM}\nFrom: a@example.org\n\n${big}\n\n${FROM}\nFrom: b@example.org\n\nsmall\n`;
    const path = write('too-large.mbox', text);
    const items = await collect([path], { limits: { maxMessageBytes: 1000 } });
    expect(items[0]).toMatchObject({ kind: 'failure', failure: { code: 'input/too-large', offset: FROM.length + 1 } });
    expect(items[1]!.kind).toBe('message');
    expectExactSlices(path, items);
  });

  it('keeps exact ranges across 1 MiB chunk boundaries and with lines longer than a chunk', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 400; i++) parts.push(`${FROM}\nFrom: n${i}@example.org\n\n${'y'.repeat(7001 + i)}\n\n`);
    parts.push(`${FROM}\nFrom: long@example.org\n\n${'z'.repeat(3 * 1024 * 1024)}\n\n${FROM}\nFrom: end@example.org\n\nend\n`);
    const path = write('chunks.mbox', parts.join(''));
    const items = await collect([path]);
    expect(items.filter((i) => i.kind === 'message')).toHaveLength(402);
    expectExactSlices(path, items);
  });

  it('reads a 50 MB mbox with memory growth well under its size', async () => {
    const path = join(dir, 'big.mbox');
    const block = Buffer.from(`${FROM}\nFrom: a@example.org\nSubject: s\n\n${'line of body text\n'.repeat(300)}\n`);
    const fd = openSync(path, 'w');
    const chunk = Buffer.concat(Array(Math.ceil((1024 * 1024) / block.length)).fill(block));
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) writeSync(fd, chunk);
    closeSync(fd);
    // Garbage (already handed-on messages) is collected before each sample, so the numbers show
    // what the reader holds on to, not when V8 chose to collect.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage();
    let peak = 0;
    let count = 0;
    const progress = { bytesRead: 0 };
    for await (const item of readInputs([path], { progress })) {
      if (item.kind === 'message') count++;
      if (count % 500 === 0) {
        gc();
        const now = process.memoryUsage();
        peak = Math.max(peak, now.rss - before.rss, now.arrayBuffers - before.arrayBuffers);
      }
    }
    expect(count).toBeGreaterThan(9000);
    expect(progress.bytesRead).toBeGreaterThan(50 * 1024 * 1024);
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  });
});

describe('mbox split, against its rule read line by line', () => {
  // The rule (readers/mbox.ts): a member runs from the line after a From_ line (isFromLine) to the
  // next one, less one empty line before it; bytes before the first are not a message. The reader
  // looks only at lines that start with "From " and gets its bytes in chunks of any size.
  const PIECES = [
    `${FROM}\n`,
    `${FROM}\r\n`,
    'From someone who is not a separator\n',
    '>From alice@example.org Mon Jan  1 10:00:00 2024\n',
    'From \n',
    'From',
    '\n',
    '\r\n',
    'Subject: x\n',
    'body line\r\n',
    `${'y'.repeat(1500)}\n`,
    `From ${'z'.repeat(1200)} Mon Jan  1 10:00:00 2024\n`,
    'no newline at all',
  ];

  function expected(file: Buffer): { offset: number; length: number }[] {
    const members: { offset: number; length: number; last: number }[] = [];
    for (let at = 0; at < file.length;) {
      const nl = file.indexOf(0x0a, at);
      const end = nl === -1 ? file.length : nl + 1;
      const line = file.subarray(at, end);
      if (isFromLine(line)) members.push({ offset: end, length: 0, last: 0 });
      else if (members.length) {
        const m = members[members.length - 1]!;
        m.length += line.length;
        m.last = line.toString('latin1') === '\n' ? 1 : line.toString('latin1') === '\r\n' ? 2 : 0;
      }
      at = end;
    }
    return members.map((m) => ({ offset: m.offset, length: m.length - m.last })).filter((m) => m.length > 0);
  }

  /**
   * The messages the reader gives for `file` arriving in these chunks; through `allocate` when given.
   * With `shared`, as a file on disk gives them (ByteInput.readChunksFrom): the first chunk, then the
   * rest in two buffers that take turns, each filled with junk before it is used again.
   */
  async function membersOf(file: Buffer, chunks: Buffer[], allocate?: (n: number) => Buffer, shared = false) {
    const rest = (async function* () {
      yield* chunks;
    })();
    const ctx = { limits: DEFAULT_LIMITS, progress: { bytesRead: 0 }, dispatch: readByteInput, ...(allocate ? { allocate } : {}) };
    const readChunksFrom = async function* (from: number) {
      const buffers = [Buffer.alloc(file.length), Buffer.alloc(file.length)];
      let at = 0;
      let turn = 0;
      for (const chunk of chunks) {
        at += chunk.length;
        if (at - chunk.length < from) continue;
        const buffer = buffers[turn++ % 2]!.fill(0xee);
        chunk.copy(buffer);
        yield buffer.subarray(0, chunk.length);
      }
    };
    const input = {
      label: 'r.mbox',
      name: 'r.mbox',
      container: null,
      folder: null,
      mailbox: null,
      size: file.length,
      chunks: rest,
      ...(shared ? { readChunksFrom } : {}),
    };
    const items: InputItem[] = [];
    for await (const item of mboxFormat.read(
      { ...input, openZip: () => Promise.reject(new Error('no')), zipDepth: 0, progress: null, zipBudget: null },
      rest,
      ctx,
    ))
      items.push(item);
    const messages = items.flatMap((i) => (i.kind === 'message' ? [i.message] : []));
    for (const m of messages) expect(m.bytes.equals(file.subarray(m.source.offset!, m.source.offset! + m.bytes.length))).toBe(true);
    return messages;
  }

  const placed = (messages: { source: { offset: number | null }; bytes: Buffer }[]) =>
    messages.map((m) => ({ offset: m.source.offset, length: m.bytes.length }));

  /** A seeded file of PIECES, and the file cut into chunks of random sizes (some tiny, some of a few KB). */
  function seededFile(next: (n: number) => number): { file: Buffer; chunks: Buffer[] } {
    const file = Buffer.from(Array.from({ length: 1 + next(40) }, () => PIECES[next(PIECES.length)]).join(''), 'latin1');
    const chunks: Buffer[] = [];
    for (let at = 0; at < file.length;) {
      const size = 1 + next(next(2) ? 16 : 3000);
      chunks.push(file.subarray(at, at + size));
      at += size;
    }
    return { file, chunks };
  }

  it('gives the same members for 600 seeded files cut into chunks of random sizes', async () => {
    const next = integersFrom(11);
    for (let round = 0; round < 600; round++) {
      const { file, chunks } = seededFile(next);
      // Every other file through the caller's room (the reader thread's slabs), the rest joined anew.
      const given: Buffer[] = [];
      const allocate = round % 2 ? (n: number) => given[given.push(Buffer.alloc(n, 0xee)) - 1]! : undefined;
      const messages = await membersOf(file, chunks, allocate);
      expect(placed(messages), `round ${round}`).toEqual(expected(file));
      if (allocate) expect(messages.every((m, i) => m.bytes === given[i])).toBe(true);
    }
  });

  it('gives the same members for short files cut in two at every byte', async () => {
    // Where a chunk begins matters most at a line's start: an empty line before a From_ line there.
    const files = [
      `${FROM}\r\na\r\n\r\n${FROM}\r\nb\r\n`,
      `${FROM}\n\n${FROM}\nb\n\n`,
      `${FROM}\r\n\r\n\r\n${FROM}\r\n\r\nc`,
      `x\r\n${FROM}\nFrom the top\n\r\n${FROM}\r\n>From\r\n`,
    ].map((f) => Buffer.from(f, 'latin1'));
    for (const file of files)
      for (let cut = 0; cut <= file.length; cut++) {
        const messages = await membersOf(
          file,
          [file.subarray(0, cut), file.subarray(cut)].filter((c) => c.length > 0),
        );
        expect(placed(messages), `${JSON.stringify(file.toString('latin1'))} cut at ${cut}`).toEqual(expected(file));
      }
  });

  it('gives the same members when the chunks after the first are read into two buffers that take turns', async () => {
    const next = integersFrom(12);
    for (let round = 0; round < 300; round++) {
      const { file, chunks } = seededFile(next);
      const messages = await membersOf(file, chunks, round % 2 ? (n) => Buffer.alloc(n, 0xee) : undefined, true);
      expect(placed(messages), `round ${round}`).toEqual(expected(file));
    }
  });
});
