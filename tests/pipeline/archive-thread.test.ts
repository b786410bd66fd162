// The archive pass in its own thread (under ARCHIVE_HEAP_MB) writes what the same pass on the
// caller's thread writes, and a pass that cannot run rejects with a sentence instead of a crash.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Worker } from 'node:worker_threads';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseError, openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { runArchiveChecks } from '../../src/pipeline/archive-pass.ts';
import { ArchiveThread, passFailure } from '../../src/pipeline/archive-thread.ts';
import { expectCountsMatchRecount, summaryCounts, triageState } from '../helpers/summary-state.ts';

const dir = mkdtempSync(join(tmpdir(), 'lt-archive-thread-'));

/** Three copies of one Message-ID whose texts differ: the copies check has something to say. */
function copy(n: number): string {
  return [
    'From: Ana <ana@example.org>',
    'To: Bo <bo@example.org>',
    'Subject: the budget',
    'Date: Mon, 3 Mar 2025 09:00:00 +0000',
    'Message-ID: <budget@example.org>',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    n === 2 ? 'The budget is four million, as agreed on Friday.' : 'The budget is two million, as agreed on Friday.',
  ].join('\r\n');
}

/** Copies of the imported database under these names, opened, their archive findings cleared: what a pass starts from. */
function clearedCopies(...names: string[]): Db[] {
  return names.map((name) => {
    copyFileSync(join(dir, 'a.sqlite'), join(dir, name));
    const db = openDatabase(join(dir, name));
    clearArchiveFindings(db);
    return db;
  });
}

/** How many of this process's descriptors (any thread's) are open on `file` (Linux's /proc). */
function descriptorsOf(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // Closed since the listing.
    }
  }
  return n;
}

/** Each source's mailbox and role, and the mailbox list, as the pass wrote them. */
function places(db: Db): unknown[] {
  return [
    db.prepare('SELECT id, mailbox_key, role FROM sources ORDER BY id').all(),
    db.prepare('SELECT key, name, account, name_role, owners, copies FROM mailboxes ORDER BY key').all(),
  ];
}

function archiveFindings(db: Db): unknown[] {
  return db.prepare("SELECT sha256, check_id, code FROM findings WHERE check_id LIKE 'archive-%' ORDER BY sha256, check_id, code").all();
}

