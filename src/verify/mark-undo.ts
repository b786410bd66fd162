// A receiving gateway marks the external mail it lets in: a tag at the start of the subject
// ("[EXTERNAL] ") and a notice at the top of the text ("CAUTION: This email originated from outside
// the organisation…"), which breaks the sender's DKIM signature although nothing the sender wrote
// changed. Remove such additions (a tag at the very start of the subject, whole lines at the top of
// the plain text and right after the HTML's <body>; in a base64 part, which a gateway decodes, marks
// and encodes again, the same lines of the decoded text; on list mail, the list's own tag and
// wrapper with them, as list-undo.ts undoes them) and check the signature again: when it verifies,
// the signed message differs from the stored one by those additions only. Whether they are a
// gateway's mark or a forger's lines, this message alone cannot tell: the archive does
// (checks/archive-marks.ts, the same additions on the mail of many signers). The stored bytes are
// never changed; candidates are hashed as slices of one canonical form, with what replaces a part.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { MarkUndo, ParsedMessage, RawHeader, SignatureCheck, Verification } from '../model.ts';
import { splitHeaderSection, withRawHeader } from '../parse/header-section.ts';
import { boundaryParameter } from '../common/text.ts';
import { readSignatureTags } from './dkim-tags.ts';
import { boundaryOf, untagListSubject, unwrapped } from './list-undo.ts';
import { computeBodyHashes } from './body-hash.ts';
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
  /** A base64 part: its data lines end before `dataEnd` (empty lines after them are kept). */
  base64?: { dataEnd: number };
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
  return {
    type: (ct.split(';')[0] ?? '').trim().toLowerCase(),
    encoding: value('content-transfer-encoding').toLowerCase(),
    boundary: boundaryParameter(ct),
  };
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
    if (line < end) slots.push({ kind, line, end });
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
    const base64 = mime.encoding === 'base64';
    const kind = mime.type === '' || mime.type === 'text/plain' ? 'text' : mime.type === 'text/html' ? 'html' : null;
    if (kind === null || slots.some((s) => s.kind === kind)) return;
    if (base64) {
      // A gateway decodes such a part, puts its notice in and encodes it again whole.
      let dataEnd = end;
      while (dataEnd > from && lines[dataEnd - 1]!.trim() === '') dataEnd--;
      if (dataEnd > from) slots.push({ kind, line: from, end, base64: { dataEnd } });
    } else if (kind === 'text') add('text', from, end);
    else add('html', afterBodyTag(lines, from, end, mime.encoding === 'quoted-printable'), end);
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

function canonicalize(body: Buffer, layout: Layout, relaxed: boolean): CanonicalBody {
  const parts: Buffer[] = [];
  const at: number[] = [];
  let offset = 0;
  let lastFull = -1;
  let lastFullEnd = 0;
  layout.lines.forEach((text, line) => {
    const start = layout.starts[line]!;
    let content = body.subarray(start, start + text.length);
    if (relaxed && needsRelaxing(content)) content = Buffer.from(text.replace(/[ \t]+/g, ' ').replace(/ $/, ''), 'latin1');
    at.push(offset);
    parts.push(content, CRLF);
    offset += content.length + 2;
    if (content.length > 0) {
      lastFull = line;
      lastFullEnd = offset;
    }
  });
  at.push(offset);
  return { bytes: Buffer.concat(parts), at, length: lastFull === -1 && !relaxed ? 2 : lastFullEnd, lastFull };
}

const CRLF = Buffer.from('\r\n');

/** A line the relaxed form changes: a tab, two spaces in a row, or a space at its end. */
function needsRelaxing(line: Buffer): boolean {
  return line.includes(0x09) || line.includes('  ') || line[line.length - 1] === 0x20;
}

/**
 * One way to undo a notice at one slot: the stored lines [from, to) replaced by `insert` (canonical
 * lines; null: removed), `lines` lines of the notice taken out, which read `removed`.
 */
interface Edit {
  /** The slot's kind: where the notice was. */
  kind: Slot['kind'];
  from: number;
  to: number;
  insert: Buffer | null;
  lines: number;
  removed: string;
  /** A base64 part decoded, the lines taken out, and encoded again in lines of this many characters. */
  width: number | null;
}

