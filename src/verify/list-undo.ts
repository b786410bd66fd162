// A mailing list changes what it forwards: it appends a footer to the text (or a trailing MIME part)
// and tags the subject, which breaks the author's DKIM signature. Undo those additions the way a
// list makes them and check the author's signature again: if it verifies, the list changed the
// message in transit and the author's text is what the author signed. Only list mail is tried, and
// only the usual additions; the bytes are never changed (candidates are new buffers).
import { dkimBody } from 'mailauth/lib/dkim/body/index.js';
import type { ListUndo, ParsedMessage, RawHeader, Verification } from '../model.ts';
import { readHeaderList, splitHeaderSection, withRawHeader } from '../parse/header-section.ts';
import { boundaryParameter } from '../common/text.ts';
import { readSignatureTags, numericTag } from './dkim-tags.ts';
import { verifyHeaderSignature } from './header-signature.ts';
import type { KeyIndex } from './key-index.ts';

/**
 * Footers of the list managers in use (Mailman, Sympa, Google Groups, LISTSERV) run from 2 to
 * about 15 lines; 40 leaves room for a long legal notice without trying every cut of a long body.
 */
export const MAX_FOOTER_LINES = 40;

/** Bodies above this are not cut and hashed again (each candidate hashes the whole body). */
export const MAX_UNDO_BODY_BYTES = 4 * 1024 * 1024;

/** List headers (RFC 2369, RFC 2919) and the older managers' own. */
const LIST_HEADERS = new Set(['list-id', 'list-unsubscribe', 'list-post', 'list-help', 'list-archive', 'mailing-list', 'x-mailing-list']);

/** A list's subject tag at the start of the subject, after any reply prefix: "[team] ", "Re: [team] ". */
const SUBJECT_TAG = /^((?:(?:re|aw|fwd?|sv|wg)\s*:\s*)*)(\[[^\]\r\n]{1,40}\]\s*)/i;

export interface Candidate {
  body: Buffer;
  undone: string;
  removed: Buffer;
  /** Headers as they were before the list changed them (Mailman's wrap rewrites Content-Type). */
  headers?: RawHeader[];
}

/** Start offsets of every line of the body (a line ends after its \n). */
function lineStarts(body: Buffer): number[] {
  const starts = [0];
  for (let i = body.indexOf(0x0a); i !== -1 && i + 1 < body.length; i = body.indexOf(0x0a, i + 1)) starts.push(i + 1);
  return starts;
}

export function boundaryOf(parsed: ParsedMessage): string | null {
  const ct = parsed.headers.find((h) => h.key === 'content-type')?.value ?? '';
  return /^\s*multipart\//i.test(ct) ? boundaryParameter(ct) : null;
}

/** The bodies the list may have started from, smallest change first. */
function* candidates(body: Buffer, boundary: string | null): Generator<Candidate> {
  const starts = lineStarts(body);
  const lineAt = (i: number): string => body.toString('latin1', starts[i]!, starts[i + 1] ?? body.length).replace(/\r?\n$/, '');
  // A text footer after everything: the body cut back at a line boundary near its end.
  for (let k = 1; k <= MAX_FOOTER_LINES && k < starts.length; k++) {
    const cut = starts[starts.length - k]!;
    yield { body: body.subarray(0, cut), undone: `a footer of ${k} line${k === 1 ? '' : 's'} at the end`, removed: body.subarray(cut) };
  }
  if (boundary === null) return;
  let closing = -1;
  for (let i = starts.length - 1; i >= 0; i--) {
    if (lineAt(i).trimEnd() === `--${boundary}--`) {
      closing = i;
      break;
    }
  }
  if (closing < 0) return;
  const keepFrom = starts[closing]!;
  // A trailing MIME part the list added: from the last delimiter to the closing one.
  for (let i = closing - 1; i > 0; i--) {
    if (lineAt(i).trimEnd() === `--${boundary}`) {
      yield {
        body: Buffer.concat([body.subarray(0, starts[i]!), body.subarray(keepFrom)]),
        undone: 'a trailing MIME part',
        removed: body.subarray(starts[i]!, keepFrom),
      };
      break;
    }
  }
  // A footer appended to the last text part, just before the closing delimiter.
  for (let k = 1; k <= MAX_FOOTER_LINES && closing - k > 0; k++) {
    const cut = starts[closing - k]!;
    yield {
      body: Buffer.concat([body.subarray(0, cut), body.subarray(keepFrom)]),
      undone: `a footer of ${k} line${k === 1 ? '' : 's'} at the end of the last part`,
      removed: body.subarray(cut, keepFrom),
    };
  }
}

