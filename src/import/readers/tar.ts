// tar archives (POSIX ustar and pax, GNU, and the old v7 format), read in place with tar-stream one
// entry at a time as a stream: nothing is extracted to disk. A `.tar.gz` or `.tar.zst` comes here
// through compressed.ts. Each file entry goes back to the registry, so an mbox, a message, a zip
// or a tar inside a tar is read like one on disk; its source path is `dump.tar!/maildir/a/cur/1.`.

import { type ExtractEvents, extract as tarExtract } from 'tar-stream';
import type { InputItem } from '../../model.ts';
import { type ByteInput, type FileFormat, type ReadContext, InputProblem, entryInput, failure, skipped } from './context.ts';
import { findEscape } from './zip-safety.ts';
import { heldZipSource } from './zip-source.ts';

/** One entry of the archive: its header and a stream of its bytes. */
type TarEntry = ExtractEvents['entry'][1];

const BLOCK = 512;
const CHECKSUM_AT = 148;
const TYPE_AT = 156;
const MAGIC_AT = 257;
const USTAR = Buffer.from('ustar');

/**
 * Whether a 512-byte block is a tar header: the `ustar` magic (POSIX, GNU), or for the old v7
 * format, which has none, a name and a checksum that adds up (RFC-less, but every tar writes it:
 * the sum of the block's bytes with the checksum field read as spaces, in octal).
 */
export function looksLikeTar(head: Buffer): boolean {
  if (head.length < BLOCK) return false;
  if (head.subarray(MAGIC_AT, MAGIC_AT + USTAR.length).equals(USTAR)) return checksumMatches(head);
  const type = head[TYPE_AT]!;
  const knownType = type === 0 || (type >= 0x30 && type <= 0x37);
  return head[0] !== 0 && knownType && checksumMatches(head);
}

function checksumMatches(block: Buffer): boolean {
  const field = block.subarray(CHECKSUM_AT, CHECKSUM_AT + 8).toString('latin1');
  const written = /^[ \0]*([0-7]{1,7})[ \0]*$/.exec(field)?.[1];
  if (written === undefined) return false;
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < CHECKSUM_AT || i >= CHECKSUM_AT + 8) sum += block[i]!;
  return sum === parseInt(written, 8);
}

export const tarFormat: FileFormat = {
  kind: 'tar',
  extensions: ['.tar'],
  names: [],
  // A file named .tar that is not one is still read as a tar, to report it as damaged.
  trustName: true,
  matchesContent: looksLikeTar,
  read: readTar,
};

async function* readTar(input: ByteInput, rest: AsyncIterable<Buffer>, ctx: ReadContext): AsyncGenerator<InputItem> {
  if (input.zipDepth + 1 > ctx.limits.maxZipDepth) {
    yield failure(input.label, 'tar/too-deep', `a tar inside archives nested more than ${ctx.limits.maxZipDepth} deep is not opened`);
    return;
  }
  // v7 archives have no magic; tar-stream then still checks each header's checksum.
  const options: Record<string, unknown> = { allowUnknownFormat: true };
  const extract = tarExtract(options as Parameters<typeof tarExtract>[0]);
  let stopped = false;
  const fed: Fed = { ended: false, last: Buffer.alloc(0) };
  const pumped = pump(rest, extract, () => stopped, fed);
  const entries = extract[Symbol.asyncIterator]();
  let count = 0;
  let files = 0;
  try {
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = await entries.next();
      } catch (error) {
        // The bytes failed to come (damaged gzip data, a bomb): the layer they come from records it.
        if (error instanceof InputProblem) throw error;
        yield failure(input.label, 'tar/corrupt', `the archive is damaged after ${count} entries: ${(error as Error).message}`);
        return;
      }
      if (next.done) break;
      if (++count > ctx.limits.maxZipEntries) {
        yield failure(input.label, 'tar/too-many-entries', `only the first ${ctx.limits.maxZipEntries} entries were read`);
        return;
      }
      const entry = next.value;
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') files++;
      yield* readEntry(entry, input, ctx);
    }
    if (files === 0) yield skipped(input.label, 'tar/empty', 'the archive holds no files');
    else if (fed.ended && !endsWithZeroBlock(fed.last))
      yield failure(
        input.label,
        'tar/no-end',
        `the archive ends right after an entry, without the empty blocks that close a tar: it may have been cut short between two entries (the ${count} entries before the end were read)`,
      );
  } finally {
    stopped = true;
    extract.destroy(null);
    await pumped;
  }
}

/** What pump fed: whether the bytes ended (not stopped), and the last block of them. */
interface Fed {
  ended: boolean;
  last: Buffer;
}

/**
 * Whether the archive's last 512 bytes are zeros. A tar ends with two empty blocks (POSIX; GNU tar
 * pads to a record of 10,240 bytes with more); one cut between two entries ends with the last
 * entry's data and its padding, which tar-stream takes for a whole archive.
 */
