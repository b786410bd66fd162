// mbox files split into exact byte ranges of the original: never re-serialised, `>From ` lines left
// quoted, so a DKIM signature still covers the same bytes. Read in chunks; at most one message is
// held in memory, and not even that one once it passes the size limit.

import type { InputItem } from '../../model.ts';
import { isFromLine, looksLikeMbox } from '../detect.ts';
import { MAX_FROM_LINE_BYTES } from '../limits.ts';
import { type ByteInput, type FileFormat, type ReadContext, failure, message } from './context.ts';

export const mboxFormat: FileFormat = {
  kind: 'mbox',
  extensions: ['.mbox', '.mbx'],
  names: ['mbox', 'inbox'],
  // A file named like an mbox with no From_ line is reported (mbox/no-from-line), not skipped.
  trustName: true,
  matchesContent: looksLikeMbox,
  read: readMbox,
};

interface Member {
  /** Offset of the member's first byte: the line after its From_ line. */
  start: number;
  length: number;
  /** False once the member passed the size limit: its bytes are counted, no longer kept. */
  kept: boolean;
  /** Length of the last line when it is empty ("\n" = 1, "\r\n" = 2), else 0. */
  trailingBlank: number;
}

/**
 * Splits at lines that are plausible From_ lines (see isFromLine). A member runs from the line after
 * its From_ line to the next From_ line, minus the one empty line that mbox writers put before each
 * From_ line (and at the end of the file): that line is framing, not part of the message.
 */
