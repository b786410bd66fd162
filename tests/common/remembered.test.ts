import { describe, expect, it } from 'vitest';
import { remembered } from '../../src/common/remembered.ts';

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
});