function endsWithZeroBlock(last: Buffer): boolean {
  return last.length === BLOCK && last.every((b) => b === 0);
}

/** Feeds the archive's bytes to tar-stream as it asks for them, until they end or `stop()` says so. */
async function pump(bytes: AsyncIterable<Buffer>, extract: ReturnType<typeof tarExtract>, stop: () => boolean, fed: Fed): Promise<void> {
  try {
    for await (const chunk of bytes) {
      if (stop() || extract.destroyed) return;
      // A copy: a reader may hand the same buffer over again with other bytes in it.
      fed.last = Buffer.from(
        chunk.length >= BLOCK ? chunk.subarray(chunk.length - BLOCK) : Buffer.concat([fed.last, chunk]).subarray(-BLOCK),
      );
      if (!extract.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            extract.off('drain', done).off('close', done);
            resolve();
          };
          extract.on('drain', done).on('close', done);
        });
      }
    }
    if (!stop() && !extract.destroyed) {
      fed.ended = true;
      extract.end(null);
    }
  } catch (error) {
    // The bytes failed to come (damaged gzip data): the entry and the archive hear of it.
    extract.destroy(error as Error);
  }
}

async function* readEntry(entry: TarEntry, input: ByteInput, ctx: ReadContext): AsyncGenerator<InputItem> {
  const { header } = entry;
  // `tar -C dir .` writes every name after "./": the same file as without it.
  const name = header.name.replace(/^(?:\.\/)+/, '');
  const label = `${input.label}!/${name}`;
  const bytes = new EntryBytes(entry);
  try {
    // Folders carry no bytes; the files inside them are entries of their own.
    if (header.type === 'directory') return;
    const escape = findEscape(name);
    if (escape) {
      yield failure(label, 'tar/entry-escapes', `${escape}: ${JSON.stringify(header.name)}`);
      return;
    }
    if (header.type === 'link' || header.type === 'symlink') {
      const kind = header.type === 'link' ? 'hard' : 'symbolic';
      yield skipped(
        label,
        'tar/link',
        `a ${kind} link to ${JSON.stringify(header.linkname ?? '')}, not a file: links in archives are not followed (the file it names is read where it lies)`,
      );
      return;
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      yield skipped(label, 'tar/not-a-file', `a ${header.type ?? 'kind of'} entry, not a file: not read`);
      return;
    }
    const archive = { label: input.label, depth: input.zipDepth, budget: input.zipBudget };
    const child = entryInput(archive, name, {
      size: header.size,
      chunks: bytes.chunks(),
      // A zip is read at random: held in memory, as a deflated zip inside a zip.
      openZip: (rest) =>
        heldZipSource(
          rest,
          ctx.limits.maxNestedZipBytes,
          'tar/nested-too-large',
          `a zip inside a tar is read in memory, up to ${ctx.limits.maxNestedZipBytes} bytes; unpack the tar first`,
        ),
    });
    try {
      yield* ctx.dispatch(child, ctx);
    } catch (error) {
      // The archive's stream failed inside this entry (cut short, damaged, or the gzip data under
      // it): not this entry's doing, and told once, for the archive or the layer under it.
      if (error instanceof Error && bytes.failedWith(error)) return;
      if (!(error instanceof InputProblem)) throw error;
      yield failure(label, error.code, error.message, error.offset);
    }
  } finally {
    await bytes.drain();
  }
}

/**
 * An entry's bytes as an async iterable that never destroys the entry's stream: destroying it would
 * destroy the whole archive's (tar-stream), so a reader that stops early (a file recognised as not
 * mail, a message over the limit) leaves the rest to drain(), which reads it to its end unseen.
 */
class EntryBytes {
  private readonly entry: TarEntry;
  private readonly queue: Buffer[] = [];
  private ended = false;
  private error: Error | null = null;
  private discard = false;
  private wake: (() => void) | null = null;

  constructor(entry: TarEntry) {
    this.entry = entry;
    entry.on('data', (chunk: unknown) => {
      if (this.discard) return;
      this.queue.push(chunk as Buffer);
      entry.pause();
      this.notify();
    });
    entry.on('end', () => this.finish(null));
    entry.on('error', (error: Error) => this.finish(error));
    // Closed before its end (the archive's stream torn down): what came is not the whole file.
    entry.on('close', () => this.finish(this.ended ? null : new Error('the archive stopped inside this entry')));
  }

  async *chunks(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.error) throw this.error;
      if (this.ended) return;
      await this.next();
    }
  }

  /** Whether the entry's stream failed with this error. */
  failedWith(error: Error): boolean {
    return this.error === error;
  }

  /** Reads what is left of the entry, unseen, so that the archive goes on to the next one. */
  async drain(): Promise<void> {
    this.discard = true;
    this.queue.length = 0;
    while (!this.ended && !this.error) await this.next();
  }

  private next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.entry.resume();
    });
  }

  private finish(error: Error | null): void {
    if (error && !this.error && !this.ended) this.error = error;
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
