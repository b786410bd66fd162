// withTransaction begins IMMEDIATE: a transaction that reads and then writes, while another process
// holds the write lock, waits for it instead of failing (issue 9). withSnapshot reads one state.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tryWriteLock } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { withSnapshot, withTransaction } from '../../src/store/transaction.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** A second process that takes the write lock, adds a key record, holds the lock for `ms`, then commits. */
async function holdWriteLock(file: string, ms: number): Promise<{ done: Promise<unknown> }> {
  const script = `
    const db = new (require('better-sqlite3'))(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO keys (name, domain, selector, value, source_kind, source, imported_at) VALUES ('a._domainkey.x', 'x', 'a', '', 'zone', 'other', 'now')").run();
    process.stdout.write('locked\\n');
    const end = Date.now() + ${ms};
    while (Date.now() < end);
    db.exec('COMMIT');
    db.close();`;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const done = once(child, 'exit');
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('locked')) break;
  }
  return { done };
}

/** Reads, then writes: the shape of the import's batch and of the archive pass. */
function readThenWrite(db: Db): number {
  const before = db.prepare('SELECT count(*) FROM keys').pluck().get() as number;
  db.prepare(
    "INSERT INTO keys (name, domain, selector, value, source_kind, source, imported_at) VALUES ('b._domainkey.x', 'x', 'b', '', 'zone', 'here', 'now')",
  ).run();
  return before;
}

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('withTransaction', () => {
  it('waits for another writer and then reads what it committed', async () => {
    const { db, file } = openFixtureDb();
    open.push(db);
    const other = await holdWriteLock(file, 300);
    expect(withTransaction(db, () => readThenWrite(db))).toBe(1);
    await other.done;
    expect(db.prepare('SELECT count(*) FROM keys').pluck().get()).toBe(2);
  });

  it('is needed: a deferred transaction that reads first fails on the same race', async () => {
    const { db, file } = openFixtureDb();
    open.push(db);
    const other = await holdWriteLock(file, 300);
    expect(() => db.transaction(() => readThenWrite(db)).deferred()).toThrow(/SQLITE_BUSY|database is locked/);
    await other.done;
  });

  it('rolls everything back when its function throws, and returns what it returns', () => {
    const { db } = openFixtureDb();
    open.push(db);
    expect(() =>
      withTransaction(db, () => {
        readThenWrite(db);
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(db.prepare('SELECT count(*) FROM keys').pluck().get()).toBe(0);
    expect(withTransaction(db, () => 'result')).toBe('result');
  });
});

describe('tryWriteLock', () => {
  it('returns at once without running its function while another process holds the lock, and runs it once the lock is free', async () => {
    const { db, file } = openFixtureDb();
    open.push(db);
    const other = await holdWriteLock(file, 1500);
    const started = Date.now();
    let ran = false;
    expect(
      tryWriteLock(db, () => {
        ran = true;
        return readThenWrite(db);
      }),
    ).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ran).toBe(false);
    await other.done;
    expect(tryWriteLock(db, () => readThenWrite(db))).toBe(1);
    expect(db.prepare('SELECT count(*) FROM keys').pluck().get()).toBe(2);
    // The connection's own busy timeout is back: a queued write still waits for another writer.
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
  });
});

describe('withSnapshot', () => {
  it('reads one state of the database, whatever another connection commits meanwhile', () => {
    const { db, file } = openFixtureDb();
    const { db: writer } = openFixtureDb(file);
    open.push(db, writer);
    const counts = withSnapshot(db, () => {
      const first = db.prepare('SELECT count(*) FROM keys').pluck().get() as number;
      withTransaction(writer, () => readThenWrite(writer));
      const second = db.prepare('SELECT count(*) FROM keys').pluck().get() as number;
      return [first, second];
    });
    expect(counts).toEqual([0, 0]);
    expect(db.prepare('SELECT count(*) FROM keys').pluck().get()).toBe(1);
  });
});