/** The widths a base64 part may have had before a gateway encoded it again: as stored, MIME's 76, and 72 and 64 as some programs write. */
const BASE64_WIDTHS = [76, 72, 64];

/** The edits at one slot: up to MAX_MARK_LINES lines taken out, fewest first. */
function editsAt(slot: Slot, lines: string[], body: Buffer, starts: number[], lastFull: number): Edit[] {
  const out: Edit[] = [];
  if (!slot.base64) {
    const most = Math.min(MAX_MARK_LINES, slot.end - slot.line, lastFull + 1 - slot.line);
    for (let k = 1; k <= most; k++)
      out.push({
        kind: slot.kind,
        from: slot.line,
        to: slot.line + k,
        insert: null,
        lines: k,
        removed: linesText(body, starts, slot.line, k),
        width: null,
      });
    return out;
  }
  const { dataEnd } = slot.base64;
  const data = lines.slice(slot.line, dataEnd);
  const decoded = Buffer.from(data.join(''), 'base64');
  const ends: number[] = [];
  for (let i = decoded.indexOf(0x0a); i !== -1 && ends.length < 400; i = decoded.indexOf(0x0a, i + 1)) ends.push(i + 1);
  // The notice's first line: the top of a text, the line after the one holding an HTML <body>.
  let first = 0;
  if (slot.kind === 'html') {
    const bodyLine = ends.findIndex((e, n) => /<body[\s>]/i.test(decoded.toString('latin1', n === 0 ? 0 : ends[n - 1], e)));
    if (bodyLine !== -1) first = ends[bodyLine]!;
  }
  const widths = [...new Set([data[0]!.length, ...BASE64_WIDTHS])].filter((w) => w > 0 && w % 4 === 0);
  const startIndex = ends.findIndex((e) => e > first);
  for (let k = 1; k <= MAX_MARK_LINES && startIndex !== -1 && startIndex + k - 1 < ends.length; k++) {
    const cut = ends[startIndex + k - 1]!;
    const rest = Buffer.concat([decoded.subarray(0, first), decoded.subarray(cut)]);
    const encoded = rest.toString('base64');
    for (const w of widths) {
      const chunks: string[] = [];
      for (let i = 0; i < encoded.length; i += w) chunks.push(encoded.slice(i, i + w));
      out.push({
        kind: slot.kind,
        from: slot.line,
        to: dataEnd,
        insert: Buffer.from(chunks.map((c) => `${c}\r\n`).join(''), 'latin1'),
        lines: k,
        removed: decoded.toString('utf8', first, cut).slice(0, MAX_KEPT_CHARS),
        width: w,
      });
    }
  }
  return out;
}

/** Every combination of edits at the slots (one slot left as it is, or both edited), fewest lines taken out first. */
function candidatesFor(perSlot: Edit[][]): Edit[][] {
  const out: Edit[][] = [];
  if (perSlot.length === 1) for (const e of perSlot[0]!) out.push([e]);
  else {
    const [a, b] = perSlot as [Edit[], Edit[]];
    for (const e of a) out.push([e]);
    for (const f of b) out.push([f]);
    for (const e of a) for (const f of b) if (e.to <= f.from) out.push([e, f]);
  }
  const weight = (c: Edit[]): number => c.reduce((n, e) => n + e.lines, 0);
  return out.sort((x, y) => weight(x) - weight(y));
}

/**
 * The hash of the canonical body with the edits made (in order of their lines), its empty lines at
 * the end dropped again, up to l= (`limit`) canonical bytes when the signature has one. Null when
 * nothing is left, or the body left is shorter than l= (RFC 6376 3.5: such a signature does not verify).
 */
