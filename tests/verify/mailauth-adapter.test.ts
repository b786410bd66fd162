// How messages are handed to mailauth: in chunks that end at line breaks, so that its relaxed body
// hash never joins an unfinished line to the next chunk (which copied a long line again with every
// chunk: quadratic in the line's length).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { computeBodyHashes } from '../../src/verify/body-hash.ts';
import { lineAlignedChunks, MAILAUTH_CHUNK_BYTES, verifyWithMailauth } from '../../src/verify/mailauth-adapter.ts';
import { integersFrom } from '../helpers/seeded-random.ts';

const noKey = async () => ({ error: 'ENOTFOUND' as const });

/** A message with one signature (relaxed or simple body, optional l=) that mailauth verifies, around `body`. */
function signedMessage(body: Buffer, canon: 'simple' | 'relaxed', limit: number | null = null): Buffer {
  const sig =
    `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/${canon}; d=example.org; s=x; h=from; bh=AAAA; b=AAAA` +
    (limit === null ? '' : `; l=${limit}`);
  return Buffer.concat([Buffer.from(`${sig}\r\nFrom: a@example.org\r\n\r\n`, 'latin1'), body]);
}

/** Seeded text with lines from empty to several chunks long, tabs, runs of spaces, bare CR and LF. */
function body(seed: number, bytes: number): Buffer {
  const rnd = integersFrom(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const long = rnd(6) === 0;
    const length = long ? MAILAUTH_CHUNK_BYTES + rnd(3 * MAILAUTH_CHUNK_BYTES) : rnd(120);
    const filler = ['a', 'b', ' ', '  ', '\t', '\r'][rnd(6)]!;
    const line = 'x'.repeat(Math.max(0, length - 3)) + filler + ['\r\n', '\n', ' \r\n', '\t\r\n'][rnd(4)]!;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join(''), 'latin1');
}

describe('lineAlignedChunks', () => {
  it('cuts a message into views that end at line feeds, the last one where the message ends', () => {
    const cases = [
      Buffer.alloc(0),
      Buffer.from('no line break at all'),
      Buffer.from('\n'),
      Buffer.from('a\r\nb\nc\r'),
      body(1, 5 * MAILAUTH_CHUNK_BYTES),
      Buffer.concat([Buffer.from('head\r\n'), Buffer.alloc(3 * MAILAUTH_CHUNK_BYTES + 7, 0x41)]),
    ];
    for (const bytes of cases) {
      const chunks = [...lineAlignedChunks(bytes)];
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
      for (const [i, chunk] of chunks.entries()) {
        expect(chunk.length).toBeGreaterThan(0);
        // A view of the message, not a copy.
        expect(chunk.buffer).toBe(bytes.buffer);
        if (i < chunks.length - 1) expect(chunk[chunk.length - 1]).toBe(0x0a);
        // Longer than a chunk only when it is one line.
        if (chunk.length > MAILAUTH_CHUNK_BYTES) expect(chunk.subarray(0, chunk.length - 1).indexOf(0x0a)).toBe(-1);
      }
    }
  });

  it('fills chunks up to the size asked for, cut after their last line feed', () => {
    const bytes = Buffer.from('aaaa\nbbbb\ncccc\ndddd', 'latin1');
    expect([...lineAlignedChunks(bytes, 12)].map((c) => c.toString())).toEqual(['aaaa\nbbbb\n', 'cccc\ndddd']);
    expect([...lineAlignedChunks(bytes, 3)].map((c) => c.toString())).toEqual(['aaaa\n', 'bbbb\n', 'cccc\n', 'dddd']);
  });
});

describe('verifyWithMailauth', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gets the body hashes computeBodyHashes gets on bodies with lines longer than a chunk', async () => {
    for (const [seed, canon, limit] of [
      [2, 'relaxed', null],
      [3, 'simple', null],
      [4, 'relaxed', 100_000],
      [5, 'simple', 150_000],
    ] as const) {
      const b = body(seed, 6 * MAILAUTH_CHUNK_BYTES);
      const ref = (await verifyWithMailauth(signedMessage(b, canon, limit), 2_000_000_000, noKey)).signatures[0]!;
      const [mine] = computeBodyHashes(b, [{ canonicalization: canon, hash: 'sha256', limit }]);
      expect(ref.bodyHash, `${canon} ${limit}`).toBe(mine!.hash);
    }
  });

  it('never has mailauth join the pieces of a long line (a line of 2 MB, relaxed)', async () => {
    const line = Buffer.concat([Buffer.alloc(2 * 1024 * 1024, 0x41), Buffer.from('\r\n')]);
    const message = signedMessage(line, 'relaxed');
    const concat = vi.spyOn(Buffer, 'concat');
    const ref = (await verifyWithMailauth(message, 2_000_000_000, noKey)).signatures[0]!;
    const joined = concat.mock.results.reduce((n, r) => n + (r.type === 'return' ? (r.value as Buffer).length : 0), 0);
    // Cut every 64 KiB, the line was joined again at each cut: about 33 MB of copies.
    expect(joined).toBeLessThan(line.length);
    const [mine] = computeBodyHashes(line, [{ canonicalization: 'relaxed', hash: 'sha256', limit: null }]);
    expect(ref.bodyHash).toBe(mine!.hash);
  });
});
