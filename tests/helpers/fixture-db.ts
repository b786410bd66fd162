// Builds test databases (store and review server) from message text, through the store's own insert
// functions: the import pipeline is not needed, the server reads what the store holds. The header
// list comes from the parser's own reader, so the fixtures hold what an import would.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnalysedMessage, Finding, ReceivedHop, SignatureCheck, SourceRef, VerdictName } from '../../src/model.ts';
import { sha256Hex } from '../../src/common/sha256.ts';
import { readHeaderList, splitHeaderSection } from '../../src/parse/header-section.ts';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { addSource, insertMessage } from '../../src/store/messages-repo.ts';
import { withTransaction } from '../../src/store/transaction.ts';
import { signature as passingSignature } from '../checks/fixtures.ts';

export interface FixtureAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface FixtureSpec {
  from?: { name: string; address: string };
  to?: string[];
  subject?: string;
  /** The Date header; epoch is derived with Date.parse (null when unparseable or absent). */
  date?: string | null;
  messageId?: string | null;
  /** In-Reply-To and References headers (the thread view reads them). */
  inReplyTo?: string;
  references?: string[];
  text?: string;
  html?: string;
  attachments?: FixtureAttachment[];
  received?: { from: string; by: string; time: string }[];
  extraHeaders?: string[];
  verdict?: VerdictName;
  summary?: string;
  findings?: Finding[];
  signatures?: Partial<SignatureCheck>[];
  source?: Partial<SourceRef>;
}

const CRLF = '\r\n';

