import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WalkDeclined, decodeBase64, decodeBase64Lines } from '../../src/parse/mime-walk.ts';
import { readMessage } from '../../src/parse/parse-message.ts';

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
  it('tells the verifier where the attachments are runs of base64 lines, each ending in its line break, and nowhere else', async () => {
    // The DKIM body hash does not search these runs for bare line feeds (verify/body-hash.ts): junk
    // anywhere in the base64 (line breaks of any kind among it) must keep the run out, or cut it
    // before the junk.
    const junk = ['\n', '\r', '\r\n', ' ', '*', '=', '-', '\n\n'];
    for (let round = 0; round < 120; round++) {
      const eol = round % 5 === 4 ? '\n' : '\r\n';
      const base64 = encoded(150_000 + round, 76, eol);
      const at = (round * 7919) % base64.length;
      const body =
        round % 6 === 5
          ? base64
          : Buffer.concat([base64.subarray(0, at), Buffer.from(junk[round % junk.length]!, 'latin1'), base64.subarray(at)]);
      const message = Buffer.concat([
        Buffer.from(
          'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\nthere\r\n' +
            '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n',
          'latin1',
        ),
        body,
        Buffer.from('\r\n--b--\r\n', 'latin1'),
      ]);
      const { layout } = await readMessage(message);
      const walked = message.subarray(layout.split.bodyStart);
      let last = 0;
      for (const run of layout.lineRuns ?? []) {
        const { start, end, stride, crlf } = run;
        expect(start >= last && end > start && end <= walked.length && (end - start) % stride === 0, `round ${round}`).toBe(true);
        last = end;
        // Every line: letters of the alphabet, then the run's line break, and nothing else.
        const line = new RegExp(`^(?:[A-Za-z0-9+/]{${stride - (crlf ? 2 : 1)}}${crlf ? '\\r\\n' : '\\n'})+$`);
        expect(line.test(walked.toString('latin1', start, end)), `round ${round}`).toBe(true);
      }
      // A clean body is one run, from the attachment's first byte.
      if (round % 6 === 5)
        expect(
          layout.lineRuns?.map((r) => r.crlf),
          `round ${round}`,
        ).toEqual([eol === '\r\n']);
    }
  });
});
