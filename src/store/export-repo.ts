// The rows of the verdict export (CLI `export` and the review screens' downloads share them).
import type { Db } from './database.ts';

/** Column order of every export format; DESIGN.md lists the contract. */
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
  'review_decision',
  'review_verdict',
  'reviewer',
  'review_note',
  'reviewed_at',
  'final_verdict',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

export interface ExportFilter {
  /** Keep messages whose final verdict (the reviewer's when there is one, else the machine's) is one of these. */
  verdicts?: string[];
  /** Keep only these messages (the review screens pass their filtered list). */
  sha256s?: string[];
}

const SELECT = `
  SELECT m.sha256,
         (SELECT s.path FROM sources s WHERE s.sha256 = m.sha256 ORDER BY s.id LIMIT 1) AS source_path,
         (SELECT count(*) FROM sources s WHERE s.sha256 = m.sha256) AS source_count,
         (SELECT group_concat(k, ';') FROM (SELECT DISTINCT s.mailbox_key AS k FROM sources s WHERE s.sha256 = m.sha256)) AS mailbox,
         (SELECT group_concat(k, ';') FROM (SELECT DISTINCT s.role AS k FROM sources s WHERE s.sha256 = m.sha256)) AS role,
         m.message_id,
         m.from_address AS "from",
         m.subject,
         m.date_header AS date,
         m.verdict,
         m.reasons,
         m.summary,
         m.dkim,
         m.arc_result AS arc,
         m.key_source,
         strftime('%Y-%m-%dT%H:%M:%SZ', m.as_of, 'unixepoch') AS as_of,
         m.as_of_source,
         r.decision AS review_decision,
         r.verdict AS review_verdict,
         r.reviewer,
         r.note AS review_note,
         r.created_at AS reviewed_at,
         coalesce(r.verdict, m.verdict) AS final_verdict
  FROM messages m
  LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE sha256 = m.sha256)`;

/** Streams export rows, in a stable order (date, then id), without holding them all. */
export function* iterateExportRows(db: Db, filter: ExportFilter = {}): Generator<ExportRow> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.verdicts?.length) {
    where.push(`coalesce(r.verdict, m.verdict) IN (${filter.verdicts.map(() => '?').join(',')})`);
    params.push(...filter.verdicts);
  }
  if (filter.sha256s) {
    where.push(`m.sha256 IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(filter.sha256s));
  }
  const sql = `${SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY m.date_epoch, m.sha256`;
  yield* db.prepare(sql).iterate(...params) as IterableIterator<ExportRow>;
}
