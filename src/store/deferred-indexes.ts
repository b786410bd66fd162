// The indexes an import does not read, kept off its hot path (migration 010_deferred_indexes):
// dropped when an import starts and built again in bulk when it ends, the way the full-text index
// is (search-index.ts). A random insert into each of them dirtied a page per message; CREATE INDEX
// over the finished table is one sort. The insert triggers that do nothing while an import writes
// leave with them and come back with them (DEFERRED_TRIGGERS), recorded in the same table. This
// module takes the connection type from better-sqlite3 itself, not from database.ts, because
// openDatabase calls it (restoreAbandonedIndexes).
import { availableParallelism } from 'node:os';
import type Database from 'better-sqlite3';
import { isProcessAlive } from '../common/process-alive.ts';

type Db = Database.Database;

/**
 * The indexes an import leaves out while it writes: those only the review screens, the export and
 * the archive pass read, and the keys of the tables written with each message (migration 011). An
 * import reads only the hash key of messages and UNIQUE (path, sha256) of sources (dedup) and the
 * rowid ranges of a transaction (countBatch), so those stay (but the hash key, which an import into
 * an empty database drops by rules of its own: message-key.ts); so do failures_run, keys_*,
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

/**
 * The insert triggers an import leaves out while it writes. Each does nothing then: its WHEN asks
 * for index_state.deferred = 0, and the import counts and indexes its own rows in bulk
 * (search-index.ts). Present, they still cost every insert into their tables: a statement that may
 * run a trigger's program is one that SQLite must be able to undo alone. So it opens a statement
 * journal and copies there each page the insert changes, 16 KiB a page. The rows of the same 10,000
 * analysed small messages, inserted on one thread into fresh databases, took 320 µs a message with
 * these dropped and 387 µs with them (medians of nine runs each, alternated). Their delete and
 * update triggers stay.
 */
export const DEFERRED_TRIGGERS: readonly string[] = [
  'messages_fts_insert',
  'overview_messages_insert',
  'overview_signed_insert',
  'triage_messages_insert',
  'overview_sources_insert',
  'overview_findings_insert',
  'overview_code_verdict_insert',
  'triage_findings_insert',
  'signature_key_counts_insert',
];

/** The deferred indexes, then the deferred triggers, each with its type in sqlite_master. */
const DEFERRED: readonly { type: 'index' | 'trigger'; name: string }[] = [
  ...DEFERRED_INDEXES.map((name) => ({ type: 'index' as const, name })),
  ...DEFERRED_TRIGGERS.map((name) => ({ type: 'trigger' as const, name })),
];

function hasTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deferred_indexes'").get() !== undefined;
}

/**
 * Drops the deferred indexes and triggers, each recorded with its CREATE statement first, in one
 * transaction; returns how many it dropped. Those already missing (another import running, or one
 * killed) stay recorded.
 */
export function dropDeferredIndexes(db: Db): number {
  if (!hasTable(db)) return 0;
  const find = db.prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?').pluck();
  const record = db.prepare('INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)');
  return db
    .transaction(() => {
      let n = 0;
      for (const { type, name } of DEFERRED) {
        const sql = find.get(type, name) as string | undefined;
        if (sql === undefined) continue;
        record.run(name, sql);
        // The type and name come from the lists above, never from input.
        db.exec(`DROP ${type.toUpperCase()} "${name}"`);
        n++;
      }
      return n;
    })
    .immediate();
}

/** What deferred_indexes records: each missing index or trigger with its CREATE statement. */
function recorded(db: Db): { name: string; sql: string }[] {
  return db.prepare('SELECT name, sql FROM deferred_indexes ORDER BY name').all() as { name: string; sql: string }[];
}

/**
 * Makes one recorded index or trigger again and forgets its record; one that exists already (made by
 * someone else meanwhile) is only forgotten. Returns whether it made it. Call inside a transaction.
 */
