// The reader's slabs (src/pipeline/byte-slabs.ts): a place is written again only after the message
// there is released, empty slabs are reused before new ones are made, at most a few are kept
// empty, a large message gets a slab of its own, and the main thread hears of every slab made or dropped.
import { describe, expect, it } from 'vitest';
import { SlabReader, SlabWriter } from '../../src/pipeline/byte-slabs.ts';

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('byte slabs', () => {
  it('packs messages into a slab, and goes to another when one does not fit', () => {
    const w = new SlabWriter(100, 4);
    expect(w.place(bytes(40, 1))).toEqual([1, 0, 40]);
    expect(w.place(bytes(40, 2))).toEqual([1, 40, 40]);
    expect(w.place(bytes(40, 3))).toEqual([2, 0, 40]);
    expect(w.count).toBe(2);
    const news = w.takeNews();
    expect(news.made.map(([id]) => id)).toEqual([1, 2]);
    expect(news.dropped).toEqual([]);
    expect(w.takeNews().made).toEqual([]);
  });

  it('reuses a slab only once every message in it is released, never while one is held', () => {
    const w = new SlabWriter(100, 4);
    const r = new SlabReader();
    const a = w.place(bytes(60, 0xaa));
    const b = w.place(bytes(60, 0xbb)); // slab 2
    r.learn(w.takeNews());
    // Slab 1 released: the next message that does not fit in slab 2 goes there.
    r.release(a);
    w.release(r.takeReleases());
    const c = w.place(bytes(60, 0xcc));
    expect(c[0]).toBe(1);
    expect(w.count).toBe(2);
    // Slab 2 still holds b: a message that fits in neither makes a third slab, and b is intact.
    const d = w.place(bytes(60, 0xdd));
    expect(d[0]).toBe(3);
    r.learn(w.takeNews());
    expect(r.bytesAt(b).every((x) => x === 0xbb)).toBe(true);
    expect(r.bytesAt(c).every((x) => x === 0xcc)).toBe(true);
  });

  it('refuses a release twice (or of a slab it never made)', () => {
    const w = new SlabWriter(100, 4);
    const a = w.place(bytes(10, 1));
    w.release([a[0]]);
    expect(() => w.release([a[0]])).toThrow(/released twice/);
    expect(() => w.release([99])).toThrow(/never placed/);
  });

  it('gives a message larger than a slab one of its own, dropped once it is released', () => {
    const w = new SlabWriter(100, 4);
    const r = new SlabReader();
    const big = w.place(bytes(250, 7));
    r.learn(w.takeNews());
    expect(r.bytesAt(big).length).toBe(250);
    w.release([big[0]]);
    expect(w.count).toBe(0);
    const news = w.takeNews();
    expect(news.dropped).toEqual([big[0]]);
    r.learn(news);
    expect(() => r.bytesAt(big)).toThrow(/never announced/);
  });

  it('keeps at most the spare count of empty slabs', () => {
    const w = new SlabWriter(100, 2);
    const places = Array.from({ length: 6 }, (_, i) => w.place(bytes(80, i)));
    expect(w.count).toBe(6);
    w.release(places.map((p) => p[0]));
    // The current slab, and two spare.
    expect(w.count).toBe(3);
    expect(w.takeNews().dropped.length).toBe(0); // made and dropped before the main thread heard: neither is told
  });

  it('tells the main thread of a dropped slab it had heard of', () => {
    const w = new SlabWriter(100, 0);
    const a = w.place(bytes(80, 1));
    w.place(bytes(80, 2));
    w.takeNews();
    w.release([a[0]]);
    expect(w.takeNews().dropped).toEqual([a[0]]);
  });
});
