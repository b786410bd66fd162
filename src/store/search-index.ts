// The full-text index and the summary counts, kept apart from the import's per-row writes
// (migration 007_index_off_hot_path): while an import writes, the per-row triggers stand aside; each write batch adds
// its summary counts in one statement inside its own transaction (countBatch), and new messages are
// indexed in bulk when it has stored them all, a slice at a time (beside its archive pass, then the
// rest after it: pipeline/run-import.ts).
import { cachedStatement, tryWriteLock } from './database.ts';
import { withTransaction } from './transaction.ts';
import { buildDeferredIndexes, dropDeferredIndexes } from './deferred-indexes.ts';
import type { Db } from './database.ts';

/**
 * Indexes up to `limit` messages not yet in the full-text index, in one transaction; returns how many.
 * With none waiting it does nothing, and takes no write lock: the count is read outside any write
 * transaction. Large slices make few large FTS5 segments, which it merges sixteen at a time
 * (migration 014).
 */
export function catchUpSearchIndex(db: Db, limit = 1000): number {
  if (!db.inTransaction && estimateUnindexed(db) < 1) return 0;
  return withTransaction(db, () => indexSlice(db, limit));
}

/**
 * As catchUpSearchIndex, but only if the write lock is free now: null, at once, when another
 * connection holds it (the caller tries again later instead of waiting).
 */
export function tryCatchUpSearchIndex(db: Db, limit: number): number | null {
  if (!db.inTransaction && estimateUnindexed(db) < 1) return 0;
  return tryWriteLock(db, () => indexSlice(db, limit)) ?? null;
}

/** Indexes up to `limit` messages above the last one indexed; returns how many. Call inside a write transaction. */
function indexSlice(db: Db, limit: number): number {
  const upto = cachedStatement(db, 'SELECT upto FROM index_state WHERE id = 1').pluck().get() as number;
  // The slice's end, found in `messages` (a few hundred bytes a row), where a message's content has
  // the same id: counted in message_content, every content row of the slice was read once for this
  // and again to be indexed (1.3 GB of the 3.3 GB an index of 100,000 small messages read).
  const slice = cachedStatement(
    db,
    'SELECT count(*) AS n, max(rowid) AS last FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)',
  ).get(upto, limit) as { n: number; last: number | null };
  if (slice.last === null) return 0;
  cachedStatement(
    db,
    `INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
       SELECT id, subject, from_address, from_name, to_addresses, body_text FROM full_messages
       WHERE id > ? AND id <= ? ORDER BY id`,
  ).run(upto, slice.last);
  cachedStatement(db, 'UPDATE index_state SET upto = ? WHERE id = 1').run(slice.last);
  return slice.n;
}

/** Indexes every message not yet in the full-text index. */
export function completeSearchIndex(db: Db): number {
  let total = 0;
  // Large slices: FTS5 merges fewer segments when a transaction adds many rows.
  for (let n = catchUpSearchIndex(db, 20_000); n > 0; n = catchUpSearchIndex(db, 20_000)) total += n;
  return total;
}

/** Messages stored but not yet searchable (an import still running, or one that was killed). */
export function countUnindexedMessages(db: Db): number {
  const upto = cachedStatement(db, 'SELECT upto FROM index_state WHERE id = 1').pluck().get() as number;
  return cachedStatement(db, 'SELECT count(*) FROM messages WHERE rowid > ?').pluck().get(upto) as number;
}

/**
 * About how many messages wait for the full-text index: the rowids above the last one indexed. Two
 * b-tree lookups, however many wait (counting them took 1.1 s per 20,000 messages when an import
 * asked between its workers' answers); a rowid freed by a deletion makes it count one too many,
 * which only costs a slice that finds nothing.
 */
function estimateUnindexed(db: Db): number {
  return cachedStatement(db, 'SELECT ifnull(max(rowid), 0) - (SELECT upto FROM index_state WHERE id = 1) FROM messages')
    .pluck()
    .get() as number;
}