/** `b` in base64, in lines of 76 characters joined by CRLF, as mail writes an attachment. */
export function base64Lines(b: Buffer): string {
  return (b.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** The message's bytes: a real RFC 5322 message with MIME parts. */
export function buildRaw(spec: FixtureSpec): string {
  const from = spec.from ?? { name: 'Alice Example', address: 'alice@example-news.org' };
  const head: string[] = [];
  for (const r of spec.received ?? []) head.push(`Received: from ${r.from}${CRLF}\tby ${r.by}; ${r.time}`);
  head.push(...(spec.extraHeaders ?? []));
  head.push(`From: ${from.name} <${from.address}>`);
  head.push(`To: ${(spec.to ?? ['bob@example.org']).join(', ')}`);
  if (spec.subject !== undefined) head.push(`Subject: ${spec.subject}`);
  if (spec.date !== null) head.push(`Date: ${spec.date ?? 'Mon, 06 Mar 2023 10:00:00 +0000'}`);
  if (spec.messageId !== null) head.push(`Message-ID: ${spec.messageId ?? `<${Math.random().toString(36).slice(2)}@example>`}`);
  if (spec.inReplyTo) head.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.references?.length) head.push(`References: ${spec.references.join(' ')}`);
  head.push('MIME-Version: 1.0');
  const text = spec.text ?? 'Hello.\r\n';
  let body: { type: string; content: string };
  const textPart = { type: 'text/plain; charset=utf-8', content: text };
  body = spec.html ? multipart('alternative', [textPart, { type: 'text/html; charset=utf-8', content: spec.html }]) : textPart;
  if (spec.attachments?.length) {
    const parts = spec.attachments.map((a) => ({
      type: `${a.contentType}; name="${a.filename}"`,
      extra: [`Content-Disposition: attachment; filename="${a.filename}"`, 'Content-Transfer-Encoding: base64'],
      content: base64Lines(a.content),
    }));
    body = multipart('mixed', [body, ...parts]);
  }
  head.push(`Content-Type: ${body.type}`);
  return head.join(CRLF) + CRLF + CRLF + body.content;
}

function multipart(kind: string, parts: { type: string; content: string; extra?: string[] }[]): { type: string; content: string } {
  const boundary = `b-${kind}-${parts.length}`;
  const lines = parts.map(
    (p) => `--${boundary}${CRLF}Content-Type: ${p.type}${CRLF}${(p.extra ?? []).map((e) => e + CRLF).join('')}${CRLF}${p.content}${CRLF}`,
  );
  return { type: `multipart/${kind}; boundary="${boundary}"`, content: lines.join('') + `--${boundary}--${CRLF}` };
}

/** A passing signature of example-news.org (tests/checks/fixtures.ts builds it) with these fields changed. */
function signature(s: Partial<SignatureCheck>, index: number): SignatureCheck {
  return passingSignature({
    index,
    domain: 'example-news.org',
    selector: 'sel2024',
    signedHeaders: ['from', 'to', 'subject', 'date'],
    comment: 'signature verified',
    keyName: 'sel2024._domainkey.example-news.org',
    keySource: 'corpus.zone',
    aligned: true,
    ...s,
  });
}

export function analyse(spec: FixtureSpec): AnalysedMessage {
  const raw = buildRaw(spec);
  const bytes = Buffer.from(raw, 'latin1');
  const from = spec.from ?? { name: 'Alice Example', address: 'alice@example-news.org' };
  const dateEpoch = spec.date === null ? null : Math.floor(Date.parse(spec.date ?? 'Mon, 06 Mar 2023 10:00:00 +0000') / 1000);
  const headers = readHeaderList(bytes, splitHeaderSection(bytes)).headers;
  // Each hop's text as written: the store reads it again from the bytes (src/store/stored-structure.ts).
  const receivedHeaders = headers.filter((h) => h.key === 'received');
  const received: ReceivedHop[] = (spec.received ?? []).map((r, index) => {
    const t = Date.parse(r.time);
    return {
      index,
      from: r.from,
      by: r.by,
      time: Number.isNaN(t) ? null : new Date(t).toISOString(),
      epoch: Number.isNaN(t) ? null : t / 1000,
      zone: r.time.split(' ').at(-1) ?? null,
      raw: receivedHeaders[index]?.raw ?? `Received: from ${r.from}`,
    };
  });
  const domain = (a: string) => a.split('@')[1]?.toLowerCase() ?? '';
  const mid = headers.find((h) => h.key === 'message-id')?.value ?? null;
  const signatures = (spec.signatures ?? []).map(signature);
  return {
    sha256: sha256Hex(bytes),
    bytes,
    parsed: {
      headers,
      from: [{ ...from, domain: domain(from.address) }],
      sender: [],
      replyTo: [],
      to: (spec.to ?? ['bob@example.org']).map((a) => ({ name: '', address: a, domain: domain(a) })),
      cc: [],
      dateRaw: spec.date === null ? null : (spec.date ?? 'Mon, 06 Mar 2023 10:00:00 +0000'),
      dateEpoch: dateEpoch !== null && Number.isNaN(dateEpoch) ? null : dateEpoch,
      messageId: mid,
      inReplyTo: spec.inReplyTo ?? null,
      references: spec.references ?? [],
      subject: spec.subject ?? null,
      listId: null,
      received,
      mailer: null,
      text: spec.text ?? 'Hello.\r\n',
      html: spec.html ?? null,
      attachments: (spec.attachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.length,
        sha256: sha256Hex(a.content),
        disposition: 'attachment',
        contentId: null,
        document: null,
      })),
      problems: [],
    },
    verification: {
      asOf: received[0]?.epoch ?? dateEpoch ?? 1_700_000_000,
      asOfSource: received.length ? 'received' : 'date',
      signatures,
      arc: { result: 'none', instances: 0, comment: 'no ARC sets', seals: [] },
      fetchedKeys: [],
    },
    findings: spec.findings ?? [],
    verdict: {
      verdict: spec.verdict ?? (signatures.length ? 'verified' : 'unverifiable'),
      summary: spec.summary ?? 'A test message.',
      reasons: (spec.findings ?? []).map((f) => f.code),
    },
  };
}

/** Inserts one message and its source in one transaction; returns its id. */
export function insertFixture(db: Db, runId: number, spec: FixtureSpec): string {
  const a = analyse(spec);
  withTransaction(db, () => {
    insertMessage(db, runId, a);
    addSource(db, a.sha256, runId, {
      path: `dump/${a.sha256.slice(0, 8)}.eml`,
      container: null,
      mailbox: null,
      folder: 'dump',
      offset: null,
      length: a.bytes.length,
      ...spec.source,
    });
  });
  return a.sha256;
}

export function finding(code: string, severity: Finding['severity'] = 'strong', detail = `Finding ${code}.`): Finding {
  return { check: code.split('/')[0] ?? code, code, severity, detail, evidence: { code } };
}

export function tempDbFile(name = 'review.sqlite'): string {
  return join(mkdtempSync(join(tmpdir(), 'leaktriage-server-')), name);
}

export function openFixtureDb(file: string = tempDbFile()): { db: Db; file: string } {
  return { db: openDatabase(file), file };
}
