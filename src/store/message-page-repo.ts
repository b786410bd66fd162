// Everything the message page shows about one message, read in one snapshot.
import type { Db } from './database.ts';
import type { ArcCheck, AsOfSource, Finding, RawHeader, SignatureCheck, StoredHtml, StoredStructure, VerdictName } from '../model.ts';
import {
  ATTACHMENT_CODEC,
  SIGNATURE_CODEC,
  SOURCE_CODEC,
  listFindings,
  type StoredAttachment,
  type StoredSource,
} from './messages-repo.ts';
import { listReviews, type Review } from './review-repo.ts';
import { column, flag, joined, readRow, selectList, type RowCodec } from './row-codec.ts';
import { withSnapshot } from './transaction.ts';
import { listMessageDocuments } from './documents-repo.ts';
import { readStoredStructure } from './stored-structure.ts';
import { HAS_HTML_SQL, HTML_COLUMNS_SQL, readStoredHtml, type HtmlColumns } from './stored-html.ts';

/** A stored message's own fields (its summary columns), without the bytes and bodies. */
export interface StoredMessage {
  sha256: string;
  size: number;
  firstRunId: number;
  importedAt: string;
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  fromDomain: string | null;
  /** To and Cc addresses joined by ', '. */
  toAddresses: string | null;
  subject: string | null;
  dateHeader: string | null;
  dateEpoch: number | null;
  inReplyTo: string | null;
  listId: string | null;
  mailer: string | null;
  asOf: number;
  asOfSource: AsOfSource;
  verdict: VerdictName;
  summary: string;
  reasons: string[];
  signatureCount: number;
  /** Per signature `d/s/result`, joined by ';' (the export's `dkim` column). */
  dkim: string;
  arcResult: ArcCheck['result'];
  /** Sources of the keys used, joined by ';'. */
  keySource: string | null;
  bodyText: string | null;
  hasHtml: boolean;
  verifierVersion: string;
}

const MESSAGE_CODEC: RowCodec<StoredMessage> = {
  sha256: column('sha256'),
  size: column('size'),
  firstRunId: column('first_run_id'),
  importedAt: column('imported_at'),
  messageId: column('message_id'),
  fromAddress: column('from_address'),
  fromName: column('from_name'),
  fromDomain: column('from_domain'),
  toAddresses: column('to_addresses'),
  subject: column('subject'),
  dateHeader: column('date_header'),
  dateEpoch: column('date_epoch'),
  inReplyTo: column('in_reply_to'),
  listId: column('list_id'),
  mailer: column('mailer'),
  asOf: column('as_of'),
  asOfSource: column('as_of_source'),
  verdict: column('verdict'),
  summary: column('summary'),
  reasons: joined('reasons', ';'),
  signatureCount: column('signature_count'),
  dkim: column('dkim'),
  arcResult: column('arc_result'),
  keySource: column('key_source'),
  bodyText: column('body_text'),
  hasHtml: { ...flag('has_html'), expr: HAS_HTML_SQL },
  verifierVersion: column('verifier_version'),
};

/** Another stored message with the same Message-ID, with what is needed to say how it differs. */
export interface StoredCopy {
  sha256: string;
  size: number;
  verdict: VerdictName;
  dateHeader: string | null;
  subject: string | null;
  fromAddress: string | null;
  /** The header list a record stored before src/store/stored-structure.ts kept; null: read it from `raw`. */
  headers: RawHeader[] | null;
  /** The decoded text body (null without a text part). */
  bodyText: string | null;
  raw: Buffer;
}

const COPY_CODEC: RowCodec<StoredCopy> = {
  sha256: column('sha256'),
  size: column('size'),
  verdict: column('verdict'),
  dateHeader: column('date_header'),
  subject: column('subject'),
  fromAddress: column('from_address'),
  headers: {
    column: 'stored_headers',
    expr: "json_extract(parsed, '$.headers')",
    read: (v) => (typeof v === 'string' ? (JSON.parse(v) as RawHeader[]) : null),
  },
  bodyText: column('body_text'),
  raw: column('raw'),
};

export interface MessageDetail {
  message: StoredMessage;
  /** Without the header list for records stored since it is read from the bytes (src/parse/stored-headers.ts). */
  parsed: StoredStructure;
  arc: ArcCheck;
  signatures: SignatureCheck[];
  findings: Finding[];
  attachments: StoredAttachment[];
  /** What the attachments that are office documents or PDFs say about themselves, by attachment idx. */
  documents: ReturnType<typeof listMessageDocuments>;
  sources: StoredSource[];
  reviews: Review[];
  /** This message's own bytes (for comparing with its copies). */
  raw: Buffer;
  copies: StoredCopy[];
  /** Copies beyond the `maxCopies` loaded. */
  moreCopies: number;
}