function makeAgain(db: Db, name: string, sql: string): boolean {
  const type = DEFERRED_TRIGGERS.includes(name) ? 'trigger' : 'index';
  const missing = db.prepare('SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?').get(type, name) === undefined;
  if (missing) db.exec(sql);
  db.prepare('DELETE FROM deferred_indexes WHERE name = ?').run(name);
  return missing;
}

/** Creates again, in one transaction, the deferred triggers that are recorded; returns how many it created. */
function restoreDeferredTriggers(db: Db): number {
  const triggers = recorded(db).filter(({ name }) => DEFERRED_TRIGGERS.includes(name));
  if (triggers.length === 0) return 0;
  return db.transaction(() => triggers.filter(({ name, sql }) => makeAgain(db, name, sql)).length).immediate();
}

/**
 * The page cache while the deferred indexes are built: SQLite sorts each index in runs of at most
 * the cache's size, then merges them, and smaller runs sort faster (they fit the processor's caches;
 * the helper threads sort several at once). The 23 indexes of the database of 1,000,000 small
 * messages, dropped and built again (scratch script, temp_store FILE, two threads): 21.2-23.4 s and
 * 30-32 CPU-s with the import's 32 MB (IMPORT_CACHE_KIB), 14.1-15.0 s with 8 MB, 13.0-13.4 s and
 * 20-21 CPU-s with 2 or 4 MB, 13.1 s with 1 MB; peak RSS 201 MB against 83 MB.
 */
const INDEX_BUILD_CACHE_KIB = 2 * 1024;

/**
 * Creates the deferred triggers again, then builds every index recorded as deferred but those in
 * `except`, one transaction each (a kill loses at most the one being built); returns how many
 * indexes and triggers it made. Each CREATE INDEX scans its table once and sorts.
 */
export function buildDeferredIndexes(db: Db, except: readonly string[] = []): number {
  if (!hasTable(db)) return 0;
  let n = restoreDeferredTriggers(db);
  const pending = recorded(db);
  // The sort of a large index spills to temporary files: on disk, not in memory, whatever the
  // import set (beginBulkWrites), so that peak memory does not grow with the dump.
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  db.pragma('temp_store = FILE');
  // SQLite's sorter may use helper threads for a large sort: the 19 indexes of 100,000 small
  // messages were built in 4.0-5.1 s with two, 4.4-6.1 s with none.
  const threads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`threads = ${Math.min(availableParallelism(), 4)}`);
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${INDEX_BUILD_CACHE_KIB}`);
  try {
    for (const { name, sql } of pending) {
      if (except.includes(name)) continue;
      if (db.transaction(() => makeAgain(db, name, sql)).immediate()) n++;
    }
  } finally {
    db.pragma(`temp_store = ${tempStore}`);
    db.pragma(`threads = ${threads}`);
    db.pragma(`cache_size = ${cache}`);
  }
  return n;
}

/** Indexes and triggers still missing because an import dropped them (one running, or one killed). */
export function countDeferredIndexes(db: Db): number {
  if (!hasTable(db)) return 0;
  return db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get() as number;
}

/** Whether an import may still be running: a run marked 'running' whose process is alive on this machine. */
function importMayRun(db: Db): boolean {
  const pids = db.prepare("SELECT pid FROM import_runs WHERE status = 'running' AND pid IS NOT NULL").pluck().all() as number[];
  return pids.some((pid) => pid === process.pid || isProcessAlive(pid));
}

/**
 * On a writable open: builds the indexes and creates the triggers a killed import left missing,
 * unless an import may still be running (it makes them when it ends). Limit: a run started from
 * another machine on a shared file looks dead here; building its indexes then only slows it down.
 */
export function restoreAbandonedIndexes(db: Db): number {
  if (countDeferredIndexes(db) === 0 || importMayRun(db)) return 0;
  return buildDeferredIndexes(db);
}

/**
 * On a writable open, before the migrations: creates the triggers a killed import left missing, as
 * restoreAbandonedIndexes does, so that a migration finds every trigger it may drop or replace.
 */
export function restoreAbandonedTriggers(db: Db): number {
  if (countDeferredIndexes(db) === 0 || importMayRun(db)) return 0;
  return restoreDeferredTriggers(db);
}
