import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Digest, sha256Hex } from '../../src/common/sha256.ts';

describe('sha256', () => {
  it('gives the known digests of the empty string and of "abc" (FIPS 180-2)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes bytes as they are, and strings as UTF-8', () => {
    const latin1 = Buffer.from([0xe9]);
    expect(sha256Hex(latin1)).toBe(createHash('sha256').update(latin1).digest('hex'));
    expect(sha256Hex('é')).toBe(sha256Hex(Buffer.from([0xc3, 0xa9])));
    expect(sha256Hex('é')).not.toBe(sha256Hex(latin1));
    expect(sha256Digest('abc').toString('hex')).toBe(sha256Hex('abc'));
    expect(sha256Digest('abc')).toHaveLength(32);
  });
});
