// What the verdict export says about each message (the CLI's `export` and the review server's
// downloads): the message's verdict and evidence in brief, where it was found, and its latest review.
import type { Db } from './database.ts';
import type { ArcCheck, AsOfSource, VerdictName } from '../model.ts';
import type { QueueFilter } from './queue-plan.ts';
import { iterateQueue, type QueueProjection, type QueueSort, type Sorted } from './queue-repo.ts';
import type { Review } from './review-repo.ts';
import { column, joined, readRow, type RowCodec } from './row-codec.ts';
import { documentsExportSql } from './documents-repo.ts';

/** One message of an export. */
export interface ExportRecord {
  sha256: string;
  /** The first place it was found (as given on import, `#offset` for mbox members). */
  sourcePath: string | null;
  /** How many places it was found at. */
  sourceCount: number;
  /** The mailboxes its copies sit in (named after their paths), joined by ';'. */
  mailbox: string | null;
  /** The roles of its copies there (sent, inbox, other; set by the archive pass), joined by ';'. */
  role: string | null;
  messageId: string | null;
  fromAddress: string | null;
  subject: string | null;
  dateHeader: string | null;
  verdict: VerdictName;
  reasons: string[];
  summary: string;
  /** Per signature `d/s/result`, joined by ';'. */
  dkim: string;
  arcResult: ArcCheck['result'];
  keySource: string | null;
  asOf: number;
  asOfSource: AsOfSource;
  /** Attached documents' own metadata, one `filename: author / application / language / created / modified` each, joined by '; '. */
  documents: string | null;
  /** The latest decision, null when nobody reviewed the message. */
  review: Pick<Review, 'decision' | 'verdict' | 'reviewer' | 'note' | 'createdAt'> | null;
  /** The reviewer's verdict when there is one, else the machine's. */
  finalVerdict: VerdictName;
}

const RECORD_CODEC: RowCodec<Omit<ExportRecord, 'review'>> = {
  sha256: column('sha256'),
  sourcePath: column('source_path'),
  sourceCount: column('source_count'),
  mailbox: column('mailbox'),
  role: column('role'),
  messageId: column('message_id'),
  fromAddress: column('from_address'),
  subject: column('subject'),
  dateHeader: column('date_header'),
  verdict: column('verdict'),
  reasons: joined('reasons', ';'),
  summary: column('summary'),
  dkim: column('dkim'),
  arcResult: column('arc_result'),
  keySource: column('key_source'),
  asOf: column('as_of'),
  asOfSource: column('as_of_source'),
  documents: column('documents'),
  finalVerdict: column('final_verdict'),
};

/** The export's columns, read in the queue's own ordered scan (`p` a message, `r` its latest review). */
const RECORDS: QueueProjection<ExportRecord & Sorted> = {
  inner: `m.sha256, m.message_id, m.from_address, m.subject, m.date_header, m.verdict, m.reasons, m.summary, m.dkim,
    m.arc_result, m.key_source, m.as_of, m.as_of_source`,
  outer: `(SELECT s.path FROM sources s WHERE s.sha256 = p.sha256 ORDER BY s.id LIMIT 1) AS source_path,
    (SELECT count(*) FROM sources s WHERE s.sha256 = p.sha256) AS source_count,
    (SELECT group_concat(k, ';') FROM (SELECT DISTINCT s.mailbox_key AS k FROM sources s WHERE s.sha256 = p.sha256)) AS mailbox,
    (SELECT group_concat(k, ';') FROM (SELECT DISTINCT s.role AS k FROM sources s WHERE s.sha256 = p.sha256)) AS role,
    ${documentsExportSql('p')} AS documents,
    r.decision AS review_decision, r.verdict AS review_verdict, r.reviewer, r.note AS review_note,
    r.created_at AS reviewed_at, coalesce(r.verdict, p.verdict) AS final_verdict`,
  read: (row) => ({ ...readRecord(row), sortKey: row.sort_key as number | null }),
};

function readRecord(row: Record<string, unknown>): ExportRecord {
  const decision = row.review_decision as Review['decision'] | null;
  const review =
    decision === null
      ? null
      : {
          decision,
          verdict: row.review_verdict as VerdictName,
          reviewer: row.reviewer as string,
          note: row.review_note as string,
          createdAt: row.reviewed_at as string,
        };
  return { ...readRow(RECORD_CODEC, row), review };
}

/**
 * The export records of the messages a queue filter selects, in the queue's order (`date`: oldest
 * first, undated first), read in chunks so that no statement stays open while a slow reader drains them.
 */
export function* iterateExportRecords(db: Db, filter: QueueFilter, sort: QueueSort = 'date'): Generator<ExportRecord> {
  for (const chunk of iterateQueue(db, filter, sort, RECORDS)) {
    for (const { sortKey: _sortKey, ...record } of chunk) yield record;
  }
}
