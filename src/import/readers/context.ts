// What every reader is handed, and the three ways it reports: a message, a failure, a skip.

import type { InputItem, SourceRef } from '../../model.ts';
import type { Limits } from '../limits.ts';
import type { Readable } from 'node:stream';
import { posix } from 'node:path';
import type { FileProgress } from './chunks.ts';

export type { FileProgress } from './chunks.ts';

/** Random access to a zip's bytes: a file on disk, or an inner zip (see zip-source.ts). */
export interface ZipSource {
  size: number;
  /** A stream of bytes [start, end). */
  openRange(start: number, end: number): Readable;
  /** Bytes [start, end) at once, read on this thread; null when they are not all there. Absent where only a stream can give them. */
  read?(start: number, end: number): Buffer | null;
}

/**
 * A stream of bytes to be recognised and read: a file on disk or a zip entry. `chunks` yields the
 * content from byte 0 and may be consumed once.
 */
export interface ByteInput {
  /** SourceRef.path of the whole input: `dump/a.eml`, `dump.zip!/inner/a.mbox`. */
  label: string;
  /** Last path segment, for recognition by name. */
  name: string;
  container: string | null;
  folder: string | null;
  /** The maildir folder when the file comes from one. */
  mailbox: string | null;
  /**
   * Exact size on disk, the size a zip or tar entry declares, or 0 when it is not known before the
   * bytes are read (what a gzip or zstd file holds).
   */
  size: number;
  chunks: AsyncIterable<Buffer>;
  /**
   * A file on disk: reads its bytes from `from` to the size above into `target` at the same offsets,
   * and returns how many it read; `chunks` must not be read past `from` then.
   */
  readInto?: (target: Buffer, from: number) => number;
  /**
   * A file on disk: its bytes from `from` to the size above, in chunks that share two buffers taking
   * turns, so each one is overwritten when the one after the next is read: a reader copies what it
   * keeps. `chunks` must not be read past `from` then.
   */
  readChunksFrom?: (from: number) => AsyncIterable<Buffer>;
  /** Random access to the same bytes for the zip reader; `rest` is `chunks` after the sniff. */
  openZip(rest: AsyncIterable<Buffer>): Promise<ZipSource>;
  /** How many zips this input is inside (0 for a file on disk). */
  zipDepth: number;
  /** Progress of the file on disk this input belongs to, or null inside a zip (the zip counts). */
  progress: FileProgress | null;
  /** Uncompressed bytes still allowed for the top-level archive this input is inside. */
  zipBudget: ZipBudget | null;
}

/** What a top-level archive may inflate to in all (nested archives included), and what is left. */
export interface ZipBudget {
  total: number;
  remaining: number;
}

/**
 * A kind of file the registry (readers/index.ts) can recognise: by content first, by name when the
 * content says nothing (`trustName`), and how to read it. `rest` is the input's bytes from byte 0.
 */
export interface FileFormat {
  kind: string;
  /** Lower-case, with the dot. */
  extensions: readonly string[];
  /** Whole lower-case file names without extension, e.g. `inbox`. */
  names: readonly string[];
  /** Read it by name alone when the content matches no format. */
  trustName: boolean;
  matchesContent(head: Buffer): boolean;
  read(input: ByteInput, rest: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<InputItem>;
}

/** Reads one ByteInput; passed in so that the zip reader can hand its entries back to the registry. */
export type Dispatch = (input: ByteInput, ctx: ReadContext) => AsyncGenerator<InputItem>;

export interface ReadContext {
  limits: Limits;
  /** The caller's counter of input bytes consumed (ReadOptions.progress). */
  progress: { bytesRead: number };
  dispatch: Dispatch;
  /**
   * Where a reader assembles a message's bytes when it must join chunks (ReadOptions.allocate):
   * a new buffer of that size when not given.
   */
  allocate?: (size: number) => Buffer;
}

/**
 * Thrown inside a reader to abandon the current input (a bomb detected mid-stream, a corrupt
 * entry); the reader that owns the input turns it into a failure record. Never escapes readInputs.
 */
export class InputProblem extends Error {
  readonly code: string;
  readonly offset: number | null;
  constructor(code: string, reason: string, offset: number | null = null) {
    super(reason);
    this.name = 'InputProblem';
    this.code = code;
    this.offset = offset;
  }
}

export function failure(path: string, code: string, reason: string, offset: number | null = null): InputItem {
  return { kind: 'failure', failure: { path, offset, code, reason } };
}

export function skipped(path: string, code: string, reason: string): InputItem {
  return { kind: 'skipped', path, code, reason };
}

export function message(bytes: Buffer, source: Omit<SourceRef, 'length'>): InputItem {
  return { kind: 'message', message: { bytes, source: { ...source, length: bytes.length } } };
}

/** Node's system errors (ENOENT, EACCES, EIO...) are bad input; anything else is a bug. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === 'string' &&
    typeof (error as NodeJS.ErrnoException).syscall === 'string'
  );
}

export function describeSystemError(error: NodeJS.ErrnoException): string {
  const plain: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EIO: 'input/output error (damaged disk or network share?)',
    ENOENT: 'no such file or folder',
    ELOOP: 'too many levels of symbolic links',
    ENOTDIR: 'a part of the path is not a folder',
    EISDIR: 'is a folder',
  };
  return `${plain[error.code ?? ''] ?? error.message} (${error.code ?? 'error'})`;
}

/** `dump` + `a/b.eml` -> `dump/a/b.eml`, keeping the path as the user typed it. */
export function joinLabel(parent: string, name: string): string {
  return parent.endsWith('/') ? parent + name : `${parent}/${name}`;
}

/**
 * Where the messages of an archive entry named `name` belong: a file in `X/cur/` or `X/new/` is in
 * the maildir X, as a maildir's files on disk are (its folder `cur` or `new`, the maildir its
 * mailbox), so that what the archive checks read of maildirs (the size in a delivered file's name)
 * reads the same inside a zip or a tar; any other file is in its folder. Without the folder
 * listing a walk on disk has, `tmp/` is not told from any folder of that name, and is read.
 */
function entryPlace(container: string, name: string): { folder: string; mailbox: string | null } {
  const folder = posix.dirname(name);
  const last = posix.basename(folder);
  if (last !== 'cur' && last !== 'new') return { folder, mailbox: null };
  const maildir = posix.dirname(folder);
  return { folder: last, mailbox: maildir === '.' ? container : `${container}!/${maildir}` };
}

/** What a container holds, read through the registry; a problem met inside is a failure at the input's label. */
export async function* dispatchInside(input: ByteInput, ctx: ReadContext): AsyncGenerator<InputItem> {
  try {
    yield* ctx.dispatch(input, ctx);
  } catch (error) {
    if (!(error instanceof InputProblem)) throw error;
    yield failure(input.label, error.code, error.message, error.offset);
  }
}

/** An archive (zip or tar) as its entries see it: its label, how many layers it is inside, its budget. */
export interface ArchivePlace {
  label: string;
  depth: number;
  budget: ZipBudget | null;
}

/**
 * The input of an archive's entry `name`: named `<archive>!/<name>`, placed as entryPlace says, one
 * layer deeper than the archive, its bytes as the reader gives them.
 */
export function entryInput(archive: ArchivePlace, name: string, bytes: Pick<ByteInput, 'size' | 'chunks' | 'openZip'>): ByteInput {
  return {
    label: `${archive.label}!/${name}`,
    name: posix.basename(name),
    container: archive.label,
    ...entryPlace(archive.label, name),
    ...bytes,
    zipDepth: archive.depth + 1,
    progress: null,
    zipBudget: archive.budget,
  };
}
