// DKIM body hashes (RFC 6376 3.4.3-3.4.5, 3.7), computed straight from the stored bytes without a
// stream: most lines of real mail need no change under either canonicalization (base64 lines have
// no whitespace at all), so unchanged runs are hashed in place and only the lines that hold a tab,
// two spaces or a space before the line break are rewritten. Line endings follow mailauth's
// message parser exactly (an LF without CR before it is a line break and becomes CRLF; a CR without
// LF after it is content), so both verifiers hash the same canonical body.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

export type BodyCanonicalization = 'simple' | 'relaxed';

export interface BodyHashSpec {
  canonicalization: BodyCanonicalization;
  /** sha256 or sha1 (the hash of the a= tag). */
  hash: 'sha256' | 'sha1';
  /** l=: canonical body bytes covered; null for the whole body. */
  limit: number | null;
}

export interface BodyHashResult {
  /** base64, as bh= writes it. */
  hash: string;
  /** Canonical body length, all of it. */
  canonicalLength: number;
  /** Canonical bytes hashed (less than canonicalLength when l= leaves some out). */
  hashedLength: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const CRLF = Buffer.from('\r\n');

/** Counts and hashes canonical output, cutting it at the l= limit. */
class LimitedHash {
  private readonly h: Hash;
  private readonly limit: number | null;
  canonicalLength = 0;
  hashedLength = 0;
  constructor(hash: string, limit: number | null) {
    this.h = createHash(hash);
    this.limit = limit;
  }
  update(b: Buffer): void {
    if (b.length === 0) return;
    this.canonicalLength += b.length;
    if (this.limit === null) {
      this.hashedLength += b.length;
      this.h.update(b);
      return;
    }
    const room = this.limit - this.hashedLength;
    if (room <= 0) return;
    const part = b.length > room ? b.subarray(0, room) : b;
    this.hashedLength += part.length;
    this.h.update(part);
  }
  digest(): BodyHashResult {
    return { hash: this.h.digest('base64'), canonicalLength: this.canonicalLength, hashedLength: this.hashedLength };
  }
}

/**
 * The body with every LF that has no CR before it turned into CRLF, as mailauth's parser reads it.
 * The same buffer when there is none (the usual case for .eml files): nothing is copied.
 */
export function withCrlfLineBreaks(body: Buffer): Buffer {
  let bare = 0;
  for (let p = body.indexOf(LF); p !== -1; p = body.indexOf(LF, p + 1)) if (p === 0 || body[p - 1] !== CR) bare++;
  if (bare === 0) return body;
  const out = Buffer.allocUnsafe(body.length + bare);
  let w = 0;
  let from = 0;
  for (let p = body.indexOf(LF); p !== -1; p = body.indexOf(LF, p + 1)) {
    if (p > 0 && body[p - 1] === CR) continue;
    w += body.copy(out, w, from, p);
    out[w++] = CR;
    out[w++] = LF;
    from = p + 1;
  }
  w += body.copy(out, w, from);
  return out.subarray(0, w);
}

/** Simple (3.4.3): the body as it is, its trailing CRLFs reduced to one (an empty body gets one). */
function hashSimple(body: Buffer, out: LimitedHash): void {
  let end = body.length;
  while (end >= 2 && body[end - 2] === CR && body[end - 1] === LF) end -= 2;
  out.update(body.subarray(0, end));
  out.update(CRLF);
}

/** One line (without its CRLF) under relaxed rules: runs of WSP become one SP, trailing WSP goes. */
function relaxLine(line: Buffer): Buffer {
  const out = Buffer.allocUnsafe(line.length);
  let w = 0;
  let pendingSpace = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === SP || c === HT) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace) {
      out[w++] = SP;
      pendingSpace = false;
    }
    out[w++] = c;
  }
  return out.subarray(0, w);
}

/** Relaxed (3.4.4): WSP runs reduced, trailing WSP and trailing empty lines dropped, CRLF-terminated. */
function hashRelaxed(body: Buffer, out: LimitedHash): void {
  // Whitespace and line breaks at the very end are empty lines (or the end of the last line).
  let end = body.length;
  for (;;) {
    if (end > 0 && (body[end - 1] === SP || body[end - 1] === HT)) end--;
    else if (end >= 2 && body[end - 2] === CR && body[end - 1] === LF) end -= 2;
    else break;
  }
  if (end === 0) return;
  const region = body.subarray(0, end);
  // Lines needing a change contain one of these; every other byte run is hashed as it is.
  const patterns = [Buffer.from('\t'), Buffer.from('  '), Buffer.from(' \r\n')];
  const next = patterns.map((p) => region.indexOf(p));
  let cursor = 0;
  for (;;) {
    let at = -1;
    for (let k = 0; k < patterns.length; k++) {
      if (next[k] !== -1 && next[k]! < cursor) next[k] = region.indexOf(patterns[k]!, cursor);
      if (next[k] !== -1 && (at === -1 || next[k]! < at)) at = next[k]!;
    }
    if (at === -1) break;
    const lineStart = region.lastIndexOf(LF, at) + 1;
    const eol = region.indexOf(CRLF, at === lineStart ? at : at);
    const lineEnd = eol === -1 ? region.length : eol;
    if (lineStart > cursor) out.update(region.subarray(cursor, lineStart));
    out.update(relaxLine(region.subarray(Math.max(lineStart, cursor), lineEnd)));
    cursor = lineEnd;
  }
  out.update(region.subarray(cursor));
  out.update(CRLF);
}

/**
 * The body hashes for these specs, over `body` (the bytes after the blank line). Specs that differ
 * only in l= share nothing but the line-break pass; real messages carry one or two signatures.
 */
export function computeBodyHashes(body: Buffer, specs: readonly BodyHashSpec[]): BodyHashResult[] {
  if (specs.length === 0) return [];
  const crlf = withCrlfLineBreaks(body);
  return specs.map((s) => {
    const out = new LimitedHash(s.hash, s.limit);
    if (s.canonicalization === 'simple') hashSimple(crlf, out);
    else hashRelaxed(crlf, out);
    return out.digest();
  });
}