/** From now on, inserts leave the index to catchUpSearchIndex and the counts to countBatch (an import starts). */
export function deferSearchIndex(db: Db): void {
  cachedStatement(db, 'UPDATE index_state SET deferred = 1 WHERE id = 1').run();
}

/**
 * As deferSearchIndex, and the indexes only the review screens and the archive pass read are dropped
 * too (deferred-indexes.ts): an import's writes then touch the tables and their keys, and little else.
 */
export function deferIndexes(db: Db): void {
  deferSearchIndex(db);
  dropDeferredIndexes(db);
}

/**
 * Completes the index, builds the indexes deferIndexes dropped (but those in `later`, which stay
 * deferred for the caller to build: an import builds INDEXES_AFTER_ARCHIVE_PASS after its archive
 * pass), and turns the triggers back on. With two imports at once, the first to end
 * turns it on for the other too: that one is then only slower, never wrong. A killed import leaves
 * it off until the next import ends.
 */
export function resumeSearchIndex(db: Db, later: readonly string[] = []): number {
  const n = completeSearchIndex(db);
  // The indexes dropped by deferIndexes, built over the finished tables (one sort each).
  buildDeferredIndexes(db, later);
  cachedStatement(db, 'UPDATE index_state SET deferred = 0 WHERE id = 1').run();
  // Rows written between the last slice and the update above.
  return n + completeSearchIndex(db);
}

/** SQL for the week a Date column counts in (its Monday; '' when undated), as the triggers of migration 002 write it. */
export const weekOf = (epoch: string): string => `ifnull(date(${epoch}, 'unixepoch', '-6 days', 'weekday 1'), '')`;

/** SQL for the triage tier of a verdict column (migration 008). */
export const tierOf = (verdict: string): string =>
  `CASE ${verdict} WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END`;

/** SQL for the triage order's date key of a Date column (undated messages last, migration 008). */
export const dateKeyOf = (epoch: string): string => `ifnull(${epoch}, 9007199254740991)`;

/** SQL for the 'signed' dimension's key of a signature count column. */
export const signedOf = (count: string): string => `CASE WHEN ${count} > 0 THEN 'yes' ELSE 'no' END`;

/** Where the tables ended before a batch's rows: what countBatch counts is what lies above. */
export interface BatchMark {
  messages: number;
  sources: number;
  findings: number;
  signatures: number;
}

/** Call inside the write transaction, before the batch's inserts (no other writer can add rows then). */
export function markBatch(db: Db): BatchMark {
  const max = (sql: string) => (cachedStatement(db, sql).pluck().get() as number | null) ?? 0;
  return {
    messages: max('SELECT max(rowid) FROM messages'),
    sources: max('SELECT max(id) FROM sources'),
    findings: max('SELECT max(id) FROM findings'),
    signatures: max('SELECT max(rowid) FROM signatures'),
  };
}

/**
 * Adds the summary counts of the rows inserted since `mark`, as the insert triggers of migration
 * 002 would have, one row at a time (the same keys, the same expressions). Call inside the same
 * transaction, after the batch's inserts. `sources` names each source the batch added, with the
 * rowid of its message: messages are found by rowid, never by hash, which has no index while an
 * import into an empty database writes (message-key.ts). A batch's findings are those of its own
 * new messages: the rows above the mark, gathered first (MATERIALIZED), so that SQLite indexes those
 * few by hash for the join; without it, it indexed the whole table at each commit. The same rows,
 * with each one's keys worked out once, serve every count of messages: read by each count from
 * `messages`, the batch's rows were read eight times, and counting took 1.39 s of the main thread's
 * CPU for 100,000 small messages (29 batches) instead of 1.05-1.09 s (26-27 batches).
 */
