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

describe('the signatures of a message, as the archive pass reads them', () => {
  it('are read page by page in their own order, and the same when some are not in that order', async () => {
    const db = openDatabase(tempDbFile());
    try {
      await importPaths(db, [join(ROOT, 'test-corpus/generated')], { workers: 0 });
      const signed = db.prepare('SELECT sha256 FROM messages WHERE signature_count > 0 ORDER BY rowid').pluck().all() as string[];
      expect(signed.length).toBeGreaterThan(5);
      const before = records(db);
      // In pages of three, each page's signatures are the next rows of the table, or looked up.
      const paged = (): unknown[] => [...iterateArchiveRecords(db, { grams: true, pageSize: 3 })].flat();
      expect(paged()).toEqual(before);
      expect((before as { signatures: unknown[] }[]).filter((r) => r.signatures.length > 0)).toHaveLength(signed.length);

      // The first signed message's signatures written again after all the others, one of another
      // message's moved there too: both are then out of the table's order.
      const move = (where: string, ...params: unknown[]) => {
        const rows = db.prepare(`SELECT * FROM signatures WHERE ${where}`).all(...params) as Record<string, unknown>[];
        db.prepare(`DELETE FROM signatures WHERE ${where}`).run(...params);
        for (const r of rows) {
          const cols = Object.keys(r);
          db.prepare(`INSERT INTO signatures (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...Object.values(r));
        }
      };
      move('sha256 = ?', signed[0]);
      move('sha256 = ? AND idx = (SELECT max(idx) FROM signatures WHERE sha256 = ?)', signed[2], signed[2]);
      expect(records(db)).toEqual(before);
      expect(paged()).toEqual(before);
    } finally {
      db.close();
    }
  });
});
