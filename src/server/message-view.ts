// What the message page (and its .json twin) shows, derived from the stored record: Received hops in
// time order with their delays, and how each copy with the same Message-ID differs.
import type { ReceivedHop, RawHeader } from '../model.ts';
import { sha256Hex } from '../common/sha256.ts';
import type { MessageDetail, RecordedReview, StoredCopy } from '../store/message-page-repo.ts';
import { splitHeaderSection } from '../parse/header-section.ts';
import { completeStructure, headersOf } from '../parse/stored-headers.ts';
import { diffTexts, type LineDiff } from '../common/line-diff.ts';
import type { HtmlReference } from './html-references.ts';

/** A Received hop with the time it took since the previous one (chronologically). */
export type TimedHop = ReceivedHop & {
  /** Seconds since the previous hop, or since the Date header for the first; null when either time is unknown. */
  delay: number | null;
};

/** Another copy with the same Message-ID, and how it differs from this message. */
export interface CopyView {
  sha256: string;
  verdict: StoredCopy['verdict'];
  subject: string | null;
  fromAddress: string | null;
  dateHeader: string | null;
  size: number;
  /** Headers (name: unfolded value) present here but not in the copy, and the other way round. */
  headersOnlyHere: string[];
  headersOnlyThere: string[];
  bodySha256: string;
  bodyDiffers: boolean;
  /** The body line by line, this message first: the decoded text when both have one, else the raw bytes. */
  bodyDiff: LineDiff;
  bodyCompared: 'text' | 'raw';
  /** The header sections line by line (unfolded), with only the lines that differ and one around them. */
  headerDiff: LineDiff;
}

/** Copies' header differences shown per copy; the rest is counted. */
const MAX_HEADER_DIFFS = 50;

/** Hops oldest first; the Date header is the origin when it is known. */
export function receivedTimeline(d: Pick<MessageDetail, 'message'>, received: ReceivedHop[]): { origin: number | null; hops: TimedHop[] } {
  const chronological = [...received].sort((a, b) => b.index - a.index);
  let previous = d.message.dateEpoch;
  const hops = chronological.map((h) => {
    const delay = previous !== null && h.epoch !== null ? h.epoch - previous : null;
    if (h.epoch !== null) previous = h.epoch;
    return { ...h, delay };
  });
  return { origin: d.message.dateEpoch, hops };
}

/** The bytes after the header section (blank line), as stored. */
export function bodyBytes(raw: Buffer): Buffer {
  return raw.subarray(splitHeaderSection(raw).bodyStart);
}

function headerLine(h: RawHeader): string {
  return `${h.name}: ${h.value.replace(/\s+/g, ' ')}`;
}

/** Items of `a` not matched in `b`, counting duplicates (a header present twice here, once there). */
function multisetMinus(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

export function compareCopy(own: { headers: RawHeader[]; raw: Buffer; bodyText: string | null }, copy: StoredCopy): CopyView {
  const mine = own.headers.map(headerLine);
  // A copy stored since src/store/stored-structure.ts has its header list read from its bytes.
  const theirs = (copy.headers ?? headersOf(copy.raw)).map(headerLine);
  const body = sha256Hex(bodyBytes(copy.raw));
  const byText = own.bodyText !== null && copy.bodyText !== null;
  // latin1 keeps every byte as one character: a raw comparison shows the bytes, not a decoding of them.
  const bodyDiff = byText
    ? diffTexts(own.bodyText ?? '', copy.bodyText ?? '')
    : diffTexts(bodyBytes(own.raw).toString('latin1'), bodyBytes(copy.raw).toString('latin1'));
  return {
    sha256: copy.sha256,
    verdict: copy.verdict,
    subject: copy.subject,
    fromAddress: copy.fromAddress,
    dateHeader: copy.dateHeader,
    size: copy.size,
    headersOnlyHere: multisetMinus(mine, theirs).slice(0, MAX_HEADER_DIFFS),
    headersOnlyThere: multisetMinus(theirs, mine).slice(0, MAX_HEADER_DIFFS),
    bodySha256: body,
    bodyDiffers: body !== sha256Hex(bodyBytes(own.raw)),
    bodyDiff,
    bodyCompared: byText ? 'text' : 'raw',
    headerDiff: diffTexts(mine.join('\n'), theirs.join('\n'), 1),
  };
}

/** The message page's data (its .json twin is this object, with `ok: true`). */
export interface MessageView {
  message: MessageDetail['message'];
  headers: RawHeader[];
  problems: MessageDetail['parsed']['problems'];
  to: MessageDetail['parsed']['to'];
  cc: MessageDetail['parsed']['cc'];
  arc: MessageDetail['arc'];
  signatures: MessageDetail['signatures'];
  findings: MessageDetail['findings'];
  attachments: MessageDetail['attachments'];
  documents: MessageDetail['documents'];
  sources: MessageDetail['sources'];
  reviews: MessageDetail['reviews'];
  received: ReturnType<typeof receivedTimeline>;
  bodySha256: string;
  copies: CopyView[];
  moreCopies: number;
  /** Neighbours in the queue the page was opened from. */
  queue: { prev: string | null; next: string | null };
  /** What the HTML body refers to outside itself (null without an HTML body). */
  htmlReferences: { references: HtmlReference[]; truncated: boolean } | null;
  /** The decision this page confirms (after a review was recorded), null otherwise. */
  recorded: RecordedReview | null;
}

export function messageView(
  d: MessageDetail,
  queue: MessageView['queue'],
  extra: Pick<MessageView, 'htmlReferences' | 'recorded'> = { htmlReferences: null, recorded: null },
): MessageView {
  const parsed = completeStructure(d.parsed, d.raw);
  return {
    message: d.message,
    headers: parsed.headers,
    problems: parsed.problems ?? [],
    to: parsed.to,
    cc: parsed.cc,
    arc: d.arc,
    signatures: d.signatures,
    findings: d.findings,
    attachments: d.attachments,
    documents: d.documents,
    sources: d.sources,
    reviews: d.reviews,
    received: receivedTimeline(d, parsed.received),
    bodySha256: sha256Hex(bodyBytes(d.raw)),
    copies: d.copies.map((c) => compareCopy({ headers: parsed.headers, raw: d.raw, bodyText: d.message.bodyText }, c)),
    moreCopies: d.moreCopies,
    queue,
    ...extra,
  };
}
