// Messages, their sources, signatures, findings and attachments.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { AttachmentInfo, Finding, MailboxRole, SignatureCheck, SourceRef, StorableAnalysis, Verdict, VerdictName } from '../model.ts';
import { storedStructureJson } from './stored-structure.ts';
import { htmlToStore } from './stored-html.ts';
import { documentRows, insertDocumentRows } from './documents-repo.ts';
import {
  column,
  flag,
  insertSql,
  joined,
  json,
  optional,
  placeholders,
  readRow,
  rowValues,
  selectList,
  type RowCodec,
} from './row-codec.ts';
import { encodeFacts, insertEncodedFacts } from './facts-repo.ts';
import type { EncodedFacts } from './facts-repo.ts';

/**
 * Where a stored message was found, and by which import run; the mailbox it sits in and its role
 * there are set by the archive pass (null before it ran).
 */
export type StoredSource = SourceRef & { runId: number; mailboxKey: string | null; role: MailboxRole | null };

/**
 * An attachment as its row keeps it. The document metadata the parser reads (`document`) is not
 * stored in this table; it stays in the message's parsed structure.
 */
export type StoredAttachment = Omit<AttachmentInfo, 'document'> & { index: number };

export const SIGNATURE_CODEC: RowCodec<SignatureCheck> = {
  index: column('idx'),
  domain: column('domain'),
  selector: column('selector'),
  algorithm: column('algorithm'),
  canonicalization: column('canonicalization'),
  version: column('version'),
  identity: column('identity'),
  signedHeaders: joined('signed_headers', ':'),
  bodyLength: column('body_length'),
  signTime: column('sign_time'),
  expiresAt: column('expires_at'),
  bodyHash: column('body_hash'),
  bodyHashComputed: column('body_hash_computed'),
  bodyHashExpected: column('body_hash_expected'),
  headerSignature: column('header_signature'),
  keyMade: column('key_made'),
  result: column('result'),
  comment: column('comment'),
  problem: column('problem'),
  keyType: column('key_type'),
  keyBits: column('key_bits'),
  keyName: column('key_name'),
  keySource: column('key_source'),
  keyRevoked: flag('key_revoked'),
  keyFirstSeen: column('key_first_seen'),
  keyLastSeen: column('key_last_seen'),
  keyError: column('key_error'),
  aligned: flag('aligned'),
  unsignedBodyBytes: column('unsigned_body_bytes'),
};

export const ATTACHMENT_CODEC: RowCodec<StoredAttachment> = {
  index: column('idx'),
  filename: column('filename'),
  contentType: column('content_type'),
  size: column('size'),
  sha256: column('content_sha256'),
  disposition: column('disposition'),
  contentId: column('content_id'),
};

const SOURCE_REF_CODEC: RowCodec<SourceRef> = {
  path: column('path'),
  container: column('container'),
  mailbox: column('mailbox'),
  folder: column('folder'),
  offset: column('offset'),
  length: column('length'),
};

export const SOURCE_CODEC: RowCodec<StoredSource> = {
  ...SOURCE_REF_CODEC,
  runId: column('run_id'),
  mailboxKey: column('mailbox_key'),
  role: column('role'),
};

const FINDING_CODEC: RowCodec<Finding> = {
  check: column('check_id'),
  code: column('code'),
  severity: column('severity'),
  detail: column('detail'),
  evidence: json('evidence'),
  signature: optional(column<number>('signature')),
  explains: optional(joined('explains', ';')),
};

/** Whether the store holds any message at all. */
export function hasAnyMessage(db: Db): boolean {
  return cachedStatement(db, 'SELECT 1 FROM messages LIMIT 1').get() !== undefined;
}

export function hasMessage(db: Db, sha256: string): boolean {
  return findMessageRowid(db, sha256) !== undefined;
}

/** The rowid of the message with this hash, if it is stored (a scan while an import has its key away: message-key.ts). */
export function findMessageRowid(db: Db, sha256: string): number | undefined {
  return cachedStatement(db, 'SELECT rowid FROM messages WHERE sha256 = ?').pluck().get(sha256) as number | undefined;
}

/** Adds a (message, location) pair; returns its row's id, or null when that pair is already recorded. */
export function addSource(db: Db, sha256: string, runId: number, s: SourceRef): number | null {
  const info = cachedStatement(db, insertSql('sources', SOURCE_CODEC, ['sha256'], true)).run(
    rowValues(SOURCE_CODEC, { ...s, runId, mailboxKey: null, role: null }, [sha256]),
  );
  return info.changes > 0 ? Number(info.lastInsertRowid) : null;
}

/** Summary columns the export and the queue read without opening the JSON. */
function dkimColumn(a: Pick<StorableAnalysis, 'verification'>): string {
  return a.verification.signatures.map((s) => `${s.domain}/${s.selector}/${s.result}`).join(';');
}

function keySourceColumn(a: Pick<StorableAnalysis, 'verification'>): string | null {
  const sources = [...new Set(a.verification.signatures.map((s) => s.keySource).filter((s): s is string => s !== null))];
  return sources.length ? sources.join(';') : null;
}

/** The columns of a message's row, in the order insertMessageRows gives their values. */
const MESSAGE_COLUMNS = `sha256, size, first_run_id, imported_at, message_id, from_address, from_name, from_domain,
  to_addresses, subject, date_header, date_epoch, in_reply_to, list_id, mailer, as_of, as_of_source, verdict,
  summary, reasons, signature_count, dkim, arc_result, arc, key_source, verifier_version`;

