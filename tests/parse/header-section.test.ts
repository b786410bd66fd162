import { describe, expect, it } from 'vitest';
import { splitHeaderSection } from '../../src/parse/header-section.ts';

/** The rule spelled out plainly: the first "\r\n\r\n" or "\n\n", whichever starts first, ends the section. */
function byDefinition(bytes: Buffer): { headerEnd: number; bodyStart: number; hasBody: boolean } {
  if (bytes[0] === 0x0a) return { headerEnd: 0, bodyStart: 1, hasBody: true };
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return { headerEnd: 0, bodyStart: 2, hasBody: true };
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return { headerEnd: bytes.length, bodyStart: bytes.length, hasBody: false };
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4, hasBody: true };
  return { headerEnd: lf > 0 && bytes[lf - 1] === 0x0d ? lf - 1 : lf, bodyStart: lf + 2, hasBody: true };
}

describe('splitHeaderSection', () => {
  it('ends the section at the first blank line, CRLF or LF', () => {
    expect(splitHeaderSection(Buffer.from('A: 1\r\nB: 2\r\n\r\nbody\n\nmore'))).toEqual({ headerEnd: 10, bodyStart: 14, hasBody: true });
    expect(splitHeaderSection(Buffer.from('A: 1\nB: 2\n\nbody\r\n\r\n'))).toEqual({ headerEnd: 9, bodyStart: 11, hasBody: true });
    // "\r\n\n": the section ends at the CR, the body starts after the second LF.
    expect(splitHeaderSection(Buffer.from('A: 1\r\n\nbody'))).toEqual({ headerEnd: 4, bodyStart: 7, hasBody: true });
    // "\n\r\n" with no CR before it is not a blank line of either kind.
    expect(splitHeaderSection(Buffer.from('A: 1\n\r\nB'))).toEqual({ headerEnd: 8, bodyStart: 8, hasBody: false });
    expect(splitHeaderSection(Buffer.from('\r\nbody'))).toEqual({ headerEnd: 0, bodyStart: 2, hasBody: true });
    expect(splitHeaderSection(Buffer.from('\nbody'))).toEqual({ headerEnd: 0, bodyStart: 1, hasBody: true });
    expect(splitHeaderSection(Buffer.from('A: 1\r\nB: 2'))).toEqual({ headerEnd: 10, bodyStart: 10, hasBody: false });
    expect(splitHeaderSection(Buffer.alloc(0))).toEqual({ headerEnd: 0, bodyStart: 0, hasBody: false });
  });

  it('agrees with the rule on every short mix of CR, LF and text', () => {
    // All 4^8 strings of length 8 over CR, LF, "a" and ":", their first five characters, and each after a header line.
    const alphabet = ['\r', '\n', 'a', ':'];
    for (let n = 0; n < 4 ** 8; n++) {
      let s = '';
      for (let k = n, i = 0; i < 8; i++, k = Math.floor(k / 4)) s += alphabet[k % 4];
      for (const text of [s, s.slice(0, 5), `X: y${s}`]) {
        const bytes = Buffer.from(text, 'latin1');
        expect(splitHeaderSection(bytes), JSON.stringify(text)).toEqual(byDefinition(bytes));
      }
    }
  });
});
