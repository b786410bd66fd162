// The only adapter over better-sqlite3 (but for the import's checkpoint thread, checkpoint-thread.ts,
// which opens a connection of its own): identifying, opening and locking a database, and running
// the migrations. A database given with --db may be anything (another program's SQLite file, an
// image, a folder, a file on write-protected evidence media): nothing is written to a file until it
// is known to be ours, and every way opening can fail becomes a DatabaseError with one plain sentence.
import Database from 'better-sqlite3';
import { BackgroundCheckpoints } from './checkpoint-thread.ts';
import { sha256Hex } from '../common/sha256.ts';
import { restoreAbandonedIndexes, restoreAbandonedTriggers } from './deferred-indexes.ts';
import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

// SQLite URI file names let a read-only open say `immutable=1` (evidence on write-protected media,
// see openForReading). better-sqlite3 reads this once, when the first database is opened; every
// path we open is absolute, so a file name cannot be taken for a URI by accident.
process.env.SQLITE_USE_URI ??= '1';

export type Db = Database.Database;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Written into the SQLite header (`PRAGMA application_id`, offset 68) when leaktriage creates a
 * database, so that a file is known to be ours before anything is written to it. The bytes are
 * "LkTr". Databases made before this have 0 there and are known by their migrations table.
 */
export const APPLICATION_ID = 0x4c6b5472;

/** How long a statement waits for another connection's lock before SQLite gives up (review server, reads). */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * How long a write transaction (withWriteLock) queues behind another writer before it gives up.
 * Another import writes in short batches, but its archive-wide pass over a large database holds the
 * lock for minutes; queueing, not failing, is what two imports into one database should do.
 */
export const WRITE_WAIT_MS = 10 * 60_000;

/** After this long without the write lock, the waiting connection says so (onWait). */
export const WAIT_NOTE_AFTER_MS = 2_000;

/** Page size of a new database (see openDatabase). */
export const PAGE_SIZE = 16 * 1024;

/** WAL pages written before SQLite copies them into the database (16 MB of 16 KiB pages). */
export const WAL_CHECKPOINT_PAGES = 1024;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

/**
 * Why a database cannot be used, in one sentence for the user; nothing was changed. Codes:
 * `db/not-found`, `db/not-a-file`, `db/not-leaktriage`, `db/unreadable`, `db/read-only`,
 * `db/outdated`, `db/newer`, `db/busy`, `db/full`, `db/damaged`, `db/cannot-create`.
 */
