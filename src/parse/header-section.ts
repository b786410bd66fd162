// The header section exactly as in the bytes: order, duplicates and folding kept. The MIME parser's
// decoded view loses all three, and DKIM evidence (which copy of From is signed) depends on them.
import type { RawHeader } from '../model.ts';

/** Where the header section ends and the body starts, in bytes. */
export interface HeaderSplit {
  /** Length of the header section, without the blank line. */
  headerEnd: number;
  /** Offset of the first body byte; equal to bytes.length when there is no body. */
  bodyStart: number;
  /** False when no blank line was found: the message has no body, or was cut short. */
  hasBody: boolean;
}

export function splitHeaderSection(bytes: Buffer): HeaderSplit {
  // A message may start with its body straight away (no headers at all).
  if (bytes[0] === 0x0a) return { headerEnd: 0, bodyStart: 1, hasBody: true };
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return { headerEnd: 0, bodyStart: 2, hasBody: true };
  // The section ends at the first "\r\n\r\n" or "\n\n", whichever comes first. Found line by line
  // (every blank line starts at a line break), so only the header section is read: searching the
  // bytes for each pattern read a whole message of CRLF lines for "\n\n" it never holds (0.26 ms
  // of a 1 MB attachment's message, and again for the attachment's part).
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, nl + 1)) {
    const next = bytes[nl + 1];
    if (next === 0x0a) {
      // "\r\n\n" and "\n\n" both end the section at the first newline.
      const end = nl > 0 && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
      return { headerEnd: end, bodyStart: nl + 2, hasBody: true };
    }
    if (next === 0x0d && bytes[nl + 2] === 0x0a && bytes[nl - 1] === 0x0d) return { headerEnd: nl - 1, bodyStart: nl + 3, hasBody: true };
  }
  return { headerEnd: bytes.length, bodyStart: bytes.length, hasBody: false };
}

/** How the bytes of a message divide: what the verifier needs to know of the parser's reading. */
export interface MessageLayout {
  split: HeaderSplit;
  /** Lines in the header section that are neither a header nor a continuation. */
  strayLines: number;
  /**
   * The runs of base64 lines the MIME walk read in the body (WalkResult.lineRuns), in ascending
   * order, offsets from split.bodyStart; none when it was not walked. They hold for these bytes only.
   */
  lineRuns?: readonly LineRun[];
}

/**
 * Whole lines of base64 as the MIME walk decoded them run by run (mime-walk.ts decodeLines): bytes
 * [start, end) of the body, lines of `stride` bytes each, every one ending in its line break (CRLF
 * when `crlf`, else a line feed alone) with nothing before it but letters of the base64 alphabet.
 * The DKIM body hash need not search them for line feeds without a CR (verify/body-hash.ts): there
 * are none in a CRLF run, and one at the end of every line of the other kind.
 */
export interface LineRun {
  start: number;
  end: number;
  stride: number;
  crlf: boolean;
}

export interface HeaderListResult {
  headers: RawHeader[];
  /** Lines that are neither a header nor a continuation (kept out of the list, reported). */
  strayLines: number;
}

/** Reads the header list; bytes are decoded as latin1 so every byte maps to one character. */
export function readHeaderList(bytes: Buffer, split: HeaderSplit): HeaderListResult {
  const text = bytes.toString('latin1', 0, split.headerEnd);
  const lines = text.split('\n');
  const headers: RawHeader[] = [];
  let strayLines = 0;
  let current: string[] | null = null;
  const flush = (): void => {
    if (!current) return;
    const raw = current.join('\n');
    const colon = raw.indexOf(':');
    const name = raw.slice(0, colon).trimEnd();
    const value = raw
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .replace(/\r$/, '')
      .trim();
    headers.push({ index: headers.length, name, key: name.toLowerCase(), raw: raw.replace(/\r$/, ''), value });
    current = null;
  };
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current) current.push(line);
      else strayLines++;
      continue;
    }
    flush();
    // RFC 5322 field name: printable ASCII except colon; some real mail has a space before the colon.
    if (/^[!-9;-~]+[ \t]*:/.test(line)) current = [line];
    else if (line.replace(/\r$/, '') !== '') strayLines++;
  }
  flush();
  return { headers, strayLines };
}

export function headerValues(headers: RawHeader[], key: string): string[] {
  return headers.filter((h) => h.key === key).map((h) => h.value);
}

export function firstHeader(headers: RawHeader[], key: string): string | null {
  return headers.find((h) => h.key === key)?.value ?? null;
}

/**
 * The header list with one header's raw text replaced (a tag undone, say) and its value read again
 * from it: what follows the colon, unfolded and trimmed. The others are the same objects.
 */
export function withRawHeader(headers: RawHeader[], header: RawHeader, raw: string): RawHeader[] {
  const colon = raw.indexOf(':');
  const value = raw
    .slice(colon + 1)
    .replace(/\r?\n(?=[ \t])/g, '')
    .trim();
  return headers.map((h) => (h === header ? { ...h, raw, value } : h));
}