/**
 * Mailman 2.1 wraps a single-part message whose footer it cannot add inline into a new
 * multipart/mixed: the author's body becomes the first part, under the author's own Content-Type
 * and Content-Transfer-Encoding, and the footer the next. Undone: the first part's content as the
 * body, its MIME headers back at the top.
 */
export function* unwrapped(body: Buffer, boundary: string | null, parsed: ParsedMessage): Generator<Candidate> {
  const ct = parsed.headers.find((h) => h.key === 'content-type')?.value ?? '';
  if (boundary === null || !/^\s*multipart\/mixed/i.test(ct)) return;
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const first = text.indexOf(delimiter);
  if (first === -1) return;
  const headStart = text.indexOf('\n', first) + 1;
  const blank = /\r?\n\r?\n/.exec(text.slice(headStart));
  if (headStart === 0 || !blank) return;
  const contentStart = headStart + blank.index + blank[0].length;
  const next = text.indexOf(`\n${delimiter}`, contentStart);
  if (next === -1) return;
  const partHeaders = readHeaderList(Buffer.from(text.slice(headStart, headStart + blank.index), 'latin1'), {
    headerEnd: blank.index,
    bodyStart: blank.index,
    hasBody: true,
  }).headers;
  const mime = new Map(partHeaders.filter((h) => h.key === 'content-type' || h.key === 'content-transfer-encoding').map((h) => [h.key, h]));
  if (!mime.has('content-type')) return;
  const headers = parsed.headers.map((h) => {
    const replacement = mime.get(h.key);
    return replacement ? { ...h, raw: replacement.raw, value: replacement.value } : h;
  });
  // The wrapper drops what it moved into the part (Content-Transfer-Encoding): put it back.
  for (const [key, h] of mime) {
    if (!parsed.headers.some((x) => x.key === key)) headers.push({ ...h, index: headers.length });
  }
  const content = Buffer.from(text.slice(contentStart, next + 1), 'latin1');
  const removed = Buffer.from(text.slice(next + 1), 'latin1');
  yield { body: content, undone: 'the multipart wrapper the list put around the message and its footer part', removed, headers };
  // The line break before the delimiter belongs to the delimiter (RFC 2046 5.1.1): without it too.
  yield {
    body: content.subarray(0, content.length - (content.at(-2) === 0x0d ? 2 : 1)),
    undone: 'the multipart wrapper the list put around the message and its footer part',
    removed,
    headers,
  };
}

/**
 * A list's footer after the part a signature's l= covers: the list may add it there without breaking
 * the signature (that is what l= is for). It is the list's when it names the list's own host (its
 * address or web page, from List-Id and the List-* links), as footers of the list managers do.
 */
function listFooterAfterLimit(body: Buffer, unsignedBytes: number, parsed: ParsedMessage): string | null {
  const tail = body.toString('utf8', Math.max(0, body.length - unsignedBytes)).trim();
  if (tail === '') return null;
  const hosts = new Set<string>();
  for (const h of parsed.headers.filter((x) => LIST_HEADERS.has(x.key))) {
    for (const m of h.value.matchAll(/(?:@|\/\/|<)([a-z0-9-]+(?:\.[a-z0-9-]+)+)/gi)) hosts.add(m[1]!.toLowerCase());
  }
  const lower = tail.toLowerCase();
  return [...hosts].some((h) => h.includes('.') && lower.includes(h)) ? tail.slice(0, 500) : null;
}

function bodyHashOf(body: Buffer, canonicalization: string, algorithm: string, bodyLength: number | null): string {
  const h = dkimBody(canonicalization, algorithm.split('-').pop() ?? 'sha256', bodyLength ?? undefined);
  h.update(body);
  return h.digest('base64');
}