beforeAll(async () => {
  mkdirSync(join(dir, 'dump'));
  for (const n of [0, 1, 2]) writeFileSync(join(dir, 'dump', `${n}.eml`), copy(n));
  const db = openDatabase(join(dir, 'a.sqlite'));
  await importPaths(db, [join(dir, 'dump')], { workers: 0 });
  db.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ArchiveThread', () => {
  it('writes the same archive findings as the pass run on the calling thread', async () => {
    copyFileSync(join(dir, 'a.sqlite'), join(dir, 'b.sqlite'));
    const inThread = openDatabase(join(dir, 'a.sqlite'));
    const inline = openDatabase(join(dir, 'b.sqlite'));
    try {
      clearArchiveFindings(inThread);
      clearArchiveFindings(inline);
      const touched = await ArchiveThread.start(inThread).run();
      expect(touched).toBe(runArchiveChecks(inline));
      expect(archiveFindings(inThread)).toEqual(archiveFindings(inline));
      expect(archiveFindings(inThread).length).toBeGreaterThan(0);
    } finally {
      inThread.close();
      inline.close();
    }
  });

  it('ends by itself, its connection closed, instead of being terminated (common/end-worker.ts)', async () => {
    copyFileSync(join(dir, 'a.sqlite'), join(dir, 'd.sqlite'));
    const db = openDatabase(join(dir, 'd.sqlite'));
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    try {
      await ArchiveThread.start(db).run();
      expect(terminate).not.toHaveBeenCalled();
    } finally {
      terminate.mockRestore();
      db.close();
    }
  });

  it('shared: judges from a snapshot, tells its phases, and writes what a locked pass writes', async () => {
    const [shared, locked] = clearedCopies('e.sqlite', 'f.sqlite') as [Db, Db];
    try {
      const phases: string[] = [];
      const touched = await ArchiveThread.start(shared).run({ sharing: 'shared', onPhase: (p) => phases.push(p) });
      expect(phases).toEqual(['places', 'placing', 'reading', 'writing']);
      expect(touched).toBe(runArchiveChecks(locked));
      expect(archiveFindings(shared)).toEqual(archiveFindings(locked));
      expect(places(shared)).toEqual(places(locked));
      expect(archiveFindings(shared).length).toBeGreaterThan(0);
      // The counts and triage rows, worked out from the snapshot, are those of a locked pass and of a recount.
      expect(summaryCounts(shared).stored).toEqual(summaryCounts(locked).stored);
      expect(triageState(shared).stored).toEqual(triageState(locked).stored);
      expectCountsMatchRecount(shared);
    } finally {
      shared.close();
      locked.close();
    }
  });

  it('shared: judges again under the write lock when another writer committed after its snapshot', () => {
    copyFileSync(join(dir, 'a.sqlite'), join(dir, 'g.sqlite'));
    const db = openDatabase(join(dir, 'g.sqlite'));
    const other = openDatabase(join(dir, 'g.sqlite'));
    try {
      clearArchiveFindings(db);
      // Verdicts the pass will change (the triggers count the change).
      db.prepare("UPDATE messages SET verdict = 'tampered'").run();
      // Between the snapshot and the write lock, another connection stores a finding of its own on
      // each message: counts planned from the snapshot would leave it under the old verdicts.
      const { phases, touched } = sharedPassWithWrite(
        db,
        other,
        'writing',
        "INSERT INTO findings (sha256, check_id, code, severity, detail, evidence) SELECT sha256, 'test', 'test/other', 'info', 'x', '{}' FROM messages",
      );
      expect(phases).toEqual(['places', 'placing', 'reading', 'writing', 'again']);
      expect(touched).toBeGreaterThan(0);
      expect(archiveFindings(db).length).toBeGreaterThan(0);
      expect(db.prepare("SELECT count(*) FROM messages WHERE verdict != 'tampered'").pluck().get()).toBeGreaterThan(0);
      expectCountsMatchRecount(db);
    } finally {
      other.close();
      db.close();
    }
  });

  it('shared: works the places out again under the write lock when another writer committed after their snapshot', () => {
    copyFileSync(join(dir, 'a.sqlite'), join(dir, 'h.sqlite'));
    const db = openDatabase(join(dir, 'h.sqlite'));
    const other = openDatabase(join(dir, 'h.sqlite'));
    try {
      db.prepare('UPDATE sources SET mailbox_key = NULL, role = NULL').run();
      db.prepare('DELETE FROM mailboxes').run();
      // Between the places' snapshot and the write lock, another connection stores a source of its own.
      const { phases } = sharedPassWithWrite(
        db,
        other,
        'placing',
        "INSERT INTO sources (sha256, run_id, path, length) SELECT sha256, run_id, '/elsewhere/Sent/9.eml', length FROM sources LIMIT 1",
      );
      expect(phases).toEqual(['places', 'placing', 'reading', 'writing']);
      expect(db.prepare('SELECT count(*) FROM sources WHERE mailbox_key IS NULL OR role IS NULL').pluck().get()).toBe(0);
      const late = db.prepare("SELECT mailbox_key FROM sources WHERE path = '/elsewhere/Sent/9.eml'").pluck().get() as string;
      expect(db.prepare('SELECT count(*) FROM mailboxes WHERE key = ?').pluck().get(late)).toBe(1);
    } finally {
      other.close();
      db.close();
    }
  });

  it('started ahead, opens the database only when told to run, and writes what a pass started then writes', async () => {
    const [ahead, now] = clearedCopies('ahead.sqlite', 'now.sqlite') as [Db, Db];
    try {
      const before = descriptorsOf(join(dir, 'ahead.sqlite'));
      const thread = ArchiveThread.start(ahead);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Loaded by now, and waiting: no connection of its own yet (threads share the process's descriptors).
      expect(descriptorsOf(join(dir, 'ahead.sqlite'))).toBe(before);
      const phases: string[] = [];
      const touched = await thread.run({ sharing: 'shared', onPhase: (p) => phases.push(p) });
      expect(phases).toEqual(['places', 'placing', 'reading', 'writing']);
      expect(touched).toBe(await ArchiveThread.start(now).run({ sharing: 'shared' }));
      expect(archiveFindings(ahead)).toEqual(archiveFindings(now));
      expect(archiveFindings(ahead).length).toBeGreaterThan(0);
      expect(places(ahead)).toEqual(places(now));
      await expect(thread.run()).rejects.toThrow(/has run its pass already/);
    } finally {
      ahead.close();
      now.close();
    }
  });

  it('cancelled before its pass, ends by itself without opening the database', async () => {
    const [db] = clearedCopies('cancelled.sqlite') as [Db];
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    try {
      const before = descriptorsOf(join(dir, 'cancelled.sqlite'));
      const thread = ArchiveThread.start(db);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await thread.cancel();
      expect(terminate).not.toHaveBeenCalled();
      expect(descriptorsOf(join(dir, 'cancelled.sqlite'))).toBe(before);
      await thread.cancel();
      await expect(thread.run()).rejects.toThrow(/has run its pass already/);
    } finally {
      terminate.mockRestore();
      db.close();
    }
  });

  it('rejects with a sentence when its database file is gone', async () => {
    copyFileSync(join(dir, 'a.sqlite'), join(dir, 'c.sqlite'));
    const db = openDatabase(join(dir, 'c.sqlite'));
    db.close();
    rmSync(join(dir, 'c.sqlite'));
    const run = ArchiveThread.start(db).run();
    await expect(run).rejects.toThrow(/^the archive pass failed: there is no database at /);
    await expect(run).rejects.toBeInstanceOf(DatabaseError);
  });

  it("raises the thread's SQLite and database errors as the one-sentence errors the command tells", () => {
    const full = passFailure({
      error: 'SqliteError: database or disk is full\n    at …',
      message: 'database or disk is full',
      code: 'SQLITE_FULL',
    });
    expect(full).toBeInstanceOf(DatabaseError);
    expect(full).toMatchObject({ code: 'db/full', message: 'the archive pass failed: the disk holding the database is full' });
    const gone = passFailure({ error: 'DatabaseError: …\n    at …', message: 'x.sqlite does not exist', code: 'db/not-found' });
    expect(gone).toMatchObject({ code: 'db/not-found', message: 'the archive pass failed: x.sqlite does not exist' });
    expect(gone).toBeInstanceOf(DatabaseError);
    // An error without a code (a programming error) keeps its stack for the report.
    const bug = passFailure({ error: 'TypeError: x is undefined\n    at pass' });
    expect(bug).not.toBeInstanceOf(DatabaseError);
    expect(bug.message).toBe('the archive pass failed: TypeError: x is undefined\n    at pass');
  });
});

/** A shared pass over `db` during which `other` runs `sql` as the pass enters `phase`: the phases heard, and what it touched. */
function sharedPassWithWrite(db: Db, other: Db, phase: string, sql: string): { phases: string[]; touched: number } {
  const phases: string[] = [];
  const touched = runArchiveChecks(db, {
    sharing: 'shared',
    onPhase: (p) => {
      phases.push(p);
      if (p === phase) other.prepare(sql).run();
    },
  });
  return { phases, touched };
}

/** Removes the archive findings the import wrote, so both passes start from the same state. */
function clearArchiveFindings(db: Db): void {
  db.prepare("DELETE FROM findings WHERE check_id LIKE 'archive-%'").run();
}
