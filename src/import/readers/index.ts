// The registry: every kind of input we read, how each is recognised, and the one dispatch that
// picks a reader for a stream of bytes (a file on disk or a zip entry alike).

import { extname } from 'node:path';
import type { InputItem } from '../../model.ts';
import { detectOtherFormat } from '../detect.ts';
import { SNIFF_BYTES } from '../limits.ts';
import { peekHead } from './chunks.ts';
import { type ByteInput, type FileFormat, type ReadContext, skipped } from './context.ts';
import { emlFormat } from './eml-file.ts';
import { maildirFormat } from './maildir.ts';
import { mboxFormat } from './mbox.ts';
import { zipFormat } from './zip.ts';
import { compressedFormat } from './compressed.ts';
import { tarFormat } from './tar.ts';
import type { FolderFormat } from './directory.ts';

/**
 * Files, in order of precedence when recognising by content: zip, gzip and zstd magic bytes are
 * unambiguous, so is a tar header (its magic, or its checksum), a From_ line makes a (possibly
 * one-message) mbox, a header block makes a single message.
 */
export const FILE_FORMATS: readonly FileFormat[] = [zipFormat, compressedFormat, tarFormat, mboxFormat, emlFormat];

/** Folders: a maildir has cur/new/tmp; any other folder is walked as a plain tree. */
export const FOLDER_FORMATS: readonly FolderFormat[] = [maildirFormat];

/** Content first, then the name for formats that trust it; null when nothing claims the file. */
export function recogniseFile(name: string, head: Buffer): FileFormat | null {
  const byContent = FILE_FORMATS.find((format) => format.matchesContent(head));
  if (byContent) return byContent;
  const lower = name.toLowerCase();
  const extension = extname(lower);
  return (
    FILE_FORMATS.find(
      (format) => format.trustName && (format.names.includes(lower) || (extension !== '' && format.extensions.includes(extension))),
    ) ?? null
  );
}

export async function* readByteInput(input: ByteInput, ctx: ReadContext): AsyncGenerator<InputItem> {
  const { head, rest } = await peekHead(input.chunks, SNIFF_BYTES);
  if (head.length === 0) {
    yield skipped(input.label, 'input/empty', 'the file is empty (0 bytes)');
    return;
  }
  const format = recogniseFile(input.name, head);
  if (format) {
    yield* format.read(input, rest, ctx);
    return;
  }
  const other = detectOtherFormat(head);
  if (other) {
    yield skipped(
      input.label,
      'input/unsupported-format',
      `this is a ${other} file; leaktriage reads .eml files, mbox, maildir, .zip and tar, and gzip or zstd files of them: unpack or convert it first`,
    );
    return;
  }
  const claimed = extname(input.name).toLowerCase() === '.eml' ? 'named .eml, but it ' : 'it ';
  yield skipped(
    input.label,
    'input/not-mail',
    `${claimed}does not start with a mail header block, a From_ line, or the signature of an archive or a compressed file it reads`,
  );
}