function hashEdited(c: CanonicalBody, edits: Edit[], algorithm: string, limit: number | null): { digest: string | null; bytes: number } {
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const e of edits) {
    pieces.push(c.bytes.subarray(pos, c.at[e.from]!));
    if (e.insert) pieces.push(e.insert);
    pos = c.at[e.to]!;
  }
  pieces.push(c.bytes.subarray(pos, edits.length === 0 ? c.length : c.bytes.length));
  // Canonical bodies end with one line break: drop the empty lines an edit left at the end.
  while (pieces.length > 0) {
    const last = pieces[pieces.length - 1]!;
    if (last.length === 0) pieces.pop();
    else if (endsWithEmptyLine(pieces)) pieces[pieces.length - 1] = last.subarray(0, last.length - 2);
    else break;
  }
  const total = pieces.reduce((n, p) => n + p.length, 0);
  if (edits.length > 0 && total <= 2) return { digest: null, bytes: 0 };
  const h: Hash = createHash(algorithm);
  let room = limit ?? Infinity;
  let bytes = 0;
  for (const p of pieces) {
    const take = Math.min(p.length, room);
    if (take > 0) h.update(take === p.length ? p : p.subarray(0, take));
    bytes += take;
    room -= take;
    if (room <= 0) break;
  }
  return { digest: limit !== null && room > 0 ? null : h.digest('base64'), bytes };
}

/** The pieces, one after the other, end with an empty line: CRLF CRLF. */
function endsWithEmptyLine(pieces: Buffer[]): boolean {
  const tail: number[] = [];
  for (let i = pieces.length - 1; i >= 0 && tail.length < 4; i--) {
    const p = pieces[i]!;
    for (let j = p.length - 1; j >= 0 && tail.length < 4; j--) tail.unshift(p[j]!);
  }
  return tail.length === 4 && tail[0] === 0x0d && tail[1] === 0x0a && tail[2] === 0x0d && tail[3] === 0x0a;
}

function linesText(body: Buffer, starts: number[], from: number, count: number): string {
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
  let layout: Layout | 'too-many-lines' | null = null;
  const budget = { left: Math.max(MIN_HASHED_BYTES, HASHED_BODIES * body.length), canonical: new Map<boolean, CanonicalBody>() };
  const out: MarkUndo[] = [];
  for (const s of candidates) {
    const t = tagged[s.index];
    // A key of the store that did not make the signature (one the selector had was replaced since) is
    // as good as none.
    const key = s.keyMade === 'no' ? undefined : keys.candidates(s.keyName, v.asOf).find((k) => !k.dnsError && k.value);
    // Without the key only the body hash can be checked: a body that matches bh= once the lines are removed.
    if (!t || (!key && s.bodyHash !== 'fail')) continue;
    let cut: Edit[] | null = null;
    let wrapped: WrappedCut | null = null;
    if (s.bodyHash === 'fail') {
      if (body.length > MAX_MARK_BODY_BYTES || s.bodyHashComputed === null || s.bodyHashExpected === null) continue;
      layout ??= bodyLayout(body, parsed);
      if (layout === 'too-many-lines') break;
      cut = findCut(body, layout, s, budget);
      if (cut === null && parsed.listId !== null) wrapped = findWrappedCut(body, parsed, s);
      if (cut === null && wrapped === null) continue;
    }
    const headers = wrapped?.headers ?? parsed.headers;
    // The headers as signed: as stored, else without the subject's leading tag (if the subject is signed).
    // On list mail the list's own tag may sit after the gateway's ("[EXTERNAL] [team] x"): the
    // list's change, undone as list-undo does, once the gateway's tag is.
    let tag: string | null = null;
    let listTag: string | null = null;
    if (key && verifyHeaderSignature(headers, t.header, t.tags, key.value) !== true) {
      const gatewayUntagged = headers === parsed.headers ? untagged : untagSubject(headers);
      if (!gatewayUntagged || !s.signedHeaders.includes('subject')) continue;
      if (verifyHeaderSignature(gatewayUntagged.headers, t.header, t.tags, key.value) !== true) {
        const again = parsed.listId === null ? null : untagListSubject(gatewayUntagged.headers);
        if (!again || verifyHeaderSignature(again.headers, t.header, t.tags, key.value) !== true) continue;
        listTag = again.tag;
      }
      tag = gatewayUntagged.tag;
    }
    if (cut === null && wrapped === null && tag === null) continue;
    const at = (kind: Slot['kind']): { text: string | null; count: number; width: number | null } => {
      const e = cut?.find((x) => x.kind === kind);
      return e ? { text: e.removed, count: e.lines, width: e.width } : { text: null, count: 0, width: null };
    };
    const text = wrapped ? { text: wrapped.removed, count: wrapped.lines, width: null } : at('text');
    const html = at('html');
    out.push({
      signature: s.index,
      subjectTag: tag,
      subjectTagUnchecked: key ? null : (untagged?.tag ?? null),
      listTag,
      listWrapper: wrapped !== null,
      headerSignature: key ? 'pass' : 'unknown',
      textLines: text.text,
      textLineCount: text.count,
      htmlLines: html.text,
      htmlLineCount: html.count,
      reencodedWidth: text.width ?? html.width,
    });
  }
  return out;
}

