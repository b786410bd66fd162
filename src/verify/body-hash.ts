// DKIM body hashes (RFC 6376 3.4.3-3.4.5, 3.7), computed straight from the stored bytes without a
// stream: most lines of real mail need no change under either canonicalization (base64 lines have
// no whitespace at all), so unchanged runs are hashed in place and only the lines that hold a tab,
// two spaces or a space before the line break are rewritten (gathered with the short runs between
// them, and hashed a buffer at a time). Line endings follow mailauth's message parser exactly (an LF
// without CR before it is a line break and becomes CRLF; a CR without LF after it is content), so
// both verifiers hash the same canonical body.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { LineRun } from '../parse/header-section.ts';

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
 * `lineRuns` (parse/header-section.ts MessageLayout: runs of base64 lines, in ascending order) are
 * not searched, since their line breaks are known: none to change in a run of CRLF lines, and one
 * at the end of each line of the other kind, whose lines are copied by their stride. In an
 * attachment's base64 the search stops at every line. Reading and verifying 2,000 messages of the
 * bench's mixed dump took 575-609 ms a round with the CRLF runs, 601-642 ms without (1,370
 * signatures pass either way); analysing 600 of them with line feeds alone, as an mbox stores them,
 * took 340-341 ms (best of six) with the runs of the other kind, 380-398 ms without (418 pass
 * either way), when this copy had been a quarter of the analysis.
 */
export function withCrlfLineBreaks(body: Buffer, lineRuns: readonly LineRun[] = []): Buffer {
  let bare = 0;
  let from = 0;
  for (const run of lineRuns) {
    bare += countBareLineFeeds(body, from, run.start);
    if (!run.crlf) bare += (run.end - run.start) / run.stride;
    from = run.end;
  }
  bare += countBareLineFeeds(body, from, body.length);
  if (bare === 0) return body;
  const out = Buffer.allocUnsafe(body.length + bare);
  let w = 0;
  from = 0;
  for (const run of lineRuns) {
    w = copyWithCrlf(body, from, run.start, out, w);
    if (run.crlf) w += body.copy(out, w, run.start, run.end);
    else
      for (let at = run.start; at < run.end; at += run.stride) {
        w += body.copy(out, w, at, at + run.stride - 1);
        out[w++] = CR;
        out[w++] = LF;
      }
    from = run.end;
  }
  w = copyWithCrlf(body, from, body.length, out, w);
  return out.subarray(0, w);
}

/** The first line feed in body[from, to) without a CR before it, or -1. */
function nextBareLineFeed(body: Buffer, from: number, to: number): number {
  for (let p = body.indexOf(LF, from); p !== -1 && p < to; p = body.indexOf(LF, p + 1)) if (p === 0 || body[p - 1] !== CR) return p;
  return -1;
}

/** The line feeds in body[from, to) without a CR before them. */
function countBareLineFeeds(body: Buffer, from: number, to: number): number {
  let n = 0;
  for (let p = nextBareLineFeed(body, from, to); p !== -1; p = nextBareLineFeed(body, p + 1, to)) n++;
  return n;
}

/** body[from, to) into out at w, a CR put before each line feed that has none; returns where the copy ends in out. */
function copyWithCrlf(body: Buffer, from: number, to: number, out: Buffer, w: number): number {
  let start = from;
  for (let p = nextBareLineFeed(body, from, to); p !== -1; p = nextBareLineFeed(body, p + 1, to)) {
    w += body.copy(out, w, start, p);
    out[w++] = CR;
    out[w++] = LF;
    start = p + 1;
  }
  return w + body.copy(out, w, start, to);
}

/** Simple (3.4.3): the body as it is, its trailing CRLFs reduced to one (an empty body gets one). */
function hashSimple(body: Buffer, out: LimitedHash): void {
  let end = body.length;
  while (end >= 2 && body[end - 2] === CR && body[end - 1] === LF) end -= 2;
  out.update(body.subarray(0, end));
  out.update(CRLF);
}

/**
 * Canonical output gathered into one buffer and hashed a buffer at a time: the relaxed form of a
 * text body differs from it on most lines, and each line hashed on its own took two native calls
 * and a new buffer. Long runs that need no change are hashed where they lie.
 */
class Gathered {
  private n = 0;
  private readonly out: LimitedHash;
  constructor(out: LimitedHash) {
    this.out = out;
  }

  /** Bytes [from, to) of `src` as they are. */
  copy(src: Buffer, from: number, to: number): void {
    if (to <= from) return;
    if (to - from > GATHER_DIRECT_BYTES) {
      this.flush();
      this.out.update(src.subarray(from, to));
      return;
    }
    if (this.n + (to - from) > GATHER.length) this.flush();
    this.n += src.copy(GATHER, this.n, from, to);
  }

