// The compact facts about one message that the archive-wide checks compare across messages:
// computed once, at analysis, from what the parser and the verifier found; stored beside the
// message so that an archive pass over a million messages never parses one again. Pure; not a check.
import type {
  AuthResultsFact,
  CheckInput,
  EmbeddedTime,
  Finding,
  Fingerprint,
  MessageFacts,
  SignatureCheck,
  VerdictName,
} from '../model.ts';
import { listIdDomain, organisationalDomain } from '../common/org-domain.ts';
import { boundaryParameter, isSpaceCode } from '../common/text.ts';
import { readIdentifierTimes, readThreadIndexTimes } from './embedded-times.ts';
import { readAuthResults, resultDomain } from './results-header.ts';
import {
  comparableLineGrams,
  hashText,
  linesOf,
  normalisedHtmlText,
  normaliseText,
  packGrams,
  quotedLines,
  threadSubject,
} from './text-forms.ts';
import { firstIndex } from '../common/sorted.ts';

/** Bump when a fact is added or computed differently: stored facts of an older version are recomputed. */
export const FACTS_VERSION = 12;

/**
 * Entries kept in each list of the facts (recipients, delivery addresses, labels, hops, results
 * headers and their method=result pairs over all of them, embedded times, references), and
 * characters kept of each value taken from the message (each entry, the From address, the
 * fingerprint's identifiers and hosts).
 * Real mail stays below them: a message for hundreds of people goes out through a list, RFC 5321
 * bounds a path to 256 characters and RFC 5322 a line to 998, and a loop is cut after about 100 hops. A
 * hostile message can name 40,000 recipients or references (the fuzz run at `--scale 6`): the
 * archive pass holds the facts of a page of messages, or of every copy of one Message-ID, at once,
 * and with whole lists it ran out of memory. The recipients' full number and a hash of the whole
 * list are kept beside them (recipientCount, recipientsKey), so copies are still compared exactly.
 */
export const MAX_FACT_ENTRIES = 500;
export const MAX_FACT_CHARS = 998;

/** Characters kept of a gateway's notice in the facts: its words (notices run to a few hundred). */
export const MARK_NOTICE_CHARS = 1000;

/**
 * Word 4-grams kept per message, from the start (about 150 and 300 words): enough to compare the
 * quote of a reply with its parent's text, nested quotes included, at under 2 KB a message.
 */
const QUOTE_GRAMS = 150;
const TEXT_GRAMS = 300;

/** Headers that carry the address a copy was delivered to, written by the receiving server. */
const DELIVERY_HEADERS = new Set(['delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to', 'x-delivered-to', 'x-rcpt-to']);

/** Headers that mark list mail (RFC 2369, RFC 2919) and the older list managers' own. */
const LIST_HEADERS = new Set([
  'list-id',
  'list-unsubscribe',
  'list-post',
  'list-help',
  'list-archive',
  'list-owner',
  'mailing-list',
  'x-mailing-list',
]);

/**
 * A hop where a mail program hands its message to its own server (RFC 3848 ESMTPA/ESMTPSA, web
 * mail over HTTP, Exchange's MAPI, local pickup): the sender's side, not a receiving server.
 */
const SUBMISSION_HOP = /\bwith\s+(E?SMTPS?A|HTTPS?|MAPI|LOCAL)\b/i;

/**
 * The headers every message of a mail program carries, whose order is one of its habits. Headers
 * that come and go with the message (Cc, In-Reply-To, References, Content-Transfer-Encoding) are
 * left out, so one program writes one order whatever the message; so is the mailer header itself,
 * the one header a forger who borrows a program's name must rewrite.
 */
const CORE_HEADERS = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type']);

