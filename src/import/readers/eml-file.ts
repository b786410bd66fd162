// One message per file: .eml, a maildir file, a zip entry, or anything whose first bytes are a
// mail header block. The bytes are handed on exactly as read.

import type { InputItem } from '../../model.ts';
import { looksLikeMessage } from '../detect.ts';
import { collectBytes } from './chunks.ts';
import { type ByteInput, type FileFormat, type ReadContext, InputProblem, failure, message } from './context.ts';

export const emlFormat: FileFormat = {
  kind: 'eml',
  extensions: ['.eml'],
  names: [],
  // Junk named .eml is reported as not mail rather than passed to the parser.
  trustName: false,
  matchesContent: looksLikeMessage,
  read: readEmlFile,
};

// A file on disk that is one message is read by readMessageFile (message-file.ts) instead: what this
// does for such a file, that does too.
async function* readEmlFile(input: ByteInput, rest: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<InputItem> {
  const limit = ctx.limits.maxMessageBytes;
  const tooLarge = (size: string): InputItem =>
    failure(input.label, 'input/too-large', `the message is ${size} bytes, more than the limit of ${limit}`);
  if (input.size > limit) {
    yield tooLarge(String(input.size));
    return;
  }
  // A zip entry may hold more than it declares; stop reading at the limit either way.
  // Joined where the message's bytes will live (the reader thread's slabs), and yielded at once.
  const bytes =
    input.readInto && ctx.allocate
      ? await readWhole(input, rest, input.readInto, ctx.allocate)
      : await collectBytes(rest, limit, ctx.allocate);
  if (!bytes) {
    yield tooLarge('over ' + limit);
    return;
  }
  yield message(bytes, {
    path: input.label,
    container: input.container,
    mailbox: input.mailbox,
    folder: input.folder,
    offset: null,
  });
}

/**
 * A file on disk, under the limit: what recognising it read (its first chunk, readers/index.ts) is
 * copied to where its bytes will live, and the rest is read there, not into buffers of its own first
 * (the mixed dump of the bench: 2.7 GB copied once less, by the reader thread).
 */
async function readWhole(
  input: ByteInput,
  rest: AsyncIterable<Buffer>,
  readInto: (target: Buffer, from: number) => number,
  allocate: (size: number) => Buffer,
): Promise<Buffer> {
  const chunks = rest[Symbol.asyncIterator]();
  const first = await chunks.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  await chunks.return?.();
  const out = allocate(input.size);
  head.copy(out, 0);
  const read = head.length + readInto(out, head.length);
  if (read !== input.size) throw changedWhileRead(read, input.size);
  return out;
}

/** A message file that held `read` bytes where its size said `size` when it was opened. */
export function changedWhileRead(read: number, size: number): InputProblem {
  return new InputProblem('input/unreadable', `the file changed while it was read: ${read} bytes where it had ${size}`);
}
