// The only place that imports the zip library (fflate). Office Open XML and OpenDocument files are
// zip packages; their metadata sits in a few small parts. This reads the directory, refuses what a
// zip bomb or a crafted archive needs, and inflates only the named parts, in memory (an attachment
// is never written to disk). Every refusal is a plain reason; nothing here throws.
import { unzipSync } from 'fflate';

/**
 * Most entries a package may list. A large workbook or slide deck has a few thousand parts (each
 * sheet, slide, image and its relationships); a directory longer than this is crafted, and fflate
 * walks it entry by entry, so the cap bounds that walk (a ZIP64 record may claim billions).
 */
export const MAX_ZIP_ENTRIES = 10_000;

/**
 * Largest part inflated, by its declared size. Metadata parts are a few kilobytes; Word's styles of
 * a heavily formatted document reach a few hundred. Larger ones are left out with a reason.
 */
export const MAX_PART_BYTES = 2 * 1024 * 1024;

/**
 * Compressed bytes inflated per document, all parts together. fflate inflates into a buffer of the
 * declared size and keeps decoding past it when the declared size lies, so time grows with what the
 * compressed bytes can expand to (deflate reaches ~1,032:1). Measured here on a busy machine: a
 * 255 KiB part that claims 2 MiB and inflates to 255 MiB took 1.8 s; 1 MiB of compressed zeros 3.5 s.
 * Honest metadata parts compress to a few kilobytes, Word's styles to a few dozen.
 */
export const MAX_COMPRESSED_READ_BYTES = 256 * 1024;

/** What is left of a document's MAX_COMPRESSED_READ_BYTES. */
export interface ReadBudget {
  remaining: number;
}

export function newReadBudget(): ReadBudget {
  return { remaining: MAX_COMPRESSED_READ_BYTES };
}

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
  /** 0 stored, 8 deflate; anything else cannot be read. */
  method: number;
}

export type ZipListing = { entries: ZipEntry[]; problems: string[] } | { problem: string };

/** Thrown by our own filter to stop fflate's walk; never escapes this file. */
class StopWalk extends Error {}

/** The entries of a zip package, with reasons for anything that makes it unsafe to read. */
export function listZipEntries(bytes: Uint8Array): ZipListing {
  const entries: ZipEntry[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        if (entries.length >= MAX_ZIP_ENTRIES) throw new StopWalk();
        entries.push({ name: f.name, compressedSize: f.size, size: f.originalSize, method: f.compression });
        return false;
      },
    });
  } catch (err) {
    if (err instanceof StopWalk) return { problem: `the zip lists more than ${MAX_ZIP_ENTRIES} entries` };
    return { problem: `the zip directory cannot be read (${(err as Error).message})` };
  }
  const problems: string[] = [];
  // Entries cannot share bytes in a real archive: compressed sizes that add up to more than the file
  // mean entries overlap, the trick of the "better zip bomb" (many entries, one kernel).
  const total = entries.reduce((s, e) => s + e.compressedSize, 0);
  if (total > bytes.length)
    problems.push(`the zip's entries overlap: their compressed sizes add up to ${total} bytes in a ${bytes.length}-byte file`);
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) problems.push(`the zip lists "${e.name.slice(0, 80)}" twice: readers may disagree on which copy counts`);
    names.add(e.name);
  }
  return { entries, problems };
}

/**
 * The named parts, inflated. A part that breaks a limit or cannot be inflated is left out with a
 * reason. Overlapping entries are read all the same: each part is bounded on its own, and only a
 * few small parts are read, so the overlap costs nothing but is reported.
 */
export function readZipParts(
  bytes: Uint8Array,
  listing: { entries: ZipEntry[] },
  wanted: string[],
  budget: ReadBudget,
): { parts: Map<string, Uint8Array>; problems: string[] } {
  const parts = new Map<string, Uint8Array>();
  const problems: string[] = [];
  const take = new Set<string>();
  for (const name of wanted) {
    const e = listing.entries.find((x) => x.name === name);
    if (!e || take.has(name)) continue;
    const why =
      refuse(e) ??
      (e.compressedSize > budget.remaining
        ? `${e.compressedSize} compressed bytes, beyond the ${MAX_COMPRESSED_READ_BYTES} read per document`
        : null);
    if (why) problems.push(`${name}: ${why}`);
    else {
      take.add(name);
      budget.remaining -= e.compressedSize;
    }
  }
  if (take.size === 0) return { parts, problems };
  try {
    // A name listed twice is inflated once: the first copy's sizes were the ones checked.
    const done = new Set<string>();
    const out = unzipSync(bytes, {
      filter: (f) => {
        if (!take.has(f.name) || done.has(f.name)) return false;
        done.add(f.name);
        return true;
      },
    });
    for (const [name, data] of Object.entries(out)) parts.set(name, data);
  } catch (err) {
    problems.push(`the parts cannot be inflated (${(err as Error).message})`);
  }
  return { parts, problems };
}

function refuse(e: ZipEntry): string | null {
  if (e.method !== 0 && e.method !== 8) return `compressed with method ${e.method}, which is not deflate (encrypted or exotic)`;
  if (e.size > MAX_PART_BYTES) return `declares ${e.size} bytes, more than the ${MAX_PART_BYTES} read`;
  // Deflate never grows data by more than a few bytes per 16 KiB block: compressed bytes beyond that
  // bound mean the declared size lies, the mark of a bomb that inflates far past it.
  const bound = e.size + Math.ceil(e.size / 16_384) * 5 + 64;
  if (e.compressedSize > bound) return `declares ${e.size} bytes but holds ${e.compressedSize} compressed bytes: its sizes lie`;
  return null;
}
