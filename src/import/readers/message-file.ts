// An open file on disk that holds one message, read in one synchronous call: most files of a dump
// are such (.eml trees, maildirs). readDiskFile asks it first, once the file is open and known to be
// a regular file. It recognises the file as readers/index.ts does, from the same first bytes, and
// reads the rest straight into where the message's bytes will live. Anything else (too large, a zip
// or an mbox, not mail) it leaves to readDiskFile's general path, which reads the file from its
// start as before: this only spares the common case the async generators of that path
// (readByteInput, peekHead, readEmlFile), whose promises cost more CPU than the file's own system
// calls (readDiskFile says how much).

import { basename } from 'node:path';
import type { InputItem } from '../../model.ts';
import { SNIFF_BYTES } from '../limits.ts';
import { type FileProgress, readFileInto } from './chunks.ts';
import { type ReadContext, failure, message } from './context.ts';
import type { Place } from './directory.ts';
import { recogniseFile } from './index.ts';
import { changedWhileRead, emlFormat } from './eml-file.ts';

/** The first bytes of each file, read here to recognise it before its room is taken (one per thread). */
const head = Buffer.allocUnsafe(SNIFF_BYTES);

/**
 * The message in the open regular file `fd` of `size` bytes at `path`, or null for a file it leaves
 * to the general path; it counts into `progress` the bytes it read only when it returns an item.
 */
export function readMessageFile(
  fd: number,
  size: number,
  path: string,
  place: Place,
  progress: FileProgress,
  ctx: ReadContext,
): InputItem | null {
  if (size === 0 || size > ctx.limits.maxMessageBytes) return null;
  const first = Math.min(SNIFF_BYTES, size);
  if (readFileInto(fd, head, 0, first, null) !== first) return null;
  if (recogniseFile(basename(path), head.subarray(0, first)) !== emlFormat) return null;
  const bytes = ctx.allocate ? ctx.allocate(size) : Buffer.allocUnsafe(size);
  head.copy(bytes, 0, 0, first);
  progress.add(first);
  const read = first + readFileInto(fd, bytes, first, size, progress);
  // As the general path says it (eml-file.ts readWhole).
  if (read !== size) {
    const problem = changedWhileRead(read, size);
    return failure(path, problem.code, problem.message);
  }
  return message(bytes, { path, container: null, mailbox: place.mailbox, folder: place.folder, offset: null });
}