export function getMessageDetail(db: Db, sha256: string, maxCopies = 20): MessageDetail | undefined {
  return withSnapshot(db, () => {
    const row = db.prepare(`SELECT ${selectList(MESSAGE_CODEC)}, parsed, arc, raw FROM full_messages WHERE sha256 = ?`).get(sha256) as
      (Record<string, unknown> & { parsed: string; arc: string; raw: Buffer }) | undefined;
    if (!row) return undefined;
    const message = readRow(MESSAGE_CODEC, row);
    const copies = message.messageId === null ? [] : listCopies(db, message.messageId, sha256, maxCopies + 1);
    const list = <T>(table: string, codec: RowCodec<T>, order: string): T[] =>
      (
        db.prepare(`SELECT ${selectList(codec)} FROM ${table} WHERE sha256 = ? ORDER BY ${order}`).all(sha256) as Record<string, unknown>[]
      ).map((r) => readRow(codec, r));
    return {
      message,
      parsed: readStoredStructure(row.parsed),
      arc: JSON.parse(row.arc) as ArcCheck,
      signatures: list('signatures', SIGNATURE_CODEC, 'idx'),
      findings: listFindings(db, sha256),
      attachments: list('attachments', ATTACHMENT_CODEC, 'idx'),
      documents: listMessageDocuments(db, sha256),
      sources: list('sources', SOURCE_CODEC, 'id'),
      reviews: listReviews(db, sha256),
      raw: row.raw,
      copies: copies.slice(0, maxCopies),
      moreCopies: Math.max(0, copies.length - maxCopies),
    };
  });
}

function listCopies(db: Db, messageId: string, except: string, limit: number): StoredCopy[] {
  const rows = db
    .prepare(`SELECT ${selectList(COPY_CODEC)} FROM full_messages WHERE message_id = ? AND sha256 != ? ORDER BY sha256 LIMIT ?`)
    .all(messageId, except, limit) as Record<string, unknown>[];
  return rows.map((r) => readRow(COPY_CODEC, r));
}

/** The HTML body as stored (stored-html.ts: the caller reads it from the bytes where they are handed out), for the sandboxed frame. */
export function getMessageHtml(db: Db, sha256: string): StoredHtml | undefined {
  const row = db.prepare(`SELECT ${HTML_COLUMNS_SQL} FROM full_messages WHERE sha256 = ?`).get(sha256) as HtmlColumns | undefined;
  return row ? readStoredHtml(row) : undefined;
}

/** The stored bytes and the facts a download name is made from. */
export function getRawDownload(db: Db, sha256: string): { raw: Buffer; subject: string | null } | undefined {
  return db.prepare('SELECT raw, subject FROM full_messages WHERE sha256 = ?').get(sha256) as
    { raw: Buffer; subject: string | null } | undefined;
}

/** One attachment's record and the message's bytes it is to be cut from. */
export function getAttachmentSource(db: Db, sha256: string, index: number): { raw: Buffer; attachment: StoredAttachment } | undefined {
  const row = db.prepare(`SELECT ${selectList(ATTACHMENT_CODEC)} FROM attachments WHERE sha256 = ? AND idx = ?`).get(sha256, index) as
    Record<string, unknown> | undefined;
  if (!row) return undefined;
  const message = db.prepare('SELECT raw FROM full_messages WHERE sha256 = ?').get(sha256) as { raw: Buffer } | undefined;
  return message ? { raw: message.raw, attachment: readRow(ATTACHMENT_CODEC, row) } : undefined;
}

/** A decision just recorded, with what the confirmation after it names. */
export interface RecordedReview {
  id: number;
  sha256: string;
  decision: Review['decision'];
  verdict: VerdictName;
  reviewer: string;
  createdAt: string;
  subject: string | null;
}

export function getRecordedReview(db: Db, id: number): RecordedReview | undefined {
  return db
    .prepare(
      `SELECT r.id, r.sha256, r.decision, r.verdict, r.reviewer, r.created_at AS createdAt, m.subject
       FROM reviews r JOIN messages m ON m.sha256 = r.sha256 WHERE r.id = ?`,
    )
    .get(id) as RecordedReview | undefined;
}
