// The archive pass reads each message's facts by the rowid the facts take from their message
// (facts-repo.ts insertFacts), checked by hash; a database whose facts sit under other rowids
// (written before) gives the pass the same records, and facts written again there find a free rowid.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { iterateArchiveRecords } from '../../src/store/archive-repo.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { runArchiveChecks } from '../../src/pipeline/archive-pass.ts';
import { tempDbFile } from '../helpers/fixture-db.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function records(db: Db): unknown[] {
  return [...iterateArchiveRecords(db, { grams: true })].flat();
}

const misplaced = (db: Db): number =>
  db
    .prepare('SELECT count(*) FROM messages m JOIN message_facts f ON f.sha256 = m.sha256 WHERE f.rowid != m.rowid')
    .pluck()
    .get() as number;

describe('the facts of a message, as the archive pass reads them', () => {
  it('are stored under their message’s rowid, and read the same when they are not', async () => {
    const db = openDatabase(tempDbFile());
    try {
      await importPaths(db, [join(ROOT, 'test-corpus/generated')], { workers: 0 });
      const n = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
      expect(n).toBeGreaterThan(10);
      expect(db.prepare('SELECT count(*) FROM message_facts').pluck().get()).toBe(n);
      expect(misplaced(db)).toBe(0);
      const before = records(db);
      expect(before).toHaveLength(n);

      // Each message's rowid now holds the next message's facts, as in a database written before.
      const top = db.prepare('SELECT max(rowid) FROM message_facts').pluck().get() as number;
      db.prepare('UPDATE message_facts SET rowid = rowid + ?').run(top);
      db.prepare('UPDATE message_facts SET rowid = (rowid - ?) % ? + 1').run(top, top);
      expect(misplaced(db)).toBe(n);
      expect(records(db)).toEqual(before);

      // Facts written again for a message whose rowid another message's facts hold take a free one.
      const first = db.prepare('SELECT sha256 FROM messages ORDER BY rowid LIMIT 1').pluck().get() as string;
      db.prepare('DELETE FROM message_facts WHERE sha256 = ?').run(first);
      runArchiveChecks(db);
      expect(db.prepare('SELECT count(*) FROM message_facts WHERE sha256 = ?').pluck().get(first)).toBe(1);
      expect(records(db)).toEqual(before);
    } finally {
      db.close();
    }
  });
});
