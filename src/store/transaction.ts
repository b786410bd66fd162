// Transactions for code outside the store: the pipeline and the server never touch better-sqlite3.
import { withWriteLock, type Db } from './database.ts';

/**
 * Runs `fn` in one write transaction and returns its result; an exception rolls it back. The
 * transaction begins IMMEDIATE: it takes the write lock before `fn` reads anything. A deferred one
 * that reads first and then writes cannot wait for another writer (SQLite answers SQLITE_BUSY at
 * once, whatever the busy timeout, because waiting could deadlock), so an import running beside
 * the review server would fail on its first batch. Inside another transaction it nests as a savepoint.
 * `fn` must be synchronous: a transaction cannot span an `await`. While another process holds the
 * lock it queues (up to WRITE_WAIT_MS, saying so once on stderr through the database's onWait) instead
 * of failing: see withWriteLock.
 */
export function withTransaction<T>(db: Db, fn: () => T): T {
  return withWriteLock(db, fn);
}

/**
 * Runs `fn` over one consistent snapshot of the database (a deferred, read-only transaction): a page
 * built from several queries never mixes states while an import commits. It takes no write lock, so
 * it neither waits for an import nor holds one up (WAL).
 */
export function withSnapshot<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).deferred();
}
