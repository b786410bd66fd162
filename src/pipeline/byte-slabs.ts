// Where the reader thread puts each message's bytes for the rest of the import: in slabs of shared
// memory that the main thread and the analysis workers read in place, and that the reader fills
// again once the main thread has said it is done with every message in one (SlabReleases below).
//
// Before, each message was copied into an ArrayBuffer of its own and transferred to the main thread,
// which copied it again into a SharedArrayBuffer of its own for the workers: two allocations and two
// copies of every byte of the dump, each buffer freed only by a garbage collection (on the mixed dump
// about 80 full collections of the main thread came from them). A SharedArrayBuffer per message made
// in the reader instead was worse: its thread allocates little, so it collected its handles rarely,
// and each kept its message's bytes alive after every other thread was done with them (peak RSS
// 1.1 GB in half the runs). A slab is kept alive by the reader's own count instead, never by a
// collection: it is reused when the count says nothing in it is needed any more.
//
// The reader only ever writes a place it was given back; the main thread and the workers only read.
// The main thread gives a message's place back (releases it) once it has stored the message (the
// insert copies the bytes into SQLite) or found it stored already, or stored it with its failure:
// dispatch.ts, after the message's write. A worker that answered no longer reads it; one that ran
// out of time may still read it while it is terminated, which changes nothing stored.

/** Bytes of one slab. A message larger than this gets a slab of its own, dropped when it is released. */
export const SLAB_BYTES = 16 * 1024 * 1024;

/**
 * Empty slabs kept for reuse, at most; more are dropped (their memory goes back when the other threads
 * drop their handles). The import needs about three: the reader runs 8 MB ahead and 24 MB are in the
 * workers' hands (dispatch.ts).
 */
export const SPARE_SLABS = 4;

/** Where a message's bytes are: slab, offset, length. */
export type Place = [slab: number, offset: number, length: number];

interface Slab {
  id: number;
  memory: SharedArrayBuffer;
  /** Bytes handed out from the start (the next message goes here). */
  used: number;
  /** Messages placed here and not released. */
  live: number;
  /** A slab of one large message: dropped, not reused, once released. */
  single: boolean;
}

/** The reader's side: places messages, takes releases, and says which slabs are new or dropped. */
export class SlabWriter {
  private readonly slabs = new Map<number, Slab>();
  private current: Slab | null = null;
  private nextId = 1;
  /** Slabs made since the last takeNews(), which the main thread must learn of before any place in them. */
  private made: [number, SharedArrayBuffer][] = [];
  /** Slabs dropped since the last takeNews(): the main thread drops its handle too. */
  private dropped: number[] = [];
  private readonly slabBytes: number;
  private readonly spare: number;

  constructor(slabBytes = SLAB_BYTES, spare = SPARE_SLABS) {
    this.slabBytes = slabBytes;
    this.spare = spare;
  }

  /** Copies the bytes into a slab and returns where. */
  place(bytes: Uint8Array): Place {
    const n = bytes.length;
    let slab: Slab;
    if (n > this.slabBytes) {
      slab = this.make(n, true);
    } else {
      if (this.current === null || this.current.memory.byteLength - this.current.used < n) this.current = this.emptySlab();
      slab = this.current;
    }
    const offset = slab.used;
    new Uint8Array(slab.memory, offset, n).set(bytes);
    slab.used += n;
    slab.live++;
    return [slab.id, offset, n];
  }

  /** The main thread is done with one message in each of these slabs (one entry per message). */
  release(slabIds: readonly number[]): void {
    for (const id of slabIds) {
      const slab = this.slabs.get(id);
      if (!slab || slab.live <= 0) throw new Error(`bytes released twice, or never placed, in slab ${id}`);
      slab.live--;
      if (slab.live > 0) continue;
      if (slab.single) this.drop(slab);
      else if (slab !== this.current) slab.used = 0;
    }
    // Too many empty slabs kept: the extra ones go.
    let empty = 0;
    for (const slab of this.slabs.values()) {
      if (slab.live > 0 || slab === this.current) continue;
      if (++empty > this.spare) this.drop(slab);
    }
  }

  /** Slabs made and dropped since the last call. */
  takeNews(): { made: [number, SharedArrayBuffer][]; dropped: number[] } {
    const news = { made: this.made, dropped: this.dropped };
    this.made = [];
    this.dropped = [];
    return news;
  }

  /** Slabs held (for tests and the memory bound). */
  get count(): number {
    return this.slabs.size;
  }

  /** The current slab again if every message in it was released, else an empty one, else a new one. */
  private emptySlab(): Slab {
    if (this.current !== null && this.current.live === 0) {
      this.current.used = 0;
      return this.current;
    }
    for (const slab of this.slabs.values()) if (!slab.single && slab.live === 0) return slab;
    return this.make(this.slabBytes, false);
  }

  private make(size: number, single: boolean): Slab {
    const slab: Slab = { id: this.nextId++, memory: new SharedArrayBuffer(size), used: 0, live: 0, single };
    this.slabs.set(slab.id, slab);
    this.made.push([slab.id, slab.memory]);
    return slab;
  }

  private drop(slab: Slab): void {
    this.slabs.delete(slab.id);
    if (this.current === slab) this.current = null;
    // A slab made and dropped before the main thread heard of it: it never hears of either.
    const i = this.made.findIndex(([id]) => id === slab.id);
    if (i !== -1) this.made.splice(i, 1);
    else this.dropped.push(slab.id);
  }
}

/** The main thread's side: the slabs it knows of, the bytes at a place, and the releases to send. */
export class SlabReader {
  private readonly slabs = new Map<number, SharedArrayBuffer>();
  private pending: number[] = [];

  /** Takes the reader's news (before the places that use it). */
  learn(news: { made: [number, SharedArrayBuffer][]; dropped: number[] }): void {
    for (const [id, memory] of news.made) this.slabs.set(id, memory);
    for (const id of news.dropped) this.slabs.delete(id);
  }

  /** The bytes at a place, read in place (no copy). */
  bytesAt([slab, offset, length]: Place): Buffer {
    const memory = this.slabs.get(slab);
    if (!memory) throw new Error(`message bytes in slab ${slab}, which the reader never announced`);
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
