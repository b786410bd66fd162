// What the message page (and its .json twin) shows, derived from the stored record: Received hops in
// time order with their delays, and how each copy with the same Message-ID differs.
import { createHash } from 'node:crypto';
import type { RawHeader } from '../model.ts';
import type { CopyRow, MessageDetail } from '../store/message-page-repo.ts';
import { splitHeaderSection } from '../parse/header-section.ts';

export interface HopView {
  /** 0 = topmost header (the last hop). */
  index: number;
  from: string | null;
  by: string | null;
  time: string | null;
  epoch: number | null;
  /** Seconds since the previous hop (chronologically), null when either time is unknown. */
  delay: number | null;
  raw: string;
}

export interface CopyView {
  sha256: string;
  verdict: string;
  subject: string | null;
  from_address: string | null;
  date_header: string | null;
  size: number;
  /** Headers (name: unfolded value) present here but not in the copy, and the other way round. */
  headers_only_here: string[];
  headers_only_there: string[];
  body_sha256: string;
  body_differs: boolean;
}

/** Copies' header differences shown per copy; the rest is counted. */
const MAX_HEADER_DIFFS = 50;

/** Hops oldest first; the Date header is the origin when it is known. */
export function receivedTimeline(d: MessageDetail): { origin: number | null; hops: HopView[] } {
  const chronological = [...d.parsed.received].sort((a, b) => b.index - a.index);
  let previous = d.message.date_epoch;
  const hops = chronological.map((h) => {
    const delay = previous !== null && h.epoch !== null ? h.epoch - previous : null;
    if (h.epoch !== null) previous = h.epoch;
    return { index: h.index, from: h.from, by: h.by, time: h.time, epoch: h.epoch, delay, raw: h.raw };
  });
  return { origin: d.message.date_epoch, hops };
}

/** The bytes after the header section (blank line), as stored. */
export function bodyBytes(raw: Buffer): Buffer {
  return raw.subarray(splitHeaderSection(raw).bodyStart);
}

export function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
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

export function compareCopy(own: { headers: RawHeader[]; raw: Buffer }, copy: CopyRow): CopyView {
  const mine = own.headers.map(headerLine);
  const theirs = copy.headers.map(headerLine);
  const body = sha256Hex(bodyBytes(copy.raw));
  return {
    sha256: copy.sha256,
    verdict: copy.verdict,
    subject: copy.subject,
    from_address: copy.from_address,
    date_header: copy.date_header,
    size: copy.size,
    headers_only_here: multisetMinus(mine, theirs).slice(0, MAX_HEADER_DIFFS),
    headers_only_there: multisetMinus(theirs, mine).slice(0, MAX_HEADER_DIFFS),
    body_sha256: body,
    body_differs: body !== sha256Hex(bodyBytes(own.raw)),
  };
}

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
  body_sha256: string;
  copies: CopyView[];
  more_copies: number;
  /** Neighbours in the queue the page was opened from. */
  queue: { prev: string | null; next: string | null };
}

export function messageView(d: MessageDetail, queue: MessageView['queue']): MessageView {
  return {
    message: d.message,
    headers: d.parsed.headers,
    problems: d.parsed.problems ?? [],
    to: d.parsed.to,
    cc: d.parsed.cc,
    arc: d.arc,
    signatures: d.signatures,
    findings: d.findings,
    attachments: d.attachments,
    documents: d.documents,
    sources: d.sources,
    reviews: d.reviews,
    received: receivedTimeline(d),
    body_sha256: sha256Hex(bodyBytes(d.raw)),
    copies: d.copies.map((c) => compareCopy({ headers: d.parsed.headers, raw: d.raw }, c)),
    more_copies: d.moreCopies,
    queue,
  };
}