export function collectMessageFacts(input: CheckInput, own: { verdict: VerdictName; findings: Finding[] }): MessageFacts {
  const { parsed } = input;
  const lower = (a: string): string => a.trim().toLowerCase();
  const deliveredTo = unique(parsed.headers.filter((h) => DELIVERY_HEADERS.has(h.key)).flatMap((h) => addressesIn(h.value)));
  const recipients = unique([...parsed.to, ...parsed.cc].map((a) => lower(a.address)).filter((a) => a !== '')).sort();
  const hops = parsed.received;
  // The text's lines, split once for the quote and both sets of grams (comparableGrams and
  // splitQuoted split it each); the facts are the same as from those.
  const lines = linesOf(parsed.text);
  const quoted = quotedLines(lines);
  const bodyWords = normaliseText(parsed.text);
  return {
    version: FACTS_VERSION,
    selfVerdict: own.verdict,
    selfFlags: [...new Set(own.findings.filter((f) => f.severity !== 'info').map((f) => f.code))],
    deliveredTo: bounded(deliveredTo),
    from: cut(lower(parsed.from[0]?.address ?? '')),
    recipients: bounded(recipients),
    recipientCount: recipients.length,
    recipientsKey: hashText(recipients.join('\n')),
    hops: hops.length,
    receivingHops: hops.filter((h) => !SUBMISSION_HOP.test(h.raw)).length,
    route: bounded([...hops].sort((a, b) => b.index - a.index).map((h) => (h.by ? organisationalDomain(h.by) : ''))),
    list: parsed.headers.some((h) => LIST_HEADERS.has(h.key)),
    labels: bounded(
      parsed.headers
        .filter((h) => h.key === 'x-gmail-labels')
        .flatMap((h) => h.value.split(','))
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
    content: {
      subject: normaliseText(parsed.subject).slice(0, 500),
      text: hashText(bodyWords),
      html: hashText(normalisedHtmlText(parsed.html)),
      attachments: hashText(
        parsed.attachments
          .map((a) => a.sha256)
          .sort()
          .join(','),
      ),
    },
    authResults: collectAuthResults(input),
    fingerprint: collectFingerprint(input),
    embeddedTimes: collectEmbeddedTimes(input).slice(0, MAX_FACT_ENTRIES),
    references: boundedReferences(unique([...parsed.references, ...(parsed.inReplyTo ? idsIn(parsed.inReplyTo) : [])])),
    threadSubject: threadSubject(parsed.subject).slice(0, 300),
    quoteGrams: packGrams(comparableLineGrams(quoted, QUOTE_GRAMS)),
    textGrams: packGrams(comparableLineGrams(lines, TEXT_GRAMS)),
    ...collectMarks(input),
  };
}

/**
 * The additions at the top that a broken signature verifies without (verify/mark-undo.ts), as the
 * archive compares them: what a reader sees of them (quoted-printable's soft breaks and the HTML's
 * tags and entities gone, addresses and digits folded, so that a notice naming each recipient or a
 * date is one notice), hashed.
 */
function collectMarks(
  input: CheckInput,
): Pick<MessageFacts, 'marks' | 'marksCoverAll' | 'marksVerified' | 'marksUncheckedTag' | 'marksListVouched'> {
  const { verification } = input;
  const undone = verification.markUndo ?? [];
  if (undone.length === 0) return { marks: [], marksCoverAll: false, marksVerified: false, marksUncheckedTag: '', marksListVouched: null };
  const marks = undone.map((u) => {
    const sig = verification.signatures[u.signature];
    // What a reader sees: quoted-printable's soft line breaks ("=" at a line's end) gone, the HTML's text.
    const textNotice = normaliseText((u.textLines ?? '').replace(/=\r?\n/g, ''));
    const htmlNotice = normalisedHtmlText((u.htmlLines ?? '').replace(/=\r?\n/g, ''));
    return {
      signer: organisationalDomain(sig?.domain ?? ''),
      tag: cut(u.subjectTag ?? ''),
      text: hashText(markKeyForm(textNotice)),
      html: hashText(markKeyForm(htmlNotice)),
      textNotice: textNotice.slice(0, MARK_NOTICE_CHARS),
      htmlNotice: htmlNotice.slice(0, MARK_NOTICE_CHARS),
    };
  });
  const changed = verification.signatures.filter((s) => s.bodyHash === 'fail' || s.result === 'fail');
  const isUndone = (s: SignatureCheck): boolean => undone.some((u) => u.signature === s.index);
  // On list mail whose list's own signature verifies without the marks, the list vouches for what it
  // sent on (as list-arc/list-signed has it): the author's signature it broke is the list's doing.
  const list = listIdDomain(input.parsed.listId);
  const listUndone = list !== null && changed.some((s) => isUndone(s) && organisationalDomain(s.domain) === list);
  const byList = (s: SignatureCheck): boolean => listUndone && !isUndone(s);
  return {
    marks,
    marksCoverAll: changed.every((s) => isUndone(s) || byList(s)),
    marksVerified: undone.every((u) => u.headerSignature === 'pass'),
    marksUncheckedTag: cut(undone.find((u) => u.subjectTagUnchecked !== null)?.subjectTagUnchecked ?? ''),
    marksListVouched: changed.some(byList) ? list : null,
  };
}

/** A notice as the archive counts it: lower case, addresses and numbers folded (one notice naming each recipient or a date). */
function markKeyForm(notice: string): string {
  return notice
    .toLowerCase()
    .replace(/[^\s<>@]+@[^\s<>@]+/g, '@')
    .replace(/\d+/g, '0');
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** At most MAX_FACT_CHARS characters of a value taken from the message. */
function cut(x: string): string {
  return x.slice(0, MAX_FACT_CHARS);
}

/** The first MAX_FACT_ENTRIES entries, each cut to MAX_FACT_CHARS. */
function bounded(xs: string[]): string[] {
  return xs.slice(0, MAX_FACT_ENTRIES).map(cut);
}

/**
 * References oldest first, bounded as clients trim them (RFC 5322 3.6.4): the first (the thread's
 * start) and the latest, the parent last.
 */
function boundedReferences(ids: string[]): string[] {
  const kept = ids.length <= MAX_FACT_ENTRIES ? ids : [ids[0]!, ...ids.slice(ids.length - MAX_FACT_ENTRIES + 1)];
  return kept.map(cut);
}

/**
 * The addresses in a header value: what `/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g` matches, which is each run
 * between those separators that holds an '@' with a character on either side. Found run by run: the
 * expression, tried from every position of a long run without an '@', took time in the square of
 * its length (32,000 characters, 1.6-3.9 s).
 */
export function addressesIn(value: string): string[] {
  return value
    .split(/[\s<>,;:"()]+/)
    .filter((run) => run.slice(1, -1).includes('@'))
    .map((a) => a.toLowerCase().replace(/\.$/, ''));
}

function idsIn(value: string): string[] {
  return value.match(/<[^<>\s]+>/g) ?? [];
}

// ---------------------------------------------------------------- Authentication-Results

function collectAuthResults({ parsed }: CheckInput): AuthResultsFact[] {
  const hopPositions = parsed.headers.filter((h) => h.key === 'received').map((h) => h.index);
  const byOf = (n: number): string | null => {
    const by = parsed.received[n]?.by;
    return by ? cut(organisationalDomain(by)) : null;
  };
  // MAX_FACT_ENTRIES headers, and as many method=result pairs in all.
  let room = MAX_FACT_ENTRIES;
  return parsed.headers
    .filter((h) => h.key === 'authentication-results' || h.key === 'arc-authentication-results')
    .slice(0, MAX_FACT_ENTRIES)
    .map((h) => {
      const r = readAuthResults(h);
      // A binary search, not a scan per header (a hostile message may have thousands of each).
      const above = firstIndex(hopPositions.length, (i) => hopPositions[i]! >= h.index);
      const results = r.results.slice(0, room);
      room -= results.length;
      return {
        kind: h.key === 'authentication-results' ? 'ar' : 'aar',
        instance: r.instance,
        authservId: r.authservId === null ? null : cut(r.authservId),
        hopAbove: above > 0 ? byOf(above - 1) : null,
        hopBelow: above < hopPositions.length ? byOf(above) : null,
        hopsAbove: above,
        results: results.map((x) => {
          const domain = resultDomain(x.props);
          return { method: cut(x.method), result: cut(x.result), domain: domain === null ? null : cut(domain) };
        }),
      };
    });
}

// ---------------------------------------------------------------- fingerprint

/**
 * The shape of an identifier: each run of letters and digits as its class and length, runs of
 * punctuation kept as written, and the case of its letters. One program writes one shape (Apple
 * Mail an upper-case UUID, Outlook hex runs between "$", Thunderbird a lower-case UUID). A run of
 * hex digits counts as hex whether or not it happens to hold a letter; lengths above 16 are
 * rounded up to 8; a random base64 token is its first two characters and its length to 16.
 */
export function shapeOf(id: string): string {
  const parts = id.match(/[A-Za-z0-9]+|[^A-Za-z0-9]+/g) ?? [];
  const runs = parts.filter((t) => /^[A-Za-z0-9]/.test(t));
  const letters = id.replace(/[^A-Za-z]/g, '');
  const letterCase = letters === '' ? '' : letters === letters.toUpperCase() ? 'U' : letters === letters.toLowerCase() ? 'L' : 'M';
  // A random token in base64 (webmail ids: "CA+y1NPUY…=LHG…"): its separators and run lengths
  // change from one id to the next, so only its first two characters and its rough length count.
  const random = runs.some((t) => t.length >= 10 && /[a-z]/.test(t) && /[A-Z]/.test(t) && !/^[0-9a-f]+$/i.test(t));
  if (runs.length > 10 || random) return `b64:${id.slice(0, 2)}:${Math.ceil(id.length / 16) * 16}`;
  const shaped = parts.map((t) => {
    if (!/^[A-Za-z0-9]/.test(t)) return t;
    const cls = /^[0-9a-f]+$/.test(t) || /^[0-9A-F]+$/.test(t) ? 'h' : /^[a-z0-9]+$/.test(t) ? 'a' : /^[A-Z0-9]+$/.test(t) ? 'A' : 'm';
    return `${cls}${t.length <= 16 ? t.length : Math.ceil(t.length / 8) * 8}`;
  });
  return `${shaped.join('')}|${letterCase}`;
}

/** Version numbers folded: "Microsoft Outlook 16.0.17328.20124" and "16.0.18025.20160" are one mailer. */
export function mailerFamily(mailer: string | null): string {
  return normaliseText(mailer)
    .replace(/\d+([._]\d+)*[a-z]?/gi, '#')
    .replace(/\(([^()]*)\)/g, '($1)')
    .slice(0, 120);
}

function headerValue(input: CheckInput, key: string): string | null {
  return input.parsed.headers.find((h) => h.key === key)?.value ?? null;
}

/**
 * The zone a Date value ends with, and the comment after it if any: what
 * `/([+-]\d{4}|\b[A-Z]{1,5})\s*(\([^)]*\))?\s*$/` captures first ('' without a match), read from the
 * end in time linear in the value's length. The expression itself, tried from every position, took
 * time in the square of the length: 80,000 characters of "A(" took 1.5 s, 40,000 spaces between a
 * zone and a last word 0.65 s (a header section may hold a megabyte).
 */
export function dateZoneOf(date: string): string {
  let end = date.length;
  while (end > 0 && isSpace(date, end - 1)) end--;
  if (end === 0 || date.charCodeAt(end - 1) !== CLOSE_PAREN) return zoneEndingAt(date, end) ?? '';
  // A comment ends the value: it opens at a '(' after the ')' before its own. The first of those
  // with a zone before it (spaces between) starts the leftmost match.
  const from = date.lastIndexOf(')', end - 2) + 1;
  for (let open = date.indexOf('(', from); open !== -1 && open < end - 1; open = date.indexOf('(', open + 1)) {
    let zoneEnd = open;
    while (zoneEnd > 0 && isSpace(date, zoneEnd - 1)) zoneEnd--;
    const zone = zoneEndingAt(date, zoneEnd);
    if (zone !== null) return zone;
  }
  return '';
}

const CLOSE_PAREN = 0x29;
function isSpace(s: string, i: number): boolean {
  return isSpaceCode(s.charCodeAt(i));
}

/** The zone (`[+-]\d{4}`, or one to five capitals after a word boundary) that ends at `end`, or null. */
function zoneEndingAt(s: string, end: number): string | null {
  if (end >= 5 && (s[end - 5] === '+' || s[end - 5] === '-') && /^\d{4}$/.test(s.slice(end - 4, end))) return s.slice(end - 5, end);
  let start = end;
  while (start > 0 && end - start <= 5 && /[A-Z]/.test(s[start - 1]!)) start--;
  const letters = end - start;
  if (letters < 1 || letters > 5 || (start > 0 && /\w/.test(s[start - 1]!))) return null;
  return s.slice(start, end);
}

function collectFingerprint(input: CheckInput): Fingerprint {
  const { parsed } = input;
  const id = /^<?([^<>@\s]+)@([^<>@\s]+)>?$/.exec((parsed.messageId ?? '').trim());
  const contentType = headerValue(input, 'content-type');
  const boundary = boundaryParameter(contentType);
  const first = [...parsed.received].sort((a, b) => b.index - a.index)[0];

  const order: string[] = [];
  for (const h of parsed.headers) if (CORE_HEADERS.has(h.key) && !order.includes(h.key)) order.push(h.key);
  // Each value at most MAX_FACT_CHARS: an identifier or a host name can be as long as its header.
  return {
    mailer: mailerFamily(parsed.mailer),
    idShape: id ? cut(shapeOf(id[1]!)) : '',
    idDomain: id ? cut(organisationalDomain(id[2]!)) : '',
    boundaryShape: boundary ? cut(shapeOf(boundary)) : '',
    mimeTree: cut((/^\s*([\w.+-]+\/[\w.+-]+)/.exec(contentType ?? 'text/plain')?.[1] ?? 'text/plain').toLowerCase()),
    headerOrder: order.join(','),
    dateZone: dateZoneOf(parsed.dateRaw ?? ''),
    firstHop: first
      ? cut(`${first.by ? organisationalDomain(first.by) : ''}/${(/\bwith\s+([A-Za-z0-9]+)/i.exec(first.raw)?.[1] ?? '').toUpperCase()}`)
      : '',
  };
}

function collectEmbeddedTimes(input: CheckInput): EmbeddedTime[] {
  const out: EmbeddedTime[] = [];
  const id = /^<?([^<>@\s]+)@/.exec((input.parsed.messageId ?? '').trim());
  if (id) out.push(...readIdentifierTimes('message-id', id[1]!));
  const boundary = boundaryParameter(headerValue(input, 'content-type'));
  if (boundary) out.push(...readIdentifierTimes('boundary', boundary));
  const threadIndex = headerValue(input, 'thread-index');
  if (threadIndex) out.push(...readThreadIndexTimes(threadIndex));
  return out;
}
