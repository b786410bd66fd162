// One message per file: .eml, a maildir file, a zip entry, or anything whose first bytes are a
// mail header block. The bytes are handed on exactly as read.

import type { InputItem } from '../../model.ts';
import { looksLikeMessage } from '../detect.ts';
import { collectBytes } from './chunks.ts';
import { type ByteInput, type FileFormat, type ReadContext, failure, message } from './context.ts';

export const emlFormat: FileFormat = {
  kind: 'eml',
  extensions: ['.eml'],
  names: [],
  // Junk named .eml is reported as not mail rather than passed to the parser.
  trustName: false,
  matchesContent: looksLikeMessage,
  read: readEmlFile,
};

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
  const bytes = await collectBytes(rest, limit, ctx.allocate);
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