export function countBatch(db: Db, mark: BatchMark, sources: readonly (readonly [source: number, message: number])[]): void {
  // Another import that ended turned the triggers back on: they have counted these rows already.
  if (cachedStatement(db, 'SELECT deferred FROM index_state WHERE id = 1').pluck().get() === 0) return;
  cachedStatement(
    db,
    `WITH batch AS MATERIALIZED (
       SELECT sha256, verdict, ifnull(from_domain, '') AS domain, ${weekOf('date_epoch')} AS week,
         ${signedOf('signature_count')} AS signed
       FROM messages WHERE rowid > @m
     )
     INSERT INTO overview_counts (dimension, key, verdict, n)
     SELECT d, k, v, n FROM (
       SELECT 'all' AS d, '' AS k, verdict AS v, count(*) AS n FROM batch GROUP BY verdict
       UNION ALL SELECT 'all', '', '', count(*) FROM batch
       UNION ALL SELECT 'domain', domain, verdict, count(*) FROM batch GROUP BY 2, 3
       UNION ALL SELECT 'domain', domain, '', count(*) FROM batch GROUP BY 2
       UNION ALL SELECT 'week', week, verdict, count(*) FROM batch GROUP BY 2, 3
       UNION ALL SELECT 'week', week, '', count(*) FROM batch GROUP BY 2
       UNION ALL SELECT 'mailbox', coalesce(s.mailbox, s.folder, ''), m.verdict, count(*)
         FROM json_each(@pairs) p JOIN sources s ON s.id = p.value ->> 0 JOIN messages m ON m.rowid = p.value ->> 1
         GROUP BY 2, 3
       UNION ALL SELECT 'mailbox', coalesce(mailbox, folder, ''), '', count(*) FROM sources WHERE id > @s GROUP BY 2
       UNION ALL SELECT 'code', code, '', count(*) FROM findings WHERE id > @f GROUP BY 2
       UNION ALL SELECT 'code', f.code, m.verdict, count(*)
         FROM findings f JOIN batch m ON m.sha256 = f.sha256 WHERE f.id > @f GROUP BY 2, 3
       UNION ALL SELECT 'signed', signed, verdict, count(*) FROM batch GROUP BY 2, 3
       UNION ALL SELECT 'signed', signed, '', count(*) FROM batch GROUP BY 2
     ) WHERE n > 0
     ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n`,
  ).run({ m: mark.messages, s: mark.sources, f: mark.findings, pairs: JSON.stringify(sources) });
  // The triage order of migration 008: a batch's findings belong to its own new messages, so they are
  // found by id, the range the batch added (findings_sha256 is dropped while an import writes).
  cachedStatement(
    db,
    `INSERT OR REPLACE INTO triage (sha256, tier, strong, weak, date_key, signed)
     SELECT m.sha256, ${tierOf('m.verdict')},
       ifnull(f.strong, 0), ifnull(f.weak, 0), ${dateKeyOf('m.date_epoch')}, m.signature_count > 0
     FROM messages m LEFT JOIN (
       SELECT sha256, sum(severity = 'strong') AS strong, sum(severity = 'weak') AS weak FROM findings WHERE id > @f GROUP BY sha256
     ) f ON f.sha256 = m.sha256
     WHERE m.rowid > @m`,
  ).run({ m: mark.messages, f: mark.findings });
  cachedStatement(
    db,
    `WITH batch AS MATERIALIZED (SELECT sha256, date_epoch FROM messages WHERE rowid > @m)
     INSERT INTO finding_week_counts (week, severity, n)
     SELECT ${weekOf('m.date_epoch')}, f.severity, count(*)
     FROM findings f JOIN batch m ON m.sha256 = f.sha256 WHERE f.id > @f AND f.severity IN ('strong', 'weak') GROUP BY 1, 2
     ON CONFLICT (week, severity) DO UPDATE SET n = n + excluded.n`,
  ).run({ m: mark.messages, f: mark.findings });
  cachedStatement(
    db,
    `INSERT INTO signature_key_counts (key_name, key_source, result, n)
     SELECT key_name, ifnull(key_source, ''), result, count(*) FROM signatures WHERE rowid > @g GROUP BY 1, 2, 3
     ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n + excluded.n`,
  ).run({ g: mark.signatures });
}
