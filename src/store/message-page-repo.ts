// Everything the message page shows about one message, read in one snapshot.
import type { Db } from './database.ts';
import type { ArcCheck, Finding, ParsedMessage, RawHeader } from '../model.ts';
import { listFindings } from './messages-repo.ts';
import { listReviews, type ReviewRow } from './review-repo.ts';

export interface MessageFields {
  sha256: string;
  size: number;
  first_run_id: number;
  imported_at: string;
  message_id: string | null;
  from_address: string | null;
  from_name: string | null;
  from_domain: string | null;
  to_addresses: string | null;
  subject: string | null;
  date_header: string | null;
  date_epoch: number | null;
  in_reply_to: string | null;
  list_id: string | null;
  mailer: string | null;
  as_of: number;
  as_of_source: string;
  verdict: string;
  summary: string;
  reasons: string;
  signature_count: number;
  dkim: string;
  arc_result: string;
  key_source: string | null;
  body_text: string | null;
  has_html: number;
  verifier_version: string;
}

export type ParsedStructure = Omit<ParsedMessage, 'text' | 'html'>;

export interface SignatureRow {
  idx: number;
  domain: string;
  selector: string;
  algorithm: string;
  canonicalization: string;
  version: string | null;
  identity: string | null;
  signed_headers: string;
  body_length: number | null;
  sign_time: number | null;
  expires_at: number | null;
  body_hash: string;
  header_signature: string;
  result: string;
  comment: string;
  key_type: string | null;
  key_bits: number | null;
  key_name: string;
  key_source: string | null;
  key_revoked: number;
  key_error: string | null;
  aligned: number;
  unsigned_body_bytes: number;
}

export interface AttachmentRow {
  idx: number;
  filename: string | null;
  content_type: string;
  size: number;
  content_sha256: string;
  disposition: string | null;
  content_id: string | null;
}

export interface SourceRow {
  id: number;
  run_id: number;
  path: string;
  container: string | null;
  mailbox: string | null;
  folder: string | null;
  offset: number | null;
  length: number;
  /** The mailbox the copy sits in and its role there (sent, inbox, other), set by the archive pass. */
  mailbox_key: string | null;
  role: string | null;
}

/** Another stored message with the same Message-ID, with what is needed to say how it differs. */
export interface CopyRow {
  sha256: string;
  size: number;
  verdict: string;
  date_header: string | null;
  subject: string | null;
  from_address: string | null;
  headers: RawHeader[];
  raw: Buffer;
}

export interface MessageDetail {
  message: MessageFields;
  parsed: ParsedStructure;
  arc: ArcCheck;
  signatures: SignatureRow[];
  findings: Finding[];
  attachments: AttachmentRow[];
  sources: SourceRow[];
  reviews: ReviewRow[];
  /** This message's own bytes (for comparing with its copies). */
  raw: Buffer;
  copies: CopyRow[];
  /** Copies beyond the `maxCopies` loaded. */
  moreCopies: number;
}

const FIELDS = `sha256, size, first_run_id, imported_at, message_id, from_address, from_name, from_domain,
  to_addresses, subject, date_header, date_epoch, in_reply_to, list_id, mailer, as_of, as_of_source, verdict,
  summary, reasons, signature_count, dkim, arc_result, key_source, body_text, body_html IS NOT NULL AS has_html,
  verifier_version`;

export function getMessageDetail(db: Db, sha256: string, maxCopies = 20): MessageDetail | undefined {
  return db.transaction(() => {
    const row = db.prepare(`SELECT ${FIELDS}, parsed, arc, raw FROM messages WHERE sha256 = ?`).get(sha256) as
      (MessageFields & { parsed: string; arc: string; raw: Buffer }) | undefined;
    if (!row) return undefined;
    const { parsed, arc, raw, ...message } = row;
    const copies = row.message_id === null ? [] : listCopies(db, row.message_id, sha256, maxCopies + 1);
    return {
      message,
      parsed: JSON.parse(parsed) as ParsedStructure,
      arc: JSON.parse(arc) as ArcCheck,
      signatures: db.prepare('SELECT * FROM signatures WHERE sha256 = ? ORDER BY idx').all(sha256) as SignatureRow[],
      findings: listFindings(db, sha256),
      attachments: db.prepare('SELECT * FROM attachments WHERE sha256 = ? ORDER BY idx').all(sha256) as AttachmentRow[],
      sources: db.prepare('SELECT * FROM sources WHERE sha256 = ? ORDER BY id').all(sha256) as SourceRow[],
      reviews: listReviews(db, sha256),
      raw,
      copies: copies.slice(0, maxCopies),
      moreCopies: Math.max(0, copies.length - maxCopies),
    };
  })();
}

function listCopies(db: Db, messageId: string, except: string, limit: number): CopyRow[] {
  const rows = db
    .prepare(
      `SELECT sha256, size, verdict, date_header, subject, from_address, json_extract(parsed, '$.headers') AS headers, raw
       FROM messages WHERE message_id = ? AND sha256 != ? ORDER BY sha256 LIMIT ?`,
    )
    .all(messageId, except, limit) as (Omit<CopyRow, 'headers'> & { headers: string | null })[];
  return rows.map((r) => ({ ...r, headers: r.headers ? (JSON.parse(r.headers) as RawHeader[]) : [] }));
}

/** The decoded HTML body, for the sandboxed frame. */
export function getMessageHtml(db: Db, sha256: string): string | null | undefined {
  const row = db.prepare('SELECT body_html FROM messages WHERE sha256 = ?').get(sha256) as { body_html: string | null } | undefined;
  return row ? row.body_html : undefined;
}

/** The stored bytes and the facts a download name is made from. */
export function getRawDownload(db: Db, sha256: string): { raw: Buffer; subject: string | null } | undefined {
  return db.prepare('SELECT raw, subject FROM messages WHERE sha256 = ?').get(sha256) as
    { raw: Buffer; subject: string | null } | undefined;
}

/** One attachment's record and the message's bytes it is to be cut from. */
export function getAttachmentSource(db: Db, sha256: string, idx: number): { raw: Buffer; attachment: AttachmentRow } | undefined {
  const attachment = db.prepare('SELECT * FROM attachments WHERE sha256 = ? AND idx = ?').get(sha256, idx) as AttachmentRow | undefined;
  if (!attachment) return undefined;
  const row = db.prepare('SELECT raw FROM messages WHERE sha256 = ?').get(sha256) as { raw: Buffer } | undefined;
  return row ? { raw: row.raw, attachment } : undefined;
}