export class DatabaseError extends Error {
  override name = 'DatabaseError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The database has migrations this code does not know (made by a newer leaktriage). */
export class UnknownMigrationError extends DatabaseError {
  override name = 'UnknownMigrationError';
  constructor(message: string) {
    super('db/newer', message);
  }
}

/** Numbered `NNN_name.sql` files, in order. A gap or a repeated number is a programming error. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_-]+\.sql$/.test(f))
    .sort();
  return files.map((file, i) => {
    const version = Number(file.slice(0, 3));
    if (version !== i + 1) throw new Error(`migration ${file}: expected number ${i + 1}`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { version, name: file, sql, sha256: sha256Hex(sql) };
  });
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)`;

function readApplied(db: Db): { version: number; name: string }[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!exists) return [];
  return db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as { version: number; name: string }[];
}

function refuseUnknown(applied: { version: number; name: string }[], migrations: Migration[]): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m || m.name !== row.name) {
      throw new UnknownMigrationError(
        `this database has migration ${row.name}, which this version of leaktriage does not know; ` +
          'use the leaktriage version that wrote it',
      );
    }
  }
}

/**
 * Applies the migrations this database lacks, each in one IMMEDIATE transaction together with its
 * record, so that two processes opening a new database at once apply each migration once. Refuses
 * a database that has migrations this code does not know (made by a newer leaktriage). Takes no
 * write lock when nothing is missing.
 */
export function migrate(db: Db, migrations: Migration[] = loadMigrations()): number[] {
  const applied = readApplied(db);
  refuseUnknown(applied, migrations);
  if (applied.length === migrations.length && db.pragma('application_id', { simple: true }) === APPLICATION_ID) return [];
  const newly: number[] = [];
  withWriteLock(db, () => {
    db.exec(MIGRATIONS_TABLE);
    // A database made before the application id existed is marked now, once it is known to be ours.
    db.pragma(`application_id = ${APPLICATION_ID}`);
  });
  const record = db.prepare('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)');
  for (const m of migrations) {
    const rebuildsParent = m.sql.startsWith(FOREIGN_KEYS_OFF);
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    // Set before the transaction: inside one, this pragma does nothing.
    if (rebuildsParent) db.pragma('foreign_keys = OFF');
    try {
      withWriteLock(db, () => {
        // Read again under the lock: another process may have applied it while this one waited.
        const done = readApplied(db);
        refuseUnknown(done, migrations);
        if (done.some((r) => r.version === m.version)) return;
        db.exec(m.sql);
        // SQLite's procedure for remaking a table that others refer to ends with this check.
        if (rebuildsParent && (db.pragma('foreign_key_check') as unknown[]).length > 0)
          throw new Error(`migration ${m.name}: a reference no longer finds its row`);
        record.run(m.version, m.name, m.sha256, new Date().toISOString());
        newly.push(m.version);
      });
    } finally {
      if (rebuildsParent) db.pragma(`foreign_keys = ${foreignKeys}`);
    }
  }
  return newly;
}

/**
 * The first line of a migration that makes again a table other tables refer to: it runs with foreign
 * keys off (with them on, dropping the old table would delete the rows that refer to it), and its
 * references are checked before it commits.
 */
const FOREIGN_KEYS_OFF = '-- leaktriage: foreign keys off\n';

/** What the caller means to do with the database. */
export type OpenMode =
  /** import, keys import: create the file when it is missing; write. */
  | 'create'
  /** A command that writes but must not create (the review server): the file must exist. */
  | 'update'
  /** export, keys list: the file must exist; opened read-only, nothing written (not even WAL mode). */
  | 'read';

export interface OpenOptions {
  mode?: OpenMode;
  /** Same as mode 'read' (kept for callers that predate modes). */
  readonly?: boolean;
  migrations?: Migration[];
  /** How long a single statement waits for a lock (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
  /** How long a write transaction queues behind another writer (default WRITE_WAIT_MS). */
  writeWaitMs?: number;
  /** Told once per wait when a write transaction has waited WAIT_NOTE_AFTER_MS for another writer. */
  onWait?: (message: string) => void;
}

interface LockSettings {
  busyTimeoutMs: number;
  writeWaitMs: number;
  onWait?: (message: string) => void;
  label: string;
}

const lockSettings = new WeakMap<Db, LockSettings>();

/**
 * Opens a database for what `mode` says, after making sure it is a leaktriage database (or a path
 * where one may be created). WAL lets the review server read while an import writes.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const mode: OpenMode = options.readonly ? 'read' : (options.mode ?? 'create');
  const path = resolve(file);
  const kind = identifyDatabase(path, file, mode);
  let db: Db;
  if (mode === 'read') {
    db = openForReading(path, file);
  } else {
    assertWritable(path, file, kind === 'missing');
    db = translateErrors(file, () => new Database(path, { fileMustExist: kind !== 'missing' }));
  }
  const settings: LockSettings = {
    busyTimeoutMs: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
    writeWaitMs: options.writeWaitMs ?? WRITE_WAIT_MS,
    onWait: options.onWait,
    label: file,
  };
  lockSettings.set(db, settings);
  try {
    translateErrors(file, () => {
      db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
      if (mode === 'read') {
        checkSchemaForReading(db, file, options.migrations ?? loadMigrations());
        return;
      }
      if (kind !== 'leaktriage') {
        // 16 KiB pages for a new database (it must be set before the first write). The raw messages
        // are large blobs: with 4 KiB pages their overflow chains made inserts and checkpoints 3x slower
        // than with 64 KiB. But every index page a batch touches is one page in the WAL, and the indexes
        // keyed by hash are touched at random: with 64 KiB pages, 20,000 small messages wrote 3.1 GB in
        // their batches and took 26 s there, with 16 KiB 2.4 GB and 15 s, the archive pass 5.6 s and
        // 3.8 s; the 548 MB mixed dump took the same time with 16, 32 or 64 KiB (bench, loaded machine).
        db.pragma(`page_size = ${PAGE_SIZE}`);
        // Our mark goes in first, before any other write, so that a half-created file is known as ours.
        db.pragma(`application_id = ${APPLICATION_ID}`);
      }
      enterWal(db, settings.busyTimeoutMs);
      // SQLite checkpoints the WAL every 1,000 pages by default; 16 MB (WAL_CHECKPOINT_PAGES) keeps the
      // extra disk an import needs beside the database small, for the same work.
      db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Indexes and triggers a killed import dropped (migration 010, deferred-indexes.ts) are made again
      // here, unless an import runs: the triggers before the migrations, which may replace them.
      restoreAbandonedTriggers(db);
      migrate(db, options.migrations);
      restoreAbandonedIndexes(db);
    });
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Page cache of the importing connection (SQLite's default is 2 MB: 125 of our 16 KiB pages). A
 * batch's message bytes, parsed views and texts pass through it, and the pages of the sha256-keyed
 * tables it inserts into at random were evicted between batches and read again: 100,000 small
 * messages took 95.9 s (28.9 s in the kernel) with 8 MB, 86.7 s (20.5 s) with 64 MB. 32 MB, for
 * memory: the fuzz run peaked at 965 MB with 8 MB and 986-1,039 MB with 64 MB (with deeper queues
 * than dispatch.ts now keeps).
 * Given back before the archive pass (endBulkWrites).
 */
export const IMPORT_CACHE_KIB = 32 * 1024;

/**
 * Each connection's checkpoint thread between beginBulkWrites and endBackgroundCheckpoints: none yet
 * (with commitWrite's commits so far), or the thread. It starts at the second commit: an import that
 * commits once (a few messages, as in most tests) never pays for one.
 */
const checkpointThreads = new WeakMap<Db, { commits: number; thread: BackgroundCheckpoints | null }>();
const COMMITS_BEFORE_THREAD = 2;

/**
 * Settings for an import's writes, on this connection until endBulkWrites. Statement journals (the
 * undo of one statement inside a transaction) go to memory: SQLite spills them to a temporary file
 * past 64 KiB, then one of our pages, so nearly every insert of a batch wrote and read one (10 GB
 * written for 5,000 small messages with 64 KiB pages; 0.9 GB in memory). Each holds the old content of
 * the pages one statement changed: a batch's inserts append, and the archive pass replaces only the
 * findings that changed (on 20,000 small messages it wrote 4.1 GB and took 9.4 s with the journals on
 * disk, 0.4 GB and 5.6 s in memory). Limit: a statement rewriting a whole large table would hold that
 * table's old pages in memory. Temporary tables live in
 * memory too. A larger page cache keeps the indexes' pages between batches instead of reading them again.
 * From the second commit on, the WAL is copied into the database by a thread of its own
 * (checkpoint-thread.ts), not by the commits.
 */
export function beginBulkWrites(db: Db, options: { rollbackJournal?: boolean } = {}): void {
  db.pragma('temp_store = MEMORY');
  db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
  // Which of the two it got, writesThroughRollbackJournal says.
  if (options.rollbackJournal && !db.memory && leaveWal(db)) return;
  if (!checkpointThreads.has(db)) checkpointThreads.set(db, { commits: 0, thread: null });
}

/** The busy timeout each connection writing through a rollback journal had before (leaveWal). */
const rollbackImports = new WeakMap<Db, number>();

/**
 * Puts a connection that is alone with its database in rollback-journal mode for an import's
 * batches, if it can be done at once: no other connection may have the database open (SQLite then
 * refuses, and the import writes through the WAL as before). In WAL mode every page is written twice,
 * into the WAL and then by the checkpoint into the database; a rollback journal keeps only the old
 * content of the pages a transaction changes, and the message bytes go to new pages at the end of the
 * file, which need none. Measured 2026-12-03 in alternated runs against WAL with its checkpoint
 * thread (c587da5): the mixed dump 19.6-19.8 s against 20.9-21.1 s and 17.3-17.8 against 19.9-20.0
 * (two pairs each), 3.7 GB written against 7.0 GB, 32-35 against 35-38 CPU-s; 100,000 small
 * messages 34.3-37.7 s against 37.7-39.2 s (three pairs), 4.0 GB written against 6.0.
 * What it costs: a reader cannot read while the import holds the file's exclusive lock (from the
 * first page its transaction writes to the file until the commit), so the review server opened
 * meanwhile waits up to a transaction's length (pipeline/write-batch.ts); and the import waits
 * for a reader to finish its statement before it commits (busy timeout writeWaitMs meanwhile).
 * synchronous = FULL: a commit is durable, and the database whole after a power cut, on any
 * filesystem (NORMAL is whole in WAL mode, not in this one). A killed import leaves a hot journal
 * that the next connection able to write rolls back (openForReading when only reading).
 */
function leaveWal(db: Db): boolean {
  const settings = lockSettings.get(db);
  const before = settings?.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  if (!switchJournalAtOnce(db, 'delete', before)) return false;
  db.pragma('synchronous = FULL');
  rollbackImports.set(db, before);
  const wait = settings?.writeWaitMs ?? WRITE_WAIT_MS;
  if (settings) settings.busyTimeoutMs = wait;
  db.pragma(`busy_timeout = ${wait}`);
  return true;
}

/** Whether this connection writes an import through a rollback journal (beginBulkWrites). */
export function writesThroughRollbackJournal(db: Db): boolean {
  return rollbackImports.has(db);
}

/**
 * Back to WAL after an import's batches and index builds (leaveWal): the archive pass reads on a
 * connection of its own while this one writes. Waits for readers like a commit; a reader that holds
 * the database longer than writeWaitMs leaves it in rollback mode, and the next connection that opens
 * it for writing (in an import, the archive pass's) returns it to WAL (enterWal).
 */
function returnToWal(db: Db): void {
  const before = rollbackImports.get(db);
  if (before === undefined) return;
  rollbackImports.delete(db);
  try {
    db.pragma('journal_mode = WAL');
  } catch (error) {
    if (!isBusy(error)) throw error;
  } finally {
    const settings = lockSettings.get(db);
    if (settings) settings.busyTimeoutMs = before;
    db.pragma(`busy_timeout = ${before}`);
    db.pragma('synchronous = NORMAL');
  }
}

/**
 * WAL mode for a connection that may write (openDatabase), which lets the review server read while
 * an import writes. An import that writes through a rollback journal (leaveWal) holds the lock that
 * this needs: then the connection goes on in rollback mode without waiting (SQLite returns every
 * connection to WAL with the import, returnToWal). A database a killed import left in rollback
 * mode is returned to WAL here, after SQLite has rolled its last transaction back.
 */
function enterWal(db: Db, busyTimeoutMs: number): void {
  switchJournalAtOnce(db, 'wal', busyTimeoutMs);
}

/**
 * Sets the journal mode if no other connection's lock is in the way, without waiting for one;
 * returns whether the connection is in that mode now. The busy timeout is `busyTimeoutMs` after.
 */
function switchJournalAtOnce(db: Db, mode: 'delete' | 'wal', busyTimeoutMs: number): boolean {
  db.pragma('busy_timeout = 0');
  try {
    return db.pragma(`journal_mode = ${mode}`, { simple: true }) === mode;
  } catch (error) {
    if (!isBusy(error)) throw error;
    return false;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  }
}

/**
 * Ends the checkpoint thread of an import (after its last checkpoint), if one runs, and starts none
 * for the rest of the bulk writes: the connection checkpoints itself at commit again. An import
 * calls it once its batches are written: the index builds after them commit without asking the
 * thread, and in one of two paired runs of 100,000 small messages they took twice as long with it.
 */
export function endBackgroundCheckpoints(db: Db): void {
  const state = checkpointThreads.get(db);
  checkpointThreads.delete(db);
  state?.thread?.stop();
}

/**
 * Back to SQLite's defaults (temporary files on disk, a 2 MB cache) and to checkpoints at commit; an
 * import that wrote through a rollback journal returns to WAL here (returnToWal), after the index
 * builds, which write new pages too, and before the archive pass, which reads on a connection of its own.
 */
export function endBulkWrites(db: Db): void {
  endBackgroundCheckpoints(db);
  returnToWal(db);
  db.pragma('temp_store = DEFAULT');
  db.pragma('cache_size = -2000');
}

/**
 * Runs `fn` in one IMMEDIATE transaction: the write lock is taken before anything is read, so two
 * writers queue instead of one failing with "database is locked" when it tries to write after
 * reading. Waits up to writeWaitMs for another writer, telling onWait once. Nested calls join the
 * outer transaction. Limit: the wait is synchronous, so a Ctrl-C takes effect when it ends.
 */
export function withWriteLock<T>(db: Db, fn: () => T): T {
  const settings = lockSettings.get(db);
  if (db.inTransaction || !settings) return db.transaction(fn).immediate();
  return queueForLock(db, settings, (entered) =>
    db
      .transaction(() => {
        entered();
        return fn();
      })
      .immediate(),
  );
}

/**
 * Runs `fn` in one write transaction if the write lock is free now, as withWriteLock does; returns
 * undefined at once, without running it, if another connection holds the lock. For work that can
 * wait for a better moment (run-import.ts indexes for search while its archive pass reads).
 */
export function tryWriteLock<T>(db: Db, fn: () => T): T | undefined {
  if (db.inTransaction) return db.transaction(fn).immediate();
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  let entered = false;
  try {
    return db
      .transaction(() => {
        entered = true;
        return fn();
      })
      .immediate();
  } catch (error) {
    if (entered || !isBusy(error)) throw error;
    return undefined;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Begins an IMMEDIATE transaction that stays open across turns of the event loop until commitWrite
 * or rollbackWrite: an import writes each message as its analysis arrives and commits every so
 * often (pipeline/write-batch.ts), instead of holding a batch of analyses in memory. Queues for
 * the lock like withWriteLock. Statements and withWriteLock calls meanwhile join this transaction.
 */
export function beginWrite(db: Db): void {
  const settings = lockSettings.get(db);
  if (!settings) db.exec('BEGIN IMMEDIATE');
  else
    queueForLock(db, settings, (entered) => {
      db.exec('BEGIN IMMEDIATE');
      entered();
    });
}

/** Commits the transaction beginWrite opened. */
export function commitWrite(db: Db): void {
  db.exec('COMMIT');
  const state = checkpointThreads.get(db);
  if (!state) return;
  if (state.thread) return state.thread.afterCommit();
  if (++state.commits === COMMITS_BEFORE_THREAD) state.thread = BackgroundCheckpoints.start(db, WAL_CHECKPOINT_PAGES);
}

/** Rolls back the transaction beginWrite opened, if SQLite has not already (a failed statement may have). */
export function rollbackWrite(db: Db): void {
  if (db.inTransaction) db.exec('ROLLBACK');
}

/**
 * Calls `attempt` until it gets past taking the write lock (it calls `entered` then), waiting up to
 * writeWaitMs for another writer and telling onWait once; an error after `entered` is thrown as is.
 */
function queueForLock<T>(db: Db, settings: LockSettings, attempt: (entered: () => void) => T): T {
  const started = Date.now();
  let told = false;
  for (let n = 0; ; n++) {
    let entered = false;
    const quiet = n === 0 && settings.onWait !== undefined && settings.busyTimeoutMs > WAIT_NOTE_AFTER_MS;
    if (quiet) db.pragma(`busy_timeout = ${WAIT_NOTE_AFTER_MS}`);
    try {
      return attempt(() => (entered = true));
    } catch (error) {
      if (entered || !isBusy(error)) throw error;
      const waited = Date.now() - started;
      if (waited >= settings.writeWaitMs) {
        throw new DatabaseError(
          'db/busy',
          `another process kept ${settings.label} locked for ${Math.round(waited / 1000)} s; nothing more was written. ` +
            'Run the command again when it is done.',
        );
      }
      if (!told) {
        settings.onWait?.(`another process is writing to ${settings.label} (an import, or the review server); waiting for it…`);
        told = true;
      }
    } finally {
      if (quiet) db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED');
}

type Identity = 'missing' | 'empty' | 'leaktriage';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Whether `path` is ours, absent, or an empty file; anything else is refused before it is opened for writing. */
function identifyDatabase(path: string, shown: string, mode: OpenMode): Identity {
  let info;
  try {
    info = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (mode === 'create') return 'missing';
      throw new DatabaseError(
        'db/not-found',
        `there is no database at ${shown}; only "leaktriage import" and "leaktriage keys import" create one (check the --db path)`,
      );
    }
    if (code === 'ENOTDIR')
      throw new DatabaseError('db/not-found', `${shown} cannot be a database: a part of its path is a file, not a folder`);
    throw new DatabaseError('db/unreadable', `the database ${shown} cannot be examined: ${(error as Error).message}`);
  }
  if (info.isDirectory()) throw new DatabaseError('db/not-a-file', `${shown} is a folder, not a database file; give --db a file name`);
  if (!info.isFile()) throw new DatabaseError('db/not-a-file', `${shown} is not a regular file, so it cannot be a database`);
  if (info.size === 0) {
    if (mode === 'read') throw new DatabaseError('db/not-leaktriage', `${shown} is an empty file, not a leaktriage database`);
    return 'empty';
  }
  const head = readHead(path, shown, 100);
  if (head.length < 100 || !head.subarray(0, 16).equals(SQLITE_MAGIC)) {
    throw new DatabaseError(
      'db/not-leaktriage',
      `${shown} is not a leaktriage database (${describeContent(head)}); it was left untouched. Give --db a new file name or a leaktriage database`,
    );
  }
  // The header's id is authoritative once written; a fresh database in WAL mode may still hold it
  // in its -wal file, so a zero here is confirmed by asking SQLite itself, read-only.
  if (head.readInt32BE(68) === APPLICATION_ID) return 'leaktriage';
  const probe = openForReading(path, shown);
  try {
    const id = translateErrors(shown, () => probe.pragma('application_id', { simple: true }) as number);
    if (id === APPLICATION_ID) return 'leaktriage';
    if (id === 0 && translateErrors(shown, () => isEarlyLeaktriage(probe))) return 'leaktriage';
    const tables = translateErrors(
      shown,
      () => probe.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 4").pluck().all() as string[],
    );
    const what = id !== 0 ? `its application id is ${id}` : tables.length ? `its tables are ${tables.join(', ')}` : 'it has no tables';
    throw new DatabaseError(
      'db/not-leaktriage',
      `${shown} is a SQLite database of another program (${what}), not a leaktriage database; it was left untouched`,
    );
  } finally {
    probe.close();
  }
}

/** Databases made before the application id: their migrations table names our first migration. */
function isEarlyLeaktriage(db: Db): boolean {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return false;
  const first = db.prepare('SELECT name FROM schema_migrations WHERE version = 1').pluck().get();
  return first === '001_initial.sql';
}

function readHead(path: string, shown: string, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new DatabaseError('db/unreadable', `the database ${shown} cannot be read: ${plainSystemError(error)}`);
  }
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

const KNOWN_CONTENT: [string, Buffer][] = [
  ['a PNG image', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
  ['a JPEG image', Buffer.from([0xff, 0xd8, 0xff])],
  ['a GIF image', Buffer.from('GIF8')],
  ['a PDF document', Buffer.from('%PDF')],
  ['a zip archive', Buffer.from('PK\x03\x04', 'latin1')],
];

/** A few words on what a file that is not a SQLite database looks like, for the refusal. */
function describeContent(head: Buffer): string {
  const known = KNOWN_CONTENT.find(([, magic]) => head.subarray(0, magic.length).equals(magic));
  if (known) return `it is ${known[0]}`;
  if (head.subarray(0, 16).equals(SQLITE_MAGIC)) return 'its SQLite header is cut short';
  const printable = [...head].filter((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b !== 0x7f)).length;
  return printable === head.length ? 'it is a text file' : 'it does not start with the SQLite header';
}

/**
 * Read-only, without creating or writing anything next to the file. A WAL database needs its -shm
 * index, which SQLite creates beside it; on a write-protected disk that fails, and then the file
 * is opened as immutable, which is exact as long as no -wal file holds unmerged pages. The one
 * write: an import killed while it wrote through a rollback journal (leaveWal) left its last
 * transaction half in the file, and the journal to undo it, which SQLite applies only on a
 * connection that may write; it is applied first, as any import or review server would.
 */
function openForReading(path: string, shown: string, undone = false): Db {
  const db = translateErrors(shown, () => new Database(path, { readonly: true, fileMustExist: true }));
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? '';
    if (code === 'SQLITE_READONLY_ROLLBACK' && !undone && undoInterruptedWrite(path)) return openForReading(path, shown, true);
    if (!/^SQLITE_(READONLY|CANTOPEN)/.test(code)) throw translateError(shown, error);
  }
  if (hasPending(path, '-journal')) {
    throw new DatabaseError(
      'db/read-only',
      `${shown} holds half of the last batch of an import that was stopped, and its -journal file the means to undo it, ` +
        'which cannot be done here (read-only); copy the database together with its -journal file to a writable folder and open the copy',
    );
  }
  if (hasPending(path, '-wal')) {
    throw new DatabaseError(
      'db/read-only',
      `${shown} is on read-only media and its -wal file holds changes not yet merged into it; copy the database together with its -wal file to a writable folder and open the copy`,
    );
  }
  return translateErrors(
    shown,
    () => new Database(`file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?immutable=1`, { readonly: true }),
  );
}

/** Rolls back what a killed writer left in the file (its hot journal), if the file may be written here. */
function undoInterruptedWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    const db = new Database(path, { fileMustExist: true });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } finally {
      db.close();
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether the database's -wal or -journal file holds something (changes not merged, or a batch to undo). */
function hasPending(path: string, suffix: '-wal' | '-journal'): boolean {
  try {
    return statSync(`${path}${suffix}`).size > 0;
  } catch {
    return false;
  }
}

/** A database we are about to write must be writable, and so must its folder (WAL keeps two files beside it). */
function assertWritable(path: string, shown: string, missing: boolean): void {
  const targets = missing ? [dirname(path)] : [path, dirname(path)];
  for (const target of targets) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (missing && code === 'ENOENT') {
        throw new DatabaseError('db/cannot-create', `cannot create the database ${shown}: its folder ${dirname(path)} does not exist`);
      }
      const what = target === path ? 'the database file' : `its folder ${target}`;
      throw new DatabaseError(
        'db/read-only',
        `${shown} cannot be written: ${what} is read-only (${plainSystemError(error)}); nothing was changed. ` +
          'Copy the database to a writable folder to import into it; export and serve can read it where it is',
      );
    }
  }
}

/** A read-only open of an older database cannot add the tables this version reads. */
function checkSchemaForReading(db: Db, shown: string, migrations: Migration[]): void {
  const applied = readApplied(db);
  refuseUnknown(applied, migrations);
  if (applied.length < migrations.length) {
    throw new DatabaseError(
      'db/outdated',
      `${shown} was written by an older leaktriage (${applied.length} of ${migrations.length} schema steps); ` +
        'run "leaktriage keys import" or an import on it once to upgrade it, or read it with the version that wrote it',
    );
  }
}

function translateErrors<T>(shown: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translateError(shown, error);
  }
}

/** SQLite's and the system's errors about the database file, as one sentence; other errors pass through. */
export function translateError(shown: string, error: unknown): unknown {
  if (error instanceof DatabaseError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return error;
  if (code === 'SQLITE_NOTADB') return new DatabaseError('db/not-leaktriage', `${shown} is not a SQLite database; it was left untouched`);
  if (code.startsWith('SQLITE_CORRUPT'))
    return new DatabaseError('db/damaged', `${shown} is damaged (SQLite reports: ${(error as Error).message})`);
  if (code.startsWith('SQLITE_READONLY'))
    return new DatabaseError('db/read-only', `${shown} cannot be written: it is read-only (${(error as Error).message})`);
  if (code === 'SQLITE_FULL') return new DatabaseError('db/full', `the disk holding ${shown} is full`);
  if (code.startsWith('SQLITE_CANTOPEN'))
    return new DatabaseError('db/unreadable', `the database ${shown} cannot be opened (${(error as Error).message})`);
  if (isBusy(error)) return new DatabaseError('db/busy', `${shown} is locked by another process; run the command again when it is done`);
  return error;
}

function plainSystemError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const plain: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EISDIR: 'it is a folder',
  };
  return plain[e.code ?? ''] ?? e.message;
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per connection: preparing costs more than running small inserts. */
export function cachedStatement(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}
