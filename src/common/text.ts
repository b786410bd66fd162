// Small text helpers: for sentences we write (findings, summaries, problems), and for scanners
// that read text by character codes.

/** The text with its first letter in upper case: a reason quoted at the start of a sentence. */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What `\s` matches, by character code: ECMAScript's WhiteSpace and LineTerminator characters. */
export function isSpaceCode(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** What `[a-z]` matches under the i flag (without u), by character code: the ASCII letters. */
export function isAsciiLetterCode(c: number): boolean {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

/** The boundary parameter of a Content-Type value (quoted or not), or null when it has none. */
export function boundaryParameter(contentType: string | null): string | null {
  const m = /boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2] ?? null) : null;
}
