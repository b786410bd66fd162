// While an import writes, the summary counts are added per batch and the full-text index is built
// in bulk (migration 007): at the end both equal what the per-row triggers would have made, and an
// insert outside an import is counted and indexed at once, as before.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/store/database.ts';
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
import { triageState } from '../helpers/summary-state.ts';
import { KeyIndex } from '../../src/verify/key-index.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function recount(db: Db): string[] {
  return (
    db
      .prepare(
        `SELECT 'all' AS d, '' AS k, verdict AS v, count(*) AS n FROM messages GROUP BY verdict
         UNION ALL SELECT 'all', '', '', count(*) FROM messages
         UNION ALL SELECT 'domain', ifnull(from_domain, ''), verdict, count(*) FROM messages GROUP BY 2, 3
         UNION ALL SELECT 'domain', ifnull(from_domain, ''), '', count(*) FROM messages GROUP BY 2
         UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), verdict, count(*) FROM messages GROUP BY 2, 3
         UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', count(*) FROM messages GROUP BY 2
         UNION ALL SELECT 'mailbox', coalesce(s.mailbox, s.folder, ''), m.verdict, count(*) FROM sources s JOIN messages m USING (sha256) GROUP BY 2, 3
         UNION ALL SELECT 'mailbox', coalesce(mailbox, folder, ''), '', count(*) FROM sources GROUP BY 2
         UNION ALL SELECT 'code', code, '', count(*) FROM findings GROUP BY 2
         UNION ALL SELECT 'code', f.code, m.verdict, count(*) FROM findings f JOIN messages m USING (sha256) GROUP BY 2, 3
         UNION ALL SELECT 'signed', CASE WHEN signature_count > 0 THEN 'yes' ELSE 'no' END, verdict, count(*) FROM messages GROUP BY 2, 3
         UNION ALL SELECT 'signed', CASE WHEN signature_count > 0 THEN 'yes' ELSE 'no' END, '', count(*) FROM messages GROUP BY 2
         UNION ALL SELECT 'key', key_name || '/' || ifnull(key_source, ''), result, count(*) FROM signatures GROUP BY 2, 3`,
      )
      .all() as { d: string; k: string; v: string; n: number }[]
  )
    .map((r) => `${r.d}|${r.k}|${r.v}|${r.n}`)
    .sort();
}

function stored(db: Db): string[] {
  const rows = db
    .prepare(
      `SELECT dimension AS d, key AS k, verdict AS v, n FROM overview_counts WHERE n != 0
       UNION ALL SELECT 'key', key_name || '/' || key_source, result, n FROM signature_key_counts WHERE n != 0`,
    )
    .all() as { d: string; k: string; v: string; n: number }[];
  return rows.map((r) => `${r.d}|${r.k}|${r.v}|${r.n}`).sort();
}

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
      expect(stored(db)).toEqual(recount(db));
      const triage = triageState(db);
      expect(triage.stored).toEqual(triage.counted);
      expect(countUnindexedMessages(db)).toBe(0);
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
      countBatch(db, mark);
    })();
    expect(find('zanzibar')).toBe(0);
    expect(countUnindexedMessages(db)).toBe(1);
    expect(stored(db)).toEqual(recount(db));
    expect(catchUpSearchIndex(db, 10)).toBe(1);
    expect(find('zanzibar')).toBe(1);
    resumeSearchIndex(db);

    // Anyone else's insert, with the import over: counted and indexed by the triggers.
    insertMessage(db, run, await fresh('quokka'));
    expect(find('quokka')).toBe(1);
    expect(countUnindexedMessages(db)).toBe(0);
    expect(stored(db)).toEqual(recount(db));
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
