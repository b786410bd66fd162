// A receiving gateway marks the external mail it lets in: a tag at the start of the subject
// ("[EXTERNAL] ") and a notice at the top of the text ("CAUTION: This email originated from outside
// the organisation…"), which breaks the sender's DKIM signature although nothing the sender wrote
// changed. Remove such additions (a tag at the very start of the subject, whole lines at the top of
// the plain text and right after the HTML's <body>) and check the signature again: when it verifies,
// the signed message differs from the stored one by those additions only. Whether they are a
// gateway's mark or a forger's lines, this message alone cannot tell: the archive does
// (checks/archive-marks.ts, the same additions on the mail of many signers). The stored bytes are
// never changed; candidates are hashed where they lie.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { MarkUndo, ParsedMessage, RawHeader, SignatureCheck, Verification } from '../model.ts';
import { splitHeaderSection, withRawHeader } from '../parse/header-section.ts';
import { readSignatureTags } from './dkim-tags.ts';
import { verifyHeaderSignature } from './header-signature.ts';
import type { KeyIndex } from './key-index.ts';

/**
 * Lines of a notice tried at each place. Gateways' notices run from one line (a banner) to about
 * six (a warning wrapped at 76 characters, a blank line after it); twelve leaves room for a longer
 * one without trying every cut of a long text.
 */
export const MAX_MARK_LINES = 12;

/** Bodies above this are not tried (each candidate hashes what follows its cut). */
export const MAX_MARK_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Canonical bytes hashed for one message's candidates, at most, whatever its number of signatures:
 * 16 MiB, or 32 times the body, whichever is more (at most 4 MiB x 32 = 128 MiB). A message whose
 * text sits before a large attachment hashes the attachment once a candidate, so a budget fixed in
 * bytes would try a 2 MB message's eight smallest candidates only; by the body's size it tries the
 * 32 smallest (a notice of up to about six lines in all, text and HTML). 16 MiB is about 9 ms of
 * SHA-256 here, spent only on signed mail whose body hash failed.
 */
const MIN_HASHED_BYTES = 16 * 1024 * 1024;
const HASHED_BODIES = 32;

/** Bodies of more lines than this are not tried: each line is a slice of the canonical form. */
const MAX_MARK_BODY_LINES = 100_000;

/** Characters kept of each removed block. */
const MAX_KEPT_CHARS = 2000;

/** Reply and forward prefixes in the languages mail clients write them: never a gateway's tag. */
const REPLY_WORDS = new Set(['re', 'aw', 'fw', 'fwd', 'sv', 'wg', 'tr', 'vs', 'rv', 'antw', 'odp', 'res', 'enc', 'vb', 'ynt']);

/**
 * A tag at the very start of a subject: "[EXTERNAL]", "*EXTERNAL*", "EXTERNAL:" (a word in capitals
 * and a colon, not a reply prefix), with the spaces after it. Gateways put theirs before anything
 * else; a tag further in was part of the subject the sender signed (a reply quoting a marked one).
 */
const SUBJECT_TAG = /^(\[[^\]\r\n]{1,40}\]|\*{1,3}[^*\r\n]{1,40}\*{1,3}|[A-Z][A-Z0-9 _-]{1,30}:)[ \t]*/;

/** The subject header with a tag at its very start removed, and the tag; null when it has none. */
export function untagSubject(headers: RawHeader[]): { headers: RawHeader[]; tag: string } | null {
  const subject = headers.find((h) => h.key === 'subject');
  if (!subject) return null;
  const colon = subject.raw.indexOf(':');
  const value = subject.raw.slice(colon + 1);
  const lead = /^[ \t]*/.exec(value)![0];
  const m = SUBJECT_TAG.exec(value.slice(lead.length));
  if (!m) return null;
  const tag = m[1]!;
  if (tag.endsWith(':') && REPLY_WORDS.has(tag.slice(0, -1).trim().toLowerCase())) return null;
  const raw = subject.raw.slice(0, colon + 1) + lead + value.slice(lead.length + m[0].length);
  return { headers: withRawHeader(headers, subject, raw), tag };
}

/** Where a notice may sit: from line `line` of the body, within a part that ends before line `end`. */
interface Slot {
  kind: 'text' | 'html';
  line: number;
  end: number;
}

/** A header section's Content-Type and Content-Transfer-Encoding, unfolded and lower-cased. */
function mimeHeadersOf(lines: string[]): { type: string; encoding: string; boundary: string | null } {
  const unfolded: string[] = [];
  for (const l of lines) {
    if (/^[ \t]/.test(l) && unfolded.length > 0) unfolded[unfolded.length - 1] += l;
    else unfolded.push(l);
  }
  const value = (name: string): string => {
    const h = unfolded.find((l) => l.toLowerCase().startsWith(`${name}:`));
    return h === undefined ? '' : h.slice(name.length + 1).trim();
  };
  const ct = value('content-type');
  const b = /boundary\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(ct);
  return {
    type: (ct.split(';')[0] ?? '').trim().toLowerCase(),
    encoding: value('content-transfer-encoding').toLowerCase(),
    boundary: b ? (b[1] ?? b[2] ?? null) : null,
  };
}

