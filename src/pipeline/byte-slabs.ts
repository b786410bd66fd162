// Where the reader thread puts each message's bytes for the rest of the import: in a fixed pool of
// slabs of shared memory that the main thread makes, that the main thread and the analysis workers
// read in place, and that the reader fills again once the main thread has said it is done with every
// message in one.
//
// Before, each message was copied into an ArrayBuffer of its own and transferred to the main thread,
// which copied it again into a SharedArrayBuffer of its own for the workers: two allocations and two
// copies of every byte of the dump, each buffer freed only by a garbage collection. The slabs cost
// one copy (none for an .eml file past its first 8 KB, which is read straight into its slab) and no allocation.
//
// The main thread makes every slab, before the reader starts, and holds them until the import ends:
// no shared memory is made by a thread that ends while others hold it. (An earlier version let the
// reader make and drop slabs as it needed them; one test run of five crashed in native code, and
// Node has had crashes of that kind: nodejs/node#28777.) When no slab has room, or a message is
// larger than a slab, the reader falls back to a buffer of the message's own, transferred
// (read-thread.ts): it never waits for a slab, so a message held for long (a slow analysis) only
// keeps its slab out of use.
//
// The reader only ever writes a place it was given back; the main thread and the workers only read.
// The main thread gives a message's place back (releases it) once it has stored the message (the
// insert copies the bytes into SQLite) or found it stored already, or stored it with its failure:
// dispatch.ts, after the message's write. A worker that answered no longer reads it; one that ran
// out of time may still read it while it is terminated, which changes nothing stored.

/** Bytes of one slab. */
export const SLAB_BYTES = 8 * 1024 * 1024;

/**
 * Slabs in the pool. The import holds about 32 MB of messages at once: the reader runs 8 MB ahead
 * (read-thread.ts) and 24 MB are in the workers' hands (dispatch.ts); a slab is reused only once
 * every message in it is released, so a few more than that are needed to keep the fallback rare.
 */
export const SLAB_COUNT = 8;

/** Where a message's bytes are: slab, offset, length. */
export type Place = [slab: number, offset: number, length: number];

/** The main thread's pool: made once, handed to the reader, dropped when the import ends. */
export function makeSlabs(count = SLAB_COUNT, bytes = SLAB_BYTES): SharedArrayBuffer[] {
  return Array.from({ length: count }, () => new SharedArrayBuffer(bytes));
}

interface Slab {
  /** Its index in the pool, the first number of a Place. */
  id: number;
  memory: SharedArrayBuffer;
  /** Bytes handed out from the start (the next message goes here). */
  used: number;
  /** Messages placed here and not released. */
  live: number;
}

/** The reader's side: places messages in the pool it was given, and takes releases. */
export class SlabWriter {
  private readonly slabs: Slab[];
  private current: Slab | null = null;
  /** Rooms given out by reserve() and not yet placed. */
  private readonly reserved = new WeakMap<Uint8Array, Place>();
  /** Messages that found no room (for tests and tuning). */
  fallbacks = 0;

  constructor(memories: readonly SharedArrayBuffer[]) {
    this.slabs = memories.map((memory, id) => ({ id, memory, used: 0, live: 0 }));
  }

  /**
   * Where a message's bytes go: the place of bytes that reserve() gave out (they are in a slab
   * already), else a copy of them into a slab; null when no slab has room (the caller sends the bytes
   * another way).
   */
  place(bytes: Uint8Array): Place | null {
    const reserved = this.reserved.get(bytes);
    if (reserved !== undefined) {
      this.reserved.delete(bytes);
      return reserved;
    }
    const taken = this.take(bytes.length);
    if (taken === null) {
      this.fallbacks++;
      return null;
    }
    taken[1].set(bytes);
    return taken[0];
  }

  /**
   * Room for `n` bytes, for a reader to assemble a message's bytes in (collectBytes): in a slab if one
   * has room (handed to place() afterwards, they are not copied again), else a buffer of its own. The
   * room counts as a message until released, so a message that is reserved and never placed keeps its
   * slab out of use (never the other way).
   */
  reserve(n: number): Buffer {
    const taken = this.take(n);
    if (taken === null) return Buffer.allocUnsafe(n);
    this.reserved.set(taken[1], taken[0]);
    return taken[1];
  }

  /** Room for n bytes, counted as a live message; null when no slab has it. */
  private take(n: number): [Place, Buffer] | null {
    const slab = this.roomFor(n);
    if (slab === null) return null;
    const offset = slab.used;
    slab.used += n;
    slab.live++;
    return [[slab.id, offset, n], Buffer.from(slab.memory, offset, n)];
  }

  /** The current slab if n fits, else one whose messages were all released (filled from its start). */
  private roomFor(n: number): Slab | null {
    const current = this.current;
    if (current !== null && current.live === 0) current.used = 0;
    if (current !== null && current.memory.byteLength - current.used >= n) return current;
    for (const slab of this.slabs) {
      if (slab === current || slab.live > 0 || slab.memory.byteLength < n) continue;
      slab.used = 0;
      this.current = slab;
      return slab;
    }
    return null;
  }

  /** The main thread is done with one message in each of these slabs (one entry per message). */
  release(slabIds: readonly number[]): void {
    for (const id of slabIds) {
      const slab = this.slabs[id];
      if (slab === undefined || slab.live <= 0) throw new Error(`bytes released twice, or never placed, in slab ${id}`);
      slab.live--;
    }
  }

  /** Messages placed and not released (for tests). */
  get live(): number {
    return this.slabs.reduce((n, s) => n + s.live, 0);
  }
}

/** The main thread's side: the bytes at a place, and the releases to send. */
export class SlabReader {
  private readonly slabs: readonly SharedArrayBuffer[];
  private pending: number[] = [];

  constructor(memories: readonly SharedArrayBuffer[]) {
    this.slabs = memories;
  }

  /** The bytes at a place, read in place (no copy). */
  bytesAt([slab, offset, length]: Place): Buffer {
    const memory = this.slabs[slab];
    if (!memory || offset + length > memory.byteLength) throw new Error(`message bytes at ${slab}:${offset}+${length}, outside the slabs`);
    return Buffer.from(memory, offset, length);
  }

  /** The message at this place is done with (stored, or known): its place may be written again. */
  release(place: Place): void {
    this.pending.push(place[0]);
  }

  /** Releases not yet sent to the reader. */
  get waiting(): number {
    return this.pending.length;
  }

  /** The releases to send to the reader now. */
  takeReleases(): number[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }
}