/** A message's row, with positional parameters (rowValues in row-codec.ts says why): one per column. */
const INSERT_MESSAGE = `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (${placeholders(MESSAGE_COLUMNS.split(','))})`;

/**
 * A new message's rows as insertMessageRows writes them, values in column order, without its bytes
 * (the writing thread holds those), its import run and time: worked out by encodeMessageRows where
 * the message was analysed. An import's analysis workers hand these over instead of the analysis:
 * the writing thread then takes a few strings and flat lists from each, where it took the whole
 * parse, verification and facts as objects and turned them into the same values itself.
 */
export interface MessageRows {
  sha256: string;
  size: number;
  /** The messages columns from message_id on. */
  message: unknown[];
  /** message_content's parsed structure (JSON), body_text, body_html and html_chars (stored-html.ts). */
  content: [string, string | null, string | null, number | null];
  signatures: unknown[][];
  findings: unknown[][];
  attachments: unknown[][];
  documents: unknown[][];
  facts: EncodedFacts | null;
}

/** The rows of a new message with everything learned about it (`size`: its bytes' length). */
export function encodeMessageRows(a: Omit<StorableAnalysis, 'bytes'>, size: number): MessageRows {
  const p = a.parsed;
  const from = p.from[0];
  return {
    sha256: a.sha256,
    size,
    message: [
      p.messageId,
      from?.address ?? null,
      from?.name ?? null,
      from?.domain || null,
      [...p.to, ...p.cc].map((x) => x.address).join(', ') || null,
      p.subject,
      p.dateRaw,
      p.dateEpoch,
      p.inReplyTo,
      p.listId,
      p.mailer,
      a.verification.asOf,
      a.verification.asOfSource,
      a.verdict.verdict,
      a.verdict.summary,
      a.verdict.reasons.join(';'),
      a.verification.signatures.length,
      dkimColumn(a),
      a.verification.arc.result,
      JSON.stringify(a.verification.arc),
      keySourceColumn(a),
      VERIFIER_VERSION,
    ],
    content: [storedStructureJson(p), p.text, ...htmlToStore(p.html, a.bodyParser)],
    signatures: a.verification.signatures.map((s) => rowValues(SIGNATURE_CODEC, s)),
    findings: a.findings.map((f) => rowValues(FINDING_CODEC, f)),
    attachments: p.attachments.map((x, index) => rowValues(ATTACHMENT_CODEC, { ...x, index })),
    documents: documentRows(p.attachments),
    facts: a.facts ? encodeFacts(a.facts) : null,
  };
}

/** Inserts a new message with everything learned about it; returns its rowid. Call inside a transaction. */
export function insertMessage(db: Db, runId: number, a: StorableAnalysis): number {
  return insertMessageRows(db, runId, encodeMessageRows(a, a.bytes.length), a.bytes);
}

/** insertMessage, from the message's rows (encodeMessageRows) and its bytes. Call inside a transaction. */
export function insertMessageRows(db: Db, runId: number, rows: MessageRows, bytes: Buffer): number {
  const { sha256 } = rows;
  const row = cachedStatement(db, INSERT_MESSAGE).run(sha256, rows.size, runId, new Date().toISOString(), ...rows.message);
  const id = Number(row.lastInsertRowid);
  // The large values go to their own table, right after the row (migration 012): scans of
  // `messages` read a few hundred bytes a message instead of the whole message.
  cachedStatement(
    db,
    'INSERT INTO message_content (id, sha256, parsed, body_text, body_html, html_chars, raw) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(id, sha256, ...rows.content, bytes);
  const sig = cachedStatement(db, insertSql('signatures', SIGNATURE_CODEC, ['sha256']));
  for (const s of rows.signatures) sig.run(sha256, ...s);
  const finding = cachedStatement(db, insertSql('findings', FINDING_CODEC, ['sha256']));
  for (const f of rows.findings) finding.run(sha256, ...f);
  const att = cachedStatement(db, insertSql('attachments', ATTACHMENT_CODEC, ['sha256']));
  for (const x of rows.attachments) att.run(sha256, ...x);
  insertDocumentRows(db, sha256, rows.documents);
  if (rows.facts) insertEncodedFacts(db, id, sha256, rows.facts, true);
  return id;
}

/** Recorded with each message so a later version can tell which verifier decided it. */
export const VERIFIER_VERSION = 'leaktriage-verify/1';

export function listFindings(db: Db, sha256: string): Finding[] {
  const rows = cachedStatement(db, `SELECT ${selectList(FINDING_CODEC)} FROM findings WHERE sha256 = ? ORDER BY id`).all(sha256) as Record<
    string,
    unknown
  >[];
  return rows.map((r) => readRow(FINDING_CODEC, r));
}

export function updateVerdict(db: Db, sha256: string, v: Verdict): void {
  cachedStatement(db, 'UPDATE messages SET verdict = ?, summary = ?, reasons = ? WHERE sha256 = ?').run(
    v.verdict,
    v.summary,
    v.reasons.join(';'),
    sha256,
  );
}

export interface VerdictCount {
  verdict: VerdictName;
  n: number;
}

export function countVerdicts(db: Db): VerdictCount[] {
  return cachedStatement(db, 'SELECT verdict, count(*) AS n FROM messages GROUP BY verdict').all() as VerdictCount[];
}