/** A notice can be lined up with whole stored lines only in a part that is not base64. */
function readableEncoding(encoding: string): boolean {
  return encoding !== 'base64';
}

/** The first line at or after `from` (before `end`, within 200 lines) holding an HTML body tag, +1; else `from`. */
function afterBodyTag(lines: string[], from: number, end: number, quotedPrintable: boolean): number {
  for (let i = from; i < end && i < from + 200; i++) {
    if (!/<body[\s>]/i.test(lines[i]!)) continue;
    // In quoted-printable a line ending in "=" goes on: the notice follows the whole line.
    let last = i;
    if (quotedPrintable) while (last + 1 < end && lines[last]!.endsWith('=')) last++;
    return last + 1;
  }
  return from;
}

/**
 * The first plain-text part's top and the first HTML part's <body>, found by walking the MIME
 * structure line by line: the places a gateway's notice goes.
 */
function findSlots(lines: string[], top: { type: string; encoding: string; boundary: string | null }): Slot[] {
  const slots: Slot[] = [];
  const add = (kind: Slot['kind'], line: number, end: number): void => {
    if (!slots.some((s) => s.kind === kind) && line < end) slots.push({ kind, line, end });
  };
  const visit = (mime: { type: string; encoding: string; boundary: string | null }, from: number, end: number, depth: number): void => {
    if (mime.type.startsWith('multipart/')) {
      if (mime.boundary === null || depth > 8) return;
      const open = `--${mime.boundary}`;
      const starts: number[] = [];
      let close = end;
      for (let i = from; i < end; i++) {
        const l = lines[i]!.trimEnd();
        if (l === `${open}--`) {
          close = i;
          break;
        }
        if (l === open) starts.push(i);
      }
      for (let p = 0; p < starts.length && slots.length < 2; p++) {
        const partEnd = starts[p + 1] ?? close;
        let blank = starts[p]! + 1;
        while (blank < partEnd && lines[blank] !== '') blank++;
        if (blank >= partEnd) continue;
        visit(mimeHeadersOf(lines.slice(starts[p]! + 1, blank)), blank + 1, partEnd, depth + 1);
      }
      return;
    }
    if (!readableEncoding(mime.encoding)) return;
    if (mime.type === '' || mime.type === 'text/plain') add('text', from, end);
    else if (mime.type === 'text/html') add('html', afterBodyTag(lines, from, end, mime.encoding === 'quoted-printable'), end);
  };
  visit(top, 0, lines.length, 0);
  return slots.sort((a, b) => a.line - b.line);
}

/**
 * The body canonicalized once (RFC 6376 3.4.3-3.4.4, line breaks as mailauth reads them: an LF ends
 * a line, a CR before it goes with it), with where each stored line's canonical form starts, so
 * that a candidate without some whole lines is hashed as slices of it.
 */
interface CanonicalBody {
  bytes: Buffer;
  /** Canonical offset of stored line i's start; one more entry for the end of the last line. */
  at: number[];
  /** Canonical bytes hashed: up to the end of the last line that is not empty (trailing empty lines are dropped). */
  length: number;
  /** Index of the last non-empty line (-1: none). */
  lastFull: number;
}

/** Where the last line before `line` that is not empty ends, in the canonical form (0: none). */
function fullEndBefore(c: CanonicalBody, line: number): number {
  for (let i = line - 1; i >= 0; i--) if (c.at[i + 1]! - c.at[i]! > 2) return c.at[i + 1]!;
  return 0;
}

function canonicalize(body: Buffer, relaxed: boolean): CanonicalBody {
  const parts: Buffer[] = [];
  const at: number[] = [];
  let offset = 0;
  let lastFull = -1;
  let lastFullEnd = 0;
  let line = 0;
  for (let start = 0; start < body.length; line++) {
    const lf = body.indexOf(0x0a, start);
    const stop = lf === -1 ? body.length : lf;
    let content = body.subarray(start, stop > start && body[stop - 1] === 0x0d && lf !== -1 ? stop - 1 : stop);
    if (relaxed && needsRelaxing(content))
      content = Buffer.from(
        content
          .toString('latin1')
          .replace(/[ \t]+/g, ' ')
          .replace(/ $/, ''),
        'latin1',
      );
    at.push(offset);
    parts.push(content, CRLF);
    offset += content.length + 2;
    if (content.length > 0) {
      lastFull = line;
      lastFullEnd = offset;
    }
    start = lf === -1 ? body.length : lf + 1;
  }
  at.push(offset);
  return { bytes: Buffer.concat(parts), at, length: lastFull === -1 && !relaxed ? 2 : lastFullEnd, lastFull };
}

