import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WalkDeclined, decodeBase64, decodeBase64Lines } from '../../src/parse/mime-walk.ts';

/** What decoding a base64 body at once gives (mime-walk.ts, base64Text): the rule the run-by-run decoding must keep. */
function atOnce(body: Buffer): Buffer | 'declined' {
  if (body.some((b) => b > 0x7f)) return 'declined';
  const s = body.toString('latin1').replace(/[-_]/g, '');
  const eq = s.indexOf('=');
  if (eq !== -1 && /[A-Za-z0-9+/]/.test(s.slice(eq))) return 'declined';
  return Buffer.from(s, 'base64');
}

/** Equal bytes, or both declined (Buffer.equals: toEqual walks a megabyte byte by byte). */
function same(got: Buffer | 'declined' | null, want: Buffer | 'declined', label = ''): void {
  expect(Buffer.isBuffer(got) && Buffer.isBuffer(want) ? got.equals(want) : got === want, label).toBe(true);
}

function decoded(body: Buffer, decode: (b: Buffer) => Buffer | null = decodeBase64): Buffer | 'declined' | null {
  try {
    return decode(body);
  } catch (err) {
    if (err instanceof WalkDeclined) return 'declined';
    throw err;
  }
}

/** `size` random bytes encoded in lines of `line` characters, each ended by `eol`. */
function encoded(size: number, line: number, eol: string, trailer = eol): Buffer {
  const text = randomBytes(size).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += line) lines.push(text.slice(i, i + line));
  return Buffer.from(lines.join(eol) + trailer, 'latin1');
}

describe('base64 decoded run by run', () => {
  it('gives the bytes decoding at once gives, for the layouts encoders write', () => {
    for (const size of [200_000, 200_001, 200_002, 48_000, 600_000])
      for (const [line, eol] of [
        [76, '\r\n'],
        [76, '\n'],
        [72, '\r\n'],
        [64, '\n'],
        [4, '\r\n'],
      ] as const)
        for (const trailer of [eol, '', `${eol}${eol}`]) {
          const body = encoded(size, line, eol, trailer);
          const want = atOnce(body);
          same(decoded(body), want);
          if (body.length > 64 * 1024) same(decoded(body, decodeBase64Lines), want, `${size} ${line} ${JSON.stringify(eol)}`);
        }
  });

  it('leaves a body with anything outside the alphabet in its lines to decoding at once, with the same result', () => {
    const junk = [' ', '\t', '*', '.', '\r', '\n', '\0', '-', '_', '=', 'é', '\r\n'];
    for (let round = 0; round < 200; round++) {
      const body = encoded(150_000 + round, 76, round % 2 ? '\n' : '\r\n');
      const at = (round * 7919) % body.length;
      const bad = Buffer.concat([body.subarray(0, at), Buffer.from(junk[round % junk.length]!, 'utf8'), body.subarray(at)]);
      const want = atOnce(bad);
      same(decoded(bad), want, `round ${round}`);
      const lines = decoded(bad, decodeBase64Lines);
      // Run by run, it either leaves the body to decoding at once or gives the same bytes (or the same decline).
      if (lines !== null) same(lines, want, `round ${round}`);
    }
  });

  it('decodes the common layout run by run, not at once', () => {
    expect(decodeBase64Lines(encoded(300_000, 76, '\r\n'))).not.toBeNull();
    // A space inside a line: its run decodes short, so the body is decoded at once.
    const body = encoded(300_000, 76, '\r\n');
    body[1000] = 0x20;
    expect(decodeBase64Lines(body)).toBeNull();
    same(decoded(body), atOnce(body));
  });
});
