// The indexes an import does not read, kept off its hot path (migration 010_deferred_indexes):
// dropped when an import starts and built again in bulk when it ends, the way the full-text index
// is (search-index.ts). A random insert into each of them dirtied a page per message; CREATE INDEX
// over the finished table is one sort. This module takes the connection type from better-sqlite3
// itself, not from database.ts, because openDatabase calls it (restoreAbandonedIndexes).
import { availableParallelism } from 'node:os';
import type Database from 'better-sqlite3';
import { isProcessAlive } from '../common/process-alive.ts';

type Db = Database.Database;

/**
 * The indexes an import leaves out while it writes: those only the review screens, the export and
 * the archive pass read, and the keys of the tables written with each message (migration 011). An
 * import reads only the primary key of messages and UNIQUE (path, sha256) of sources (dedup) and the
 * rowid ranges of a transaction (countBatch), so those stay; so do failures_run, keys_*,
 * reviews_sha256 and overview_counts_top, whose tables are small or written rarely. Only triggers read
 * findings_sha256 and triage_message during an import, and they stand aside then. The UNIQUE ones
 * among them are kept by their writers while they are away (migration 011 says how).
 */
export const DEFERRED_INDEXES: readonly string[] = [
  'messages_date',
  'messages_from_domain',
  'messages_from_sort',
  'messages_in_reply_to',
  'messages_message_id',
  'messages_reasons_sort',
  'messages_signed',
  'messages_size',
  'messages_subject_sort',
  'messages_verdict',
  'findings_code',
  'findings_sha256',
  'attachments_content',
  'signatures_key',
  'sources_sha256',
  'sources_mailbox',
  'sources_mailbox_key',
  'sources_role',
  'sources_by_mailbox_key',
  'triage_order',
  // The keys of the rows written with each message (migration 011): random on the hot path.
  'attachment_documents_message',
  'attachments_message',
  'signatures_message',
  'triage_message',
  'message_facts_message',
  'message_refs_key',
  'run_manifest_entries_run',
];

/**
 * Deferred indexes on the columns the archive pass writes (each source's role and mailbox, each
 * message's verdict and reasons, and the triage rank the verdict moves) and never looks rows up by:
 * an import builds them after the pass, so that its updates do not rewrite their entries one row at
 * a time. On 100,000 small messages the index builds and the pass took 18.9-22.1 s this way and
 * 23.5-25.9 s with these built first, and the import wrote 1.6 GB less (8.5 against 10.1 GB).
 */
export const INDEXES_AFTER_ARCHIVE_PASS: readonly string[] = [
  'sources_role',
  'sources_by_mailbox_key',
  'messages_verdict',
  'messages_reasons_sort',
  'triage_order',
];

function hasTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_indexes'").get() !== undefined;
}

/**
 * Drops the deferred indexes, each recorded with its CREATE statement first, in one transaction; returns
 * how many it dropped. Indexes already missing (another import running, or one killed) stay recorded.
 */
export function dropDeferredIndexes(db: Db): number {
  if (!hasTable(db)) return 0;
  const find = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck();
  const record = db.prepare('INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)');
  return db
    .transaction(() => {
      let n = 0;
      for (const name of DEFERRED_INDEXES) {
        const sql = find.get(name) as string | undefined;
        if (sql === undefined) continue;
        record.run(name, sql);
        // The name comes from the list above, never from input.
        db.exec(`DROP INDEX "${name}"`);
        n++;
      }
      return n;
    })
    .immediate();
}

/**
 * Builds every index recorded as deferred but those in `except`, one transaction each (a kill loses
 * at most the one being built), and returns how many it built. Each CREATE INDEX scans its table once
 * and sorts; a row whose index exists already (built by someone else meanwhile) is only forgotten.
 */
export function buildDeferredIndexes(db: Db, except: readonly string[] = []): number {
  if (!hasTable(db)) return 0;
  const pending = db.prepare('SELECT name, sql FROM deferred_indexes ORDER BY name').all() as { name: string; sql: string }[];
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?");
  const forget = db.prepare('DELETE FROM deferred_indexes WHERE name = ?');
  let n = 0;
  // The sort of a large index spills to temporary files: on disk, not in memory, whatever the
  // import set (beginBulkWrites), so that peak memory does not grow with the dump.
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  db.pragma('temp_store = FILE');
  // SQLite's sorter may use helper threads for a large sort: the 19 indexes of 100,000 small
  // messages were built in 4.0-5.1 s with two, 4.4-6.1 s with none.
  const threads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`threads = ${Math.min(availableParallelism(), 4)}`);
  try {
    for (const { name, sql } of pending) {
      if (except.includes(name)) continue;
      db.transaction(() => {
        if (exists.get(name) === undefined) {
          db.exec(sql);
          n++;
        }
        forget.run(name);
      }).immediate();
    }
  } finally {
    db.pragma(`temp_store = ${tempStore}`);
    db.pragma(`threads = ${threads}`);
  }
  return n;
}

/** Indexes still missing because an import dropped them (one running, or one killed). */
export function countDeferredIndexes(db: Db): number {
  if (!hasTable(db)) return 0;
  return db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get() as number;
}

/**
 * On a writable open: builds the indexes a killed import left missing, unless an import may still be
 * running (a run marked 'running' whose process is alive on this machine: it builds them when it
 * ends). Limit: a run started from another machine on a shared file looks dead here; building its
 * indexes then only slows it down.
 */
export function restoreAbandonedIndexes(db: Db): number {
  if (countDeferredIndexes(db) === 0) return 0;
  const pids = db.prepare("SELECT pid FROM import_runs WHERE status = 'running' AND pid IS NOT NULL").pluck().all() as number[];
  if (pids.some((pid) => pid === process.pid || isProcessAlive(pid))) return 0;
  return buildDeferredIndexes(db);
}