const CRLF = Buffer.from('\r\n');

/** A line the relaxed form changes: a tab, two spaces in a row, or a space at its end. */
function needsRelaxing(line: Buffer): boolean {
  return line.includes(0x09) || line.includes('  ') || line[line.length - 1] === 0x20;
}

/** A candidate: how many lines to remove at each slot (same order as the slots). */
type Cut = number[];

/** Every cut of up to MAX_MARK_LINES lines at each slot, fewest lines in all first, the empty cut left out. */
function cutsFor(slots: Slot[], lastFull: number): Cut[] {
  const ranges = slots.map((s) => Math.max(0, Math.min(MAX_MARK_LINES, s.end - s.line, lastFull + 1 - s.line)));
  const out: Cut[] = [];
  if (slots.length === 1) for (let k = 1; k <= ranges[0]!; k++) out.push([k]);
  else
    for (let a = 0; a <= ranges[0]!; a++)
      for (let b = 0; b <= ranges[1]!; b++) if (a + b > 0 && a + slots[0]!.line <= slots[1]!.line) out.push([a, b]);
  return out.sort((x, y) => x.reduce((p, q) => p + q, 0) - y.reduce((p, q) => p + q, 0));
}

/**
 * The hash of the canonical body without the cut's lines: slices between the cuts, hashed in order,
 * up to l= (`limit`) canonical bytes when the signature has one. Null when the body left is shorter
 * than l= (RFC 6376 3.5: such a signature does not verify).
 */
function hashWithout(
  c: CanonicalBody,
  slots: Slot[],
  cut: Cut,
  algorithm: string,
  limit: number | null,
): { digest: string | null; bytes: number } {
  const slices: [number, number][] = [];
  let from = 0;
  slots.forEach((s, i) => {
    const k = cut[i]!;
    if (k === 0) return;
    slices.push([from, c.at[s.line]!]);
    from = c.at[s.line + k]!;
  });
  slices.push([from, c.length]);
  // A cut that takes the last line that is not empty leaves the empty lines before it at the end,
  // which canonicalization drops: the body then ends with the last full line before the cut.
  let end = c.length;
  slots.forEach((s, i) => {
    if (cut[i]! > 0 && s.line + cut[i]! > c.lastFull) end = Math.min(end, fullEndBefore(c, s.line));
  });
  if (end === 0) return { digest: null, bytes: 0 };
  for (const x of slices) x[1] = Math.min(x[1], end);
  const h: Hash = createHash(algorithm);
  let room = limit ?? Infinity;
  let bytes = 0;
  for (const [a, b] of slices) {
    const stop = Math.max(a, Math.min(b, a + room));
    if (stop > a) h.update(c.bytes.subarray(a, stop));
    bytes += stop - a;
    room -= stop - a;
    if (room <= 0) break;
  }
  return { digest: limit !== null && room > 0 ? null : h.digest('base64'), bytes };
}

function linesText(body: Buffer, starts: number[], from: number, count: number): string | null {
  if (count === 0) return null;
  const end = starts[from + count] ?? body.length;
  return body.toString('utf8', starts[from]!, end).slice(0, MAX_KEPT_CHARS);
}

/** A signature whose body or header signature failed: the bytes it covers changed. */
function broken(s: SignatureCheck): boolean {
  return s.bodyHash === 'fail' || (s.result === 'fail' && s.bodyHash === 'pass' && s.headerSignature === 'fail');
}

/**
 * For each broken signature that no list undo explained: the additions at the top (the subject's
 * leading tag, lines at the top of the text and after the HTML's <body>) without which it verifies.
 * A signature is listed only when both its body hash and its signature over the headers then pass,
 * or, when its key is not known, when its body hash then matches (headerSignature 'unknown').
 */
