// The reader's slabs (src/pipeline/byte-slabs.ts): a place is written again only after the message
// there is released, a slab is refilled from its start once all of it is released, and when no slab
// has room (or a message is larger than a slab) the writer says so instead of waiting or overwriting.
import { describe, expect, it } from 'vitest';
import { SlabReader, SlabWriter, makeSlabs } from '../../src/pipeline/byte-slabs.ts';

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('byte slabs', () => {
  it('packs messages into a slab, and goes to the next when one does not fit', () => {
    const w = new SlabWriter(makeSlabs(3, 100));
    expect(w.place(bytes(40, 1))).toEqual([0, 0, 40]);
    expect(w.place(bytes(40, 2))).toEqual([0, 40, 40]);
    expect(w.place(bytes(40, 3))).toEqual([1, 0, 40]);
    expect(w.live).toBe(3);
  });

  it('reuses a slab only once every message in it is released, never while one is held', () => {
    const memories = makeSlabs(2, 100);
    const w = new SlabWriter(memories);
    const r = new SlabReader(memories);
    const a = w.place(bytes(60, 0xaa))!;
    const b = w.place(bytes(60, 0xbb))!; // slab 1
    expect(b[0]).toBe(1);
    // Slab 0 released: the next message that does not fit in slab 1 goes there, from its start.
    r.release(a);
    w.release(r.takeReleases());
    const c = w.place(bytes(60, 0xcc))!;
    expect(c).toEqual([0, 0, 60]);
    // Slab 1 still holds b, slab 0 holds c: no room for another, and nothing is written over.
    expect(w.place(bytes(60, 0xdd))).toBeNull();
    expect(w.fallbacks).toBe(1);
    expect(r.bytesAt(b).every((x) => x === 0xbb)).toBe(true);
    expect(r.bytesAt(c).every((x) => x === 0xcc)).toBe(true);
  });

  it('fills the current slab from its start again once all of it is released', () => {
    const w = new SlabWriter(makeSlabs(1, 100));
    const a = w.place(bytes(70, 1))!;
    expect(w.place(bytes(70, 2))).toBeNull();
    w.release([a[0]]);
    expect(w.place(bytes(70, 2))).toEqual([0, 0, 70]);
  });

  it('has no room for a message larger than a slab', () => {
    const w = new SlabWriter(makeSlabs(2, 100));
    expect(w.place(bytes(250, 7))).toBeNull();
    const room = w.reserve(250);
    expect(room.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(w.place(room)).toBeNull();
    expect(w.live).toBe(0);
  });

  it('places reserved room where it was reserved, without copying it, and counts it until released', () => {
    const memories = makeSlabs(1, 100);
    const w = new SlabWriter(memories);
    const room = w.reserve(30);
    expect(room.buffer).toBe(memories[0]);
    room.fill(9);
    expect(w.live).toBe(1);
    expect(w.place(room)).toEqual([0, 0, 30]);
    expect(w.live).toBe(1);
    expect(new SlabReader(memories).bytesAt([0, 0, 30]).every((x) => x === 9)).toBe(true);
  });

  it('refuses a release twice (or of a slab that is not in the pool)', () => {
    const w = new SlabWriter(makeSlabs(2, 100));
    const a = w.place(bytes(10, 1))!;
    w.release([a[0]]);
    expect(() => w.release([a[0]])).toThrow(/released twice/);
    expect(() => w.release([99])).toThrow(/never placed/);
  });

  it('refuses a place outside the slabs', () => {
    const r = new SlabReader(makeSlabs(1, 100));
    expect(() => r.bytesAt([1, 0, 10])).toThrow(/outside the slabs/);
    expect(() => r.bytesAt([0, 95, 10])).toThrow(/outside the slabs/);
  });
});
