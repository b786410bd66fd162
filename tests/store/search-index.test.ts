// While an import writes, the summary counts are added per batch and the full-text index is built
// in bulk (migration 007): at the end both equal what the per-row triggers would have made, and an
// insert outside an import is counted and indexed at once, as before.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadMigrations, openDatabase } from '../../src/store/database.ts';
import type { Db } from '../../src/store/database.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import {
  catchUpSearchIndex,
  countBatch,
  countUnindexedMessages,
  deferSearchIndex,
  markBatch,
  resumeSearchIndex,
} from '../../src/store/search-index.ts';
import { insertMessage } from '../../src/store/messages-repo.ts';
import { startRun } from '../../src/store/runs-repo.ts';
import { analyseMessage } from '../../src/pipeline/analyse-message.ts';
import { summaryCounts, triageState } from '../helpers/summary-state.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const ROOT = resolve(import.meta.dirname, '../..');

const indexed = (db: Db) => db.prepare("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'a OR the OR de'").pluck().get();
const searchable = (db: Db) =>
  db
    .prepare("SELECT count(*) FROM messages m WHERE m.rowid IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'a OR the OR de')")
    .pluck()
    .get();

describe('counts and search index kept apart from the import', () => {
  it('equal what the per-row triggers make, after an import with workers and one without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-index-'));
    for (const workers of [0, 2]) {
      const db = openDatabase(join(dir, `${workers}.sqlite`));
      await importPaths(db, [join(ROOT, 'test-corpus/demo'), join(ROOT, 'test-corpus/generated')], { workers });
      expect(summaryCounts(db).stored).toEqual(summaryCounts(db).counted);
      const triage = triageState(db);
      expect(triage.stored).toEqual(triage.counted);
      expect(countUnindexedMessages(db)).toBe(0);
      // Indexed beside the archive pass and after it; the triggers index at once again.
      expect(db.prepare('SELECT deferred FROM index_state WHERE id = 1').pluck().get()).toBe(0);
      expect(db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()).toBeDefined();
      expect(indexed(db)).toBe(searchable(db));
      expect(indexed(db)).toBeGreaterThan(20);
      db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes in slices what an import deferred, and at once again afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-index-'));
    const db = openDatabase(join(dir, 'db.sqlite'));
    await importPaths(db, [join(ROOT, 'test-corpus/generated')], { workers: 0 });
    const keys = new KeyIndex([]);
    const fresh = async (subject: string) =>
      analyseMessage(Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\n\r\nbody\r\n`), { keys, now: 1.7e9 });
    const run = startRun(db, [], {}, 'test');
    const find = (word: string) => db.prepare('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(word);

    // As an import does: triggers aside, counts per batch, index later.
    deferSearchIndex(db);
    const deferred = await fresh('zanzibar');
    db.transaction(() => {
      const mark = markBatch(db);
      insertMessage(db, run, deferred);
      countBatch(db, mark, []);
    })();
    expect(find('zanzibar')).toBe(0);
    expect(countUnindexedMessages(db)).toBe(1);
    expect(summaryCounts(db).stored).toEqual(summaryCounts(db).counted);
    expect(catchUpSearchIndex(db, 10)).toBe(1);
    expect(find('zanzibar')).toBe(1);
    resumeSearchIndex(db);

    // Anyone else's insert, with the import over: counted and indexed by the triggers.
    insertMessage(db, run, await fresh('quokka'));
    expect(find('quokka')).toBe(1);
    expect(countUnindexedMessages(db)).toBe(0);
    expect(summaryCounts(db).stored).toEqual(summaryCounts(db).counted);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("merges the index's segments sixteen at a time, in a new database and in one made before migration 014", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-index-'));
    const automerge = (db: Db) => db.prepare("SELECT v FROM messages_fts_config WHERE k = 'automerge'").pluck().get();
    const fresh = openDatabase(join(dir, 'new.sqlite'));
    expect(automerge(fresh)).toBe(16);
    fresh.close();
    const before = loadMigrations().filter((m) => m.version < 14);
    const old = openDatabase(join(dir, 'old.sqlite'), { migrations: before });
    expect(automerge(old)).toBeUndefined();
    old.close();
    const upgraded = openDatabase(join(dir, 'old.sqlite'));
    expect(automerge(upgraded)).toBe(16);
    upgraded.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gathers 16 MiB of new entries before it writes a segment, in a new database and in one made before migration 016', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-index-'));
    const hashsize = (db: Db) => db.prepare("SELECT v FROM messages_fts_config WHERE k = 'hashsize'").pluck().get();
    const fresh = openDatabase(join(dir, 'new.sqlite'));
    expect(hashsize(fresh)).toBe(16 * 1024 * 1024);
    fresh.close();
    const old = openDatabase(join(dir, 'old.sqlite'), { migrations: loadMigrations().filter((m) => m.version < 16) });
    expect(hashsize(old)).toBeUndefined();
    old.close();
    const upgraded = openDatabase(join(dir, 'old.sqlite'));
    expect(hashsize(upgraded)).toBe(16 * 1024 * 1024);
    upgraded.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
