// The verdict export: one row per message in the columns the README documents (sha256, source,
// verdict, reasons, summary, evidence in brief, the reviewer's decision). `leaktriage export` and the
// review server's /messages.csv and /-/export.* stream the same rows through the same encoder.
import type { Db } from '../store/database.ts';
import { iterateExportRecords, type ExportRecord } from '../store/export-repo.ts';
import type { QueueFilter, QueueSort } from '../store/queue-repo.ts';
import { formatTime } from '../common/time.ts';
import { encodeRows, type Column, type EncodeOptions, type ExportFormat } from './encode-rows.ts';

/** The columns, in order: a contract with every script that reads an export. */
export const EXPORT_COLUMNS = [
  'sha256',
  'source_path',
  'source_count',
  'mailbox',
  'role',
  'message_id',
  'from',
  'subject',
  'date',
  'verdict',
  'reasons',
  'summary',
  'dkim',
  'arc',
  'key_source',
  'as_of',
  'as_of_source',
  'documents',
  'review_decision',
  'review_verdict',
  'reviewer',
  'review_note',
  'reviewed_at',
  'final_verdict',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

const CELLS: Record<ExportColumn, Column<ExportRecord>['cell']> = {
  sha256: (r) => r.sha256,
  source_path: (r) => r.sourcePath,
  source_count: (r) => r.sourceCount,
  mailbox: (r) => r.mailbox,
  role: (r) => r.role,
  message_id: (r) => r.messageId,
  from: (r) => r.fromAddress,
  subject: (r) => r.subject,
  date: (r) => r.dateHeader,
  verdict: (r) => r.verdict,
  reasons: (r) => r.reasons.join(';'),
  summary: (r) => r.summary,
  dkim: (r) => r.dkim,
  arc: (r) => r.arcResult,
  key_source: (r) => r.keySource,
  as_of: (r) => formatTime(r.asOf, 'iso'),
  as_of_source: (r) => r.asOfSource,
  documents: (r) => r.documents,
  review_decision: (r) => r.review?.decision ?? null,
  review_verdict: (r) => r.review?.verdict ?? null,
  reviewer: (r) => r.review?.reviewer ?? null,
  review_note: (r) => r.review?.note ?? null,
  reviewed_at: (r) => r.review?.createdAt ?? null,
  final_verdict: (r) => r.finalVerdict,
};

const COLUMNS: Column<ExportRecord>[] = EXPORT_COLUMNS.map((name) => ({ name, cell: CELLS[name] }));

/**
 * Rows a review-server download holds at most; past it the download ends with the truncation
 * marker, so that one request cannot keep the server reading for ever. The command line has no cap.
 */
export const DOWNLOAD_CAP = 1_000_000;

/** The messages a queue filter selects, in queue order, encoded as text chunks. */
export function encodeVerdictExport(
  db: Db,
  filter: QueueFilter,
  sort: QueueSort,
  format: ExportFormat,
  options: Omit<EncodeOptions, 'noteColumn'> = {},
): Generator<string> {
  return encodeRows(iterateExportRecords(db, filter, sort), COLUMNS, format, { ...options, noteColumn: 'summary' });
}