export function undoMarks(bytes: Buffer, parsed: ParsedMessage, v: Verification, keys: KeyIndex): MarkUndo[] {
  const explained = new Set((v.listUndo ?? []).filter((u) => u.headerSignature === 'pass').map((u) => u.signature));
  const candidates = v.signatures.filter((s) => broken(s) && !explained.has(s.index));
  if (candidates.length === 0) return [];
  const tagged = readSignatureTags(parsed.headers);
  const untagged = untagSubject(parsed.headers);
  const { bodyStart } = splitHeaderSection(bytes);
  const body = bytes.subarray(bodyStart);
  let layout: { lines: string[]; starts: number[]; slots: Slot[] } | null = null;
  const budget = { left: Math.max(MIN_HASHED_BYTES, HASHED_BODIES * body.length), canonical: new Map<boolean, CanonicalBody>() };
  const out: MarkUndo[] = [];
  for (const s of candidates) {
    const t = tagged[s.index];
    const key = keys.candidates(s.keyName, v.asOf).find((k) => !k.dnsError && k.value);
    // Without the key only the body hash can be checked: a body that matches bh= once the lines are removed.
    if (!t || (!key && s.bodyHash !== 'fail')) continue;
    let cut: { slots: Slot[]; cut: Cut } | null = null;
    if (s.bodyHash === 'fail') {
      if (body.length > MAX_MARK_BODY_BYTES || s.bodyHashComputed === null || s.bodyHashExpected === null) continue;
      if (layout === null && lineCount(body) > MAX_MARK_BODY_LINES) break;
      layout ??= bodyLayout(body, parsed);
      cut = findCut(body, layout.slots, s, budget);
      if (cut === null) continue;
    }
    // The headers as signed: as stored, else without the subject's leading tag (if the subject is signed).
    let tag: string | null = null;
    if (key && verifyHeaderSignature(parsed.headers, t.header, t.tags, key.value) !== true) {
      if (!untagged || !s.signedHeaders.includes('subject')) continue;
      if (verifyHeaderSignature(untagged.headers, t.header, t.tags, key.value) !== true) continue;
      tag = untagged.tag;
    }
    if (cut === null && tag === null) continue;
    const at = (kind: Slot['kind']): { text: string | null; count: number } => {
      const i = cut === null ? -1 : cut.slots.findIndex((x) => x.kind === kind);
      if (i === -1 || layout === null) return { text: null, count: 0 };
      const count = cut!.cut[i]!;
      return { text: linesText(body, layout.starts, cut!.slots[i]!.line, count), count };
    };
    const text = at('text');
    const html = at('html');
    out.push({
      signature: s.index,
      subjectTag: tag,
      headerSignature: key ? 'pass' : 'unknown',
      textLines: text.text,
      textLineCount: text.count,
      htmlLines: html.text,
      htmlLineCount: html.count,
    });
  }
  return out;
}

function bodyLayout(body: Buffer, parsed: ParsedMessage): { lines: string[]; starts: number[]; slots: Slot[] } {
  const text = body.toString('latin1');
  const lines: string[] = [];
  const starts: number[] = [];
  for (let start = 0; start < text.length;) {
    const lf = text.indexOf('\n', start);
    const stop = lf === -1 ? text.length : lf;
    starts.push(start);
    lines.push(text.slice(start, stop > start && text.charCodeAt(stop - 1) === 0x0d && lf !== -1 ? stop - 1 : stop));
    start = lf === -1 ? text.length : lf + 1;
  }
  starts.push(text.length);
  const top = mimeHeadersOf(
    parsed.headers
      .filter((h) => h.key === 'content-type' || h.key === 'content-transfer-encoding')
      .map((h) => h.raw.replace(/\r?\n$/, '').replace(/\r?\n(?=[ \t])/g, '')),
  );
  return { lines, starts, slots: findSlots(lines, top) };
}

/** The fewest lines whose removal at the slots makes the body hash match bh=, within the hashing budget. */
function findCut(
  body: Buffer,
  slots: Slot[],
  s: SignatureCheck,
  budget: { left: number; canonical: Map<boolean, CanonicalBody> },
): { slots: Slot[]; cut: Cut } | null {
  if (slots.length === 0) return null;
  const relaxed = (s.canonicalization.split('/')[1] ?? 'simple') === 'relaxed';
  const algorithm = s.algorithm.endsWith('sha1') ? 'sha1' : 'sha256';
  let canonical = budget.canonical.get(relaxed);
  if (!canonical) budget.canonical.set(relaxed, (canonical = canonicalize(body, relaxed)));
  // The canonical form here must be the verifier's: the body as stored hashes to what it computed.
  if (hashWithout(canonical, [], [], algorithm, s.bodyLength).digest !== s.bodyHashComputed) return null;
  for (const cut of cutsFor(slots, canonical.lastFull)) {
    if (budget.left <= 0) return null;
    const { digest, bytes } = hashWithout(canonical, slots, cut, algorithm, s.bodyLength);
    budget.left -= bytes;
    if (digest === s.bodyHashExpected) return { slots, cut };
  }
  return null;
}

function lineCount(body: Buffer): number {
  let n = 0;
  for (let i = body.indexOf(0x0a); i !== -1 && n <= MAX_MARK_BODY_LINES; i = body.indexOf(0x0a, i + 1)) n++;
  return n;
}