async function* readMbox(input: ByteInput, rest: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<InputItem> {
  const limit = ctx.limits.maxMessageBytes;
  const out: InputItem[] = [];
  // The open member's bytes so far, copied as they are read: the chunks they come from may be
  // reused (mboxChunks), and a member never keeps a chunk of 1 MiB for a few bytes of it.
  let held = Buffer.allocUnsafe(HELD_BYTES);
  let member: Member | null = null;
  let prelude = 0;
  /** True when the bytes since the last line break were already taken as content (a long line). */
  let midLine = false;

  const close = (): void => {
    if (!member) return;
    const { start } = member;
    const length = member.length - member.trailingBlank;
    if (!member.kept || length > limit) {
      out.push(
        failure(
          input.label,
          'input/too-large',
          `the message at offset ${start} is ${length} bytes, more than the limit of ${limit}`,
          start,
        ),
      );
    } else if (length === 0) {
      out.push(failure(input.label, 'mbox/empty-member', `the From_ line before offset ${start} is followed by no message`, start));
    } else {
      out.push(
        message(copyOut(held.subarray(0, length), ctx.allocate), {
          path: `${input.label}#${start}`,
          container: input.container,
          mailbox: input.label,
          folder: input.folder,
          offset: start,
        }),
      );
    }
  };
  const addContent = (bytes: Buffer, blank: number): void => {
    if (!member) {
      prelude += bytes.length;
      return;
    }
    member.length += bytes.length;
    member.trailingBlank = blank;
    if (!member.kept) return;
    // +2: the trailing empty line is framing and may still be cut off.
    if (member.length > limit + 2) {
      member.kept = false;
    } else {
      const at = member.length - bytes.length;
      if (member.length > held.length) {
        const grown = Buffer.allocUnsafe(Math.min(limit + 2, Math.max(member.length, held.length * 2)));
        held.copy(grown, 0, 0, at);
        held = grown;
      }
      bytes.copy(held, at);
    }
  };
  const onLine = (line: Buffer, offset: number): void => {
    if (midLine || !isFromLine(line)) {
      addContent(line, midLine ? 0 : blankLength(line));
      return;
    }
    if (!member && prelude > 0) {
      out.push(failure(input.label, 'mbox/junk-before-first', `${prelude} bytes before the first From_ line are not a message`, 0));
    }
    close();
    // A large member's buffer is not kept for the rest of the file.
    if (held.length > HELD_BYTES) held = Buffer.allocUnsafe(HELD_BYTES);
    member = { start: offset + line.length, length: 0, kept: true, trailingBlank: 0 };
  };

  let position = 0; // file offset of data[0]
  let carry: Buffer | null = null;
  for await (const chunk of mboxChunks(input, rest)) {
    let data: Buffer = chunk;
    if (carry) {
      // The carried start of a line is completed on its own, not joined to the whole chunk: that
      // copied every chunk once more (3.3 GB of the bench's mbox). Taken as its own line, it is
      // stored the same: content runs end where lines do, and a member's parts are joined in order.
      const nl = chunk.indexOf(0x0a);
      if (nl === -1) data = Buffer.concat([carry, chunk]);
      else {
        const line = Buffer.concat([carry, chunk.subarray(0, nl + 1)]);
        onLine(line, position);
        midLine = false;
        position += line.length;
        data = chunk.subarray(nl + 1);
      }
    }
    let lineStart = 0;
    const lastBreak = data.lastIndexOf(0x0a);
    if (lastBreak !== -1 && midLine) {
      // The rest of a line already taken as content is content.
      const nl = data.indexOf(0x0a);
      onLine(data.subarray(0, nl + 1), position);
      midLine = false;
      lineStart = nl + 1;
    }
    // Only a line that starts with "From " can be a From_ line: the lines between two such are
    // content, taken as one run (one native search, instead of a look at every line).
    while (lineStart <= lastBreak) {
      let candidate = -1;
      if (startsWithFrom(data, lineStart)) candidate = lineStart;
      else {
        const found = data.indexOf(FROM_AT_LINE_START, lineStart);
        if (found !== -1 && found < lastBreak) candidate = found + 1;
      }
      const contentEnd = candidate === -1 ? lastBreak + 1 : candidate;
      if (contentEnd > lineStart) addContent(data.subarray(lineStart, contentEnd), lastLineBlank(data, lineStart, contentEnd));
      if (candidate === -1) {
        lineStart = lastBreak + 1;
        break;
      }
      const nl = data.indexOf(0x0a, candidate);
      onLine(data.subarray(candidate, nl + 1), position + candidate);
      lineStart = nl + 1;
    }
    const tail = data.subarray(lineStart);
    carry = null;
    if (tail.length > MAX_FROM_LINE_BYTES) {
      // Too long to be a From_ line: take it as content now rather than buffer an endless line.
      addContent(tail, 0);
      midLine = true;
    } else if (tail.length > 0) {
      carry = tail;
    }
    position += data.length - (carry?.length ?? 0);
    yield* out.splice(0);
  }
  if (carry) onLine(carry, position);
  if (!member && prelude > 0) {
    out.push(failure(input.label, 'mbox/no-from-line', `named like an mbox, but no From_ line was found in ${prelude} bytes`, 0));
  }
  close();
  yield* out.splice(0);
}

const FROM_AT_LINE_START = Buffer.from('\nFrom ', 'latin1');

function startsWithFrom(data: Buffer, at: number): boolean {
  return data[at] === 0x46 && data[at + 1] === 0x72 && data[at + 2] === 0x6f && data[at + 3] === 0x6d && data[at + 4] === 0x20;
}

/** blankLength of the last line of a run of whole lines, data[start, end) (`start` begins a line, `end` follows a line break). */
function lastLineBlank(data: Buffer, start: number, end: number): number {
  if (end - 1 === start || data[end - 2] === 0x0a) return 1;
  if (data[end - 2] === 0x0d && (end - 3 < start || data[end - 3] === 0x0a)) return 2;
  return 0;
}

/**
 * The chunks of an mbox: `rest`, or, for a file on disk, its first chunk (what recognising it read)
 * and then the rest read into two buffers that take turns (ByteInput.readChunksFrom). The loop of
 * readMbox holds at most the chunk before the one it reads (its `carry`), and copies whatever it
 * keeps. A new buffer for each chunk made the reader thread touch fresh memory for every byte of
 * the file, which this machine hands over slowly (in one import under `perf record`, 5.4 s of the
 * reader's CPU went to its read calls' copies). The bench's mbox (3.3 GB, three pairs of imports
 * alternated on 2026-12-05): 20.6-20.9 s against 21.7-22.1 s with a new buffer for each chunk, the
 * reader 2.4 CPU-s against 2.8-3.0, peak RSS 374-383 MB against 454-462 MB.
 */
async function* mboxChunks(input: ByteInput, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (!input.readChunksFrom) {
    yield* rest;
    return;
  }
  const chunks = rest[Symbol.asyncIterator]();
  const first = await chunks.next();
  await chunks.return?.();
  if (first.done) return;
  yield first.value;
  yield* input.readChunksFrom(first.value.length);
}

/** What a member's buffer starts with, and goes back to after a larger member. */
const HELD_BYTES = 4 * 1024 * 1024;

/** A member's bytes in a buffer of their own: where the caller keeps message bytes (the reader thread's slabs, ReadContext.allocate), else a new one. */
function copyOut(bytes: Buffer, allocate?: (size: number) => Buffer): Buffer {
  const out = allocate ? allocate(bytes.length) : Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  return out;
}

/** Length of a line that is empty ("\n" = 1, "\r\n" = 2), else 0. */
function blankLength(line: Buffer): number {
  return line[line.length - 1] === 0x0a ? lastLineBlank(line, 0, line.length) : 0;
}