/** The headers with the subject's list tag removed, or null when the subject carries none. */
export function untagListSubject(headers: RawHeader[]): { headers: RawHeader[]; tag: string } | null {
  const subject = headers.find((h) => h.key === 'subject');
  if (!subject) return null;
  const colon = subject.raw.indexOf(':');
  const value = subject.raw.slice(colon + 1);
  const lead = /^\s*/.exec(value)![0];
  const m = SUBJECT_TAG.exec(value.slice(lead.length));
  if (!m) return null;
  const raw = subject.raw.slice(0, colon + 1) + lead + m[1]! + value.slice(lead.length + m[0].length);
  return { headers: withRawHeader(headers, subject, raw), tag: m[2]!.trim() };
}

function isListMail(parsed: ParsedMessage): boolean {
  return parsed.headers.some((h) => LIST_HEADERS.has(h.key));
}

/**
 * For list mail, the list additions that make each broken signature verify again: the body cut
 * back (footer, trailing part) or unwrapped until its hash matches bh=, and the subject tag and
 * MIME headers restored until b= verifies; and, for a signature that verifies with l=, a footer of
 * the list's after what it covers. A signature whose break nothing here explains is not listed.
 */
export function undoListChanges(bytes: Buffer, parsed: ParsedMessage, v: Verification, keys: KeyIndex): ListUndo[] {
  if (!isListMail(parsed)) return [];
  const { bodyStart } = splitHeaderSection(bytes);
  const body = bytes.subarray(bodyStart);
  const out: ListUndo[] = [];
  for (const s of v.signatures.filter((x) => x.result === 'pass' && x.unsignedBodyBytes > 0)) {
    const footer = listFooterAfterLimit(body, s.unsignedBodyBytes, parsed);
    if (footer !== null)
      out.push({
        signature: s.index,
        kind: 'footer-after-limit',
        undone: [`a footer of the list after the ${s.bodyLength} bytes l= covers`],
        removed: footer,
        headerSignature: 'pass',
      });
  }
  const broken = v.signatures.filter((s) => s.bodyHash === 'fail' || (s.result === 'fail' && s.bodyHash === 'pass'));
  if (broken.length === 0) return out;
  const tagged = readSignatureTags(parsed.headers);
  const boundary = boundaryOf(parsed);
  for (const s of broken) {
    const t = tagged[s.index];
    if (!t) continue;
    const undone: string[] = [];
    let removed = '';
    let headers = parsed.headers;
    if (s.bodyHash === 'fail') {
      if (body.length > MAX_UNDO_BODY_BYTES) continue;
      const bh = (t.tags.get('bh') ?? '').replace(/\s+/g, '');
      const canon = t.tags.get('c') ?? 'simple/simple';
      let found: Candidate | null = null;
      for (const c of [...unwrapped(body, boundary, parsed), ...candidates(body, boundary)]) {
        if (bodyHashOf(c.body, canon, s.algorithm, numericTag(t.tags, 'l')) === bh) {
          found = c;
          break;
        }
      }
      if (!found) continue;
      undone.push(found.undone);
      removed = found.removed.toString('utf8').slice(0, 500);
      headers = found.headers ?? headers;
    }
    const key = keys.candidates(s.keyName, v.asOf).find((k) => !k.dnsError && k.value);
    let headerSignature: ListUndo['headerSignature'] = 'unknown';
    if (key) {
      const asIs = verifyHeaderSignature(headers, t.header, t.tags, key.value);
      const untagged = untagListSubject(headers);
      if (asIs === true) headerSignature = 'pass';
      else if (untagged && s.signedHeaders.includes('subject')) {
        const again = verifyHeaderSignature(untagged.headers, t.header, t.tags, key.value);
        headerSignature = again === null ? 'unknown' : again ? 'pass' : 'fail';
        if (again === true) undone.push(`the subject tag ${untagged.tag}`);
      } else headerSignature = asIs === null ? 'unknown' : 'fail';
    }
    // A signature whose only break was the headers is explained only when the tag explains it.
    if (s.bodyHash === 'pass' && headerSignature !== 'pass') continue;
    out.push({ signature: s.index, kind: 'undone', undone, removed, headerSignature });
  }
  return out;
}
