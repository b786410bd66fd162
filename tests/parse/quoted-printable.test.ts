// Our quoted-printable decoder against the one mailparser uses (libqp), which stays the reference:
// the same bytes out for seeded random bodies built from the pieces that matter (escapes valid and
// broken, soft breaks with CRLF, LF and lone CR, blanks before line ends and at the end, 8-bit bytes).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { decodeQuotedPrintable } from '../../src/parse/quoted-printable.ts';

const libqp = createRequire(import.meta.url)('libqp') as { decode(s: string): Buffer };
const reference = (bytes: Buffer): Buffer => libqp.decode(bytes.toString('latin1'));

const PIECES = [
  '=',
  '=\r\n',
  '=\n',
  '=\r',
  '=3D',
  '=3d',
  '=C3=A9',
  '=G1',
  '=4',
  '==41',
  '= \n',
  '=\t\r\n',
  ' ',
  '\t',
  '  \t',
  '\r\n',
  '\n',
  '\r',
  'a',
  'Word',
  '\xe9',
  '\x00',
  '=0A',
  '=20',
  ' =',
  '=\r\r\n',
];

function randomBody(seed: number): Buffer {
  const rng = xoroshiro128plus(seed);
  const n = uniformInt(rng, 0, 60);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[uniformInt(rng, 0, PIECES.length - 1)];
  return Buffer.from(s, 'latin1');
}

describe('decodeQuotedPrintable', () => {
  it('gives the bytes libqp gives, on 20,000 seeded bodies', () => {
    for (let seed = 0; seed < 20_000; seed++) {
      const body = randomBody(seed);
      const ours = decodeQuotedPrintable(body);
      const theirs = reference(body);
      if (!ours.equals(theirs))
        expect({ seed, body: body.toString('latin1'), ours: [...ours] }).toEqual({
          seed,
          body: body.toString('latin1'),
          ours: [...theirs],
        });
    }
  });

  it('decodes the ordinary cases', () => {
    const cases = ['', 'plain', 'caf=C3=A9 =\r\nsoft', 'trailing  \r\nblanks\t', 'end=', 'bad =ZZ and =4', 'a=\n b'];
    for (const c of cases) expect(decodeQuotedPrintable(Buffer.from(c, 'latin1'))).toEqual(reference(Buffer.from(c, 'latin1')));
    expect(decodeQuotedPrintable(Buffer.from('caf=C3=A9 =\r\nsoft')).toString('utf8')).toBe('café soft');
  });
});
