// A file on disk that holds one message, read in one synchronous call: most files of a dump are
// such (.eml trees, maildirs). It recognises the file as readers/index.ts does, from the same
// first bytes, and reads the rest straight into where the message's bytes will live. Anything else
// (empty, too large, a zip or an mbox, not mail, a file that cannot be opened or that changes under
// it) it leaves to readDiskFile, which reads and reports it as before: this only spares the common
// case the chain of async generators (readDiskFile, readByteInput, peekHead, readEmlFile), whose
// promises cost more CPU than the file's own system calls: 100,000 small files read through the
// reader thread alone (readInputsInThread) took 51-54 µs of its CPU a file that way, 38-41 µs this way.

import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import type { InputItem } from '../../model.ts';
import { SNIFF_BYTES } from '../limits.ts';
import { readFileInto } from './chunks.ts';
import { type ReadContext, failure, message } from './context.ts';
import type { Place } from './directory.ts';
import { recogniseFile } from './index.ts';
import { changedWhileRead, emlFormat } from './eml-file.ts';

/** The first bytes of each file, read here to recognise it before its room is taken (one per thread). */
const head = Buffer.allocUnsafe(SNIFF_BYTES);

/**
 * The message in the file at `path` (`size` bytes when the walk saw it), or null for every file it
 * leaves to readDiskFile; it counts the bytes it read into ctx.progress only when it returns a message.
 */
export function readMessageFile(path: string, size: number, place: Place, ctx: ReadContext): InputItem | null {
  if (place.ignore || size === 0 || size > ctx.limits.maxMessageBytes) return null;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size !== size) return null;
    const first = Math.min(SNIFF_BYTES, size);
    if (readFileInto(fd, head, 0, first, null) !== first) return null;
    if (recogniseFile(basename(path), head.subarray(0, first)) !== emlFormat) return null;
    const bytes = ctx.allocate ? ctx.allocate(size) : Buffer.allocUnsafe(size);
    head.copy(bytes, 0, 0, first);
    const read = first + readFileInto(fd, bytes, first, size, null);
    // As readDiskFile says it (eml-file.ts readWhole), with the bytes it read counted.
    ctx.progress.bytesRead += size;
    if (read !== size) {
      const problem = changedWhileRead(read, size);
      return failure(path, problem.code, problem.message);
    }
    return message(bytes, { path, container: null, mailbox: place.mailbox, folder: place.folder, offset: null });
  } catch {
    // A read that fails (EIO): readDiskFile opens the file again and reports it.
    return null;
  } finally {
    closeSync(fd);
  }
}