  /** One line, bytes [from, to) of `src` without its CRLF, under relaxed rules: runs of WSP become one SP, trailing WSP goes. */
  relax(src: Buffer, from: number, to: number): void {
    let w = this.n;
    let pendingSpace = false;
    for (let i = from; i < to; i++) {
      const c = src[i]!;
      if (c === SP || c === HT) {
        pendingSpace = true;
        continue;
      }
      // Room for a space and the byte; a line longer than the buffer goes out in pieces.
      if (w + 2 > GATHER.length) {
        this.n = w;
        this.flush();
        w = 0;
      }
      if (pendingSpace) {
        GATHER[w++] = SP;
        pendingSpace = false;
      }
      GATHER[w++] = c;
    }
    this.n = w;
  }

  flush(): void {
    if (this.n === 0) return;
    this.out.update(GATHER.subarray(0, this.n));
    this.n = 0;
  }
}

/** Where canonical output gathers (Gathered); computeBodyHashes runs start to end without yielding, so one buffer serves every call. */
const GATHER = Buffer.allocUnsafe(64 * 1024);

/** Runs that need no change and are longer than this are hashed in place rather than copied. */
const GATHER_DIRECT_BYTES = 4096;

/** What makes a line change under relaxed rules: a tab, two spaces, a space before the line break. */
const CHANGES_LINE = /\t| {2}| \r\n/g;
const CHANGE_PATTERNS = [Buffer.from('\t'), Buffer.from('  '), Buffer.from(' \r\n')];

/**
 * Bodies up to this size are searched for lines to change as one latin1 string with CHANGES_LINE;
 * larger ones with three native searches of the bytes, which stop at every space. The whole relaxed
 * hash (line-break check included) of the bench's bodies: text and HTML (up to about 100 KB, a
 * change on most lines) 2.1-2.9 ms/MB the first way, 3.0-3.7 the second (3.3-3.8 with a hash
 * update for each changed line, before Gathered); an attachment's base64 (a megabyte or two, no
 * change after its text part) 1.24 and 0.97.
 */
const STRING_SEARCH_MAX_BYTES = 256 * 1024;

/** The position of the next byte at or after `from` that starts a change (CHANGE_PATTERNS), -1 when none: by the way STRING_SEARCH_MAX_BYTES says. */
function changeFinder(region: Buffer): (from: number) => number {
  if (region.length <= STRING_SEARCH_MAX_BYTES) {
    const text = region.toString('latin1');
    const search = new RegExp(CHANGES_LINE);
    return (from) => {
      search.lastIndex = from;
      return search.exec(text)?.index ?? -1;
    };
  }
  const next = CHANGE_PATTERNS.map((p) => region.indexOf(p));
  return (from) => {
    let at = -1;
    for (let k = 0; k < CHANGE_PATTERNS.length; k++) {
      if (next[k] !== -1 && next[k]! < from) next[k] = region.indexOf(CHANGE_PATTERNS[k]!, from);
      if (next[k] !== -1 && (at === -1 || next[k]! < at)) at = next[k]!;
    }
    return at;
  };
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
  const nextChange = changeFinder(region);
  const gathered = new Gathered(out);
  // Lines needing a change contain one of CHANGE_PATTERNS; every other byte run is copied as it is.
  let cursor = 0;
  for (let at = nextChange(0); at !== -1; at = nextChange(cursor)) {
    const lineStart = region.lastIndexOf(LF, at) + 1;
    const eol = region.indexOf(CRLF, at);
    const lineEnd = eol === -1 ? region.length : eol;
    if (lineStart > cursor) gathered.copy(region, cursor, lineStart);
    gathered.relax(region, Math.max(lineStart, cursor), lineEnd);
    cursor = lineEnd;
  }
  gathered.copy(region, cursor, region.length);
  gathered.copy(CRLF, 0, CRLF.length);
  gathered.flush();
}

/**
 * The body hashes for these specs, over `body` (the bytes after the blank line). Specs that differ
 * only in l= share nothing but the line-break pass; real messages carry one or two signatures.
 */
export function computeBodyHashes(body: Buffer, specs: readonly BodyHashSpec[], lineRuns: readonly LineRun[] = []): BodyHashResult[] {
  if (specs.length === 0) return [];
  const crlf = withCrlfLineBreaks(body, lineRuns);
  return specs.map((s) => {
    const out = new LimitedHash(s.hash, s.limit);
    if (s.canonicalization === 'simple') hashSimple(crlf, out);
    else hashRelaxed(crlf, out);
    return out.digest();
  });
}
