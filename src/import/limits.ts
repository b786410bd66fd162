// Numeric limits of the input readers. Every number says why it is what it is; callers (and tests)
// may lower or raise any of them through `readInputs(paths, { limits })`.

export interface Limits {
  /** Largest single message kept in memory and handed on. Larger ones become `input/too-large`. */
  maxMessageBytes: number;
  /** Zip entries read from one archive (nested archives count on their own). */
  maxZipEntries: number;
  /** Uncompressed bytes of one zip entry (an mbox inside a zip can be huge; a bomb is larger). */
  maxZipEntryBytes: number;
  /** Uncompressed bytes of all entries of one top-level archive, nested archives included. */
  maxZipTotalBytes: number;
  /** Uncompressed/compressed ratio above which an entry is treated as a bomb. */
  maxCompressionRatio: number;
  /** Entries smaller than this are never judged by their ratio (tiny files can compress well). */
  ratioFloorBytes: number;
  /** How many layers of archives and compressed files deep we read (a zip, a tar and a gzip or zstd file count one each). */
  maxZipDepth: number;
  /** A deflated zip inside a zip has to be held in memory to be read (no extraction to disk). */
  maxNestedZipBytes: number;
  /** Zip entries this small (compressed and inflated) are read and inflated whole, at once; larger ones as a stream. */
  maxZipAtOnceBytes: number;
  /** Folder nesting followed below each input path. */
  maxDirectoryDepth: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: Readonly<Limits> = {
  // Mail servers cap messages at 25-50 MB (Gmail 50 MB received, Exchange Online 150 MB with
  // base64 growth of 4/3). 200 MiB leaves room for the largest we know and still bounds memory.
  maxMessageBytes: 200 * MiB,
  // The largest public dumps hold ~1M messages (MacronLeaks: 71,800). A hostile central directory of
  // empty entries costs 46 bytes each, so this also bounds the time spent on one archive.
  maxZipEntries: 2_000_000,
  // Google Takeout puts a whole account in one mbox entry and splits archives at 50 GB.
  maxZipEntryBytes: 64 * GiB,
  // A dump that inflates beyond a laptop disk is not a dump: four of the largest entries.
  maxZipTotalBytes: 256 * GiB,
  // Mail text deflates 3-8x, base64 attachments ~1.4x; an mbox of near-identical notifications
  // reaches ~30x. Deflate tops out at 1032x and bombs sit near that, so 100x separates them.
  maxCompressionRatio: 100,
  // Below 1 MiB an extreme ratio is harmless (a 100 KiB file of spaces), so it is not judged.
  ratioFloorBytes: 1 * MiB,
  // Real dumps nest once or twice (a zip of per-user zips; a .tar.gz, two layers, of per-user
  // zips); 42.zip-style bombs nest 5+ levels.
  maxZipDepth: 4,
  // Held in memory while the inner archive is read; stored (uncompressed) inner zips are read in
  // place and never hit this limit.
  maxNestedZipBytes: 512 * MiB,
  // Held whole while the entry is judged and copied where its bytes will live: a message is almost
  // always smaller (the bench's largest are 2 MB); an mbox or a larger message is streamed.
  maxZipAtOnceBytes: 16 * MiB,
  // Mail folder trees are rarely deeper than 20; this stops runaway recursion on odd filesystems.
  maxDirectoryDepth: 128,
};

/** Chunk size for reading files: large enough for throughput, small enough to keep memory flat. */
export const READ_CHUNK_BYTES = 1 * MiB;

/** Bytes looked at to recognise a file's kind: a full header block of a typical message fits. */
export const SNIFF_BYTES = 8 * 1024;

/** A From_ line longer than this is not a separator (real ones are < 200 bytes). */
export const MAX_FROM_LINE_BYTES = 1000;

export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`unknown limit "${key}"`);
    if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`limit "${key}" must be a number >= 0`);
    limits[key as keyof Limits] = value;
  }
  return limits;
}