/** The body's stored lines (latin1, without their line breaks), where each starts, and the slots. */
interface Layout {
  lines: string[];
  /** Offset of each line in the body; one more entry for the body's end. */
  starts: number[];
  slots: Slot[];
}

/** The body's layout, read once for every signature; a body of more than MAX_MARK_BODY_LINES lines is not tried. */
function bodyLayout(body: Buffer, parsed: ParsedMessage): Layout | 'too-many-lines' {
  const text = body.toString('latin1');
  const lines: string[] = [];
  const starts: number[] = [];
  for (let start = 0; start < text.length;) {
    if (lines.length === MAX_MARK_BODY_LINES) return 'too-many-lines';
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
  layout: Layout,
  s: SignatureCheck,
  budget: { left: number; canonical: Map<boolean, CanonicalBody> },
): Edit[] | null {
  if (layout.slots.length === 0) return null;
  const relaxed = (s.canonicalization.split('/')[1] ?? 'simple') === 'relaxed';
  const algorithm = s.algorithm.endsWith('sha1') ? 'sha1' : 'sha256';
  let canonical = budget.canonical.get(relaxed);
  if (!canonical) budget.canonical.set(relaxed, (canonical = canonicalize(body, layout, relaxed)));
  // The canonical form here must be the verifier's: the body as stored hashes to what it computed.
  if (hashEdited(canonical, [], algorithm, s.bodyLength).digest !== s.bodyHashComputed) return null;
  const c = canonical;
  const perSlot = layout.slots.map((slot) => editsAt(slot, layout.lines, body, layout.starts, c.lastFull));
  for (const edits of candidatesFor(perSlot)) {
    if (budget.left <= 0) return null;
    const { digest, bytes } = hashEdited(c, edits, algorithm, s.bodyLength);
    budget.left -= bytes;
    if (digest === s.bodyHashExpected) return edits;
  }
  return null;
}

/** A notice found in the author's part of a list post that a list wrapped (list-undo.ts unwrapped). */
interface WrappedCut {
  headers: RawHeader[];
  lines: number;
  removed: string;
}

/**
 * A list that could not add its footer inline wraps the post in a multipart/mixed, the author's body
 * its first part (Mailman 2.1): the gateway's notice then sits at the top of that part. Unwrapped as
 * list-undo does it, with up to MAX_MARK_LINES lines taken off its top, the body hash may match bh=.
 * List posts are short; each candidate is hashed whole.
 */
function findWrappedCut(body: Buffer, parsed: ParsedMessage, s: SignatureCheck): WrappedCut | null {
  const canonicalization = (s.canonicalization.split('/')[1] ?? 'simple') === 'relaxed' ? 'relaxed' : 'simple';
  const hash = s.algorithm.endsWith('sha1') ? 'sha1' : 'sha256';
  for (const u of unwrapped(body, boundaryOf(parsed), parsed)) {
    if (!u.headers) continue;
    const starts = [0];
    for (let i = u.body.indexOf(0x0a); i !== -1 && starts.length <= MAX_MARK_LINES; i = u.body.indexOf(0x0a, i + 1)) starts.push(i + 1);
    for (let k = 1; k < starts.length && k <= MAX_MARK_LINES; k++) {
      const candidate = u.body.subarray(starts[k]!);
      const [r] = computeBodyHashes(candidate, [{ canonicalization, hash, limit: s.bodyLength }]);
      if (r && r.hash === s.bodyHashExpected && (s.bodyLength === null || r.hashedLength === s.bodyLength))
        return { headers: u.headers, lines: k, removed: u.body.toString('utf8', 0, starts[k]).slice(0, MAX_KEPT_CHARS) };
    }
  }
  return null;
}
