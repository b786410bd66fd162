// The full-text index, built apart from the import's per-message writes (migration 003): while an
// import writes, the index is deferred, and new messages are indexed in bulk, a slice at a time
// (while the import waits for its workers, and the rest at its end).
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';

/** Indexes up to `limit` messages not yet in the full-text index, in one transaction; returns how many. */
export function catchUpSearchIndex(db: Db, limit = 1000): number {
  return db.transaction(() => {
    const upto = cachedStatement(db, 'SELECT upto FROM search_index_state WHERE id = 1').pluck().get() as number;
    const last = cachedStatement(db, 'SELECT max(rowid) FROM (SELECT rowid FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?)')
      .pluck()
      .get(upto, limit) as number | null;
    if (last === null) return 0;
    const info = cachedStatement(
      db,
      `INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
         SELECT rowid, subject, from_address, from_name, to_addresses, body_text FROM messages
         WHERE rowid > ? AND rowid <= ? ORDER BY rowid`,
    ).run(upto, last);
    cachedStatement(db, 'UPDATE search_index_state SET upto = ? WHERE id = 1').run(last);
    return info.changes;
  })();
}

/** Indexes every message not yet in the full-text index. */
export function completeSearchIndex(db: Db): number {
  let total = 0;
  for (let n = catchUpSearchIndex(db, 5000); n > 0; n = catchUpSearchIndex(db, 5000)) total += n;
  return total;
}

/** Messages stored but not yet searchable (an import still running, or one that was killed). */
export function countUnindexedMessages(db: Db): number {
  const upto = cachedStatement(db, 'SELECT upto FROM search_index_state WHERE id = 1').pluck().get() as number;
  return cachedStatement(db, 'SELECT count(*) FROM messages WHERE rowid > ?').pluck().get(upto) as number;
}

/** From now on, inserts leave the index to catchUpSearchIndex (an import starts). */
export function deferSearchIndex(db: Db): void {
  cachedStatement(db, 'UPDATE search_index_state SET deferred = 1 WHERE id = 1').run();
}

/**
 * Completes the index and turns the trigger back on. With two imports at once, the first to end
 * turns it on for the other too: that one is then only slower, never wrong. A killed import leaves
 * it off until the next import ends.
 */
export function resumeSearchIndex(db: Db): number {
  const n = completeSearchIndex(db);
  cachedStatement(db, 'UPDATE search_index_state SET deferred = 0 WHERE id = 1').run();
  // Rows written between the last slice and the update above.
  return n + completeSearchIndex(db);
}
