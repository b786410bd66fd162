import { describe, expect, it } from 'vitest';
import { REMEMBERED_CHARS, remembered } from '../../src/common/remembered.ts';

describe('remembered', () => {
  it('computes each argument once while it is remembered, and forgets all at its bound', () => {
    const calls: string[] = [];
    const length = remembered(2, (key) => {
      calls.push(key);
      return key.length;
    });
    expect([length('a'), length('bb'), length('a'), length('bb')]).toEqual([1, 2, 1, 2]);
    expect(calls).toEqual(['a', 'bb']);
    // A third argument meets the bound: what was remembered goes, the new one stays.
    expect(length('ccc')).toBe(3);
    expect([length('ccc'), length('a')]).toEqual([3, 1]);
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a']);
  });

  it('forgets all when the characters remembered would pass its bound, however few the arguments', () => {
    const calls: string[] = [];
    const length = remembered(1_000, (key) => (calls.push(key), key.length), 640);
    const [a, b, c] = ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)];
    for (let i = 0; i < 63; i++) length(`${i}`.padStart(10, '.'));
    // 630 characters kept: a fits (640), b does not, and goes in alone.
    length(a);
    length(b);
    calls.length = 0;
    expect([length(b), length(a)]).toEqual([10, 10]);
    expect(calls).toEqual([a]);
    length(c);
    expect(calls).toEqual([a, c]);
  });

  it('never keeps an argument longer than a sixty-fourth of its bound, by default either', () => {
    const calls: string[] = [];
    const length = remembered(10, (key) => (calls.push(key.slice(0, 1)), key.length));
    const long = 'x'.repeat(REMEMBERED_CHARS / 64 + 1);
    const longest = 'y'.repeat(REMEMBERED_CHARS / 64);
    expect([length(long), length(long), length(longest), length(longest)]).toEqual([
      long.length,
      long.length,
      longest.length,
      longest.length,
    ]);
    expect(calls).toEqual(['x', 'x', 'y']);
  });
});
