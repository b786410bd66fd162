// Migration 002: the full-text index and the summary counts stay equal to the messages, whatever
// the store does (insert, verdict change, delete), and are backfilled on an older database.
import { describe, expect, it } from 'vitest';
import { loadMigrations, openDatabase, type Db } from '../../src/store/database.ts';
import { updateVerdict } from '../../src/store/messages-repo.ts';
import { seedReviewDb } from './corpus.ts';
import { insertFixture, openFixtureDb, tempDbFile } from './fixtures.ts';

/** The summary as it should be, counted the slow way. */
function expectedCounts(db: Db): string[] {
  const rows = db
    .prepare(
      `SELECT 'all' AS d, '' AS k, verdict AS v, count(*) AS n FROM messages GROUP BY verdict
       UNION ALL SELECT 'all', '', '', count(*) FROM messages
       UNION ALL SELECT 'domain', ifnull(from_domain, ''), verdict, count(*) FROM messages GROUP BY 2, 3
       UNION ALL SELECT 'domain', ifnull(from_domain, ''), '', count(*) FROM messages GROUP BY 2
       UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), verdict, count(*) FROM messages GROUP BY 2, 3
       UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', count(*) FROM messages GROUP BY 2
       UNION ALL SELECT 'mailbox', coalesce(s.mailbox, s.folder, ''), m.verdict, count(*) FROM sources s JOIN messages m USING (sha256) GROUP BY 2, 3
       UNION ALL SELECT 'mailbox', coalesce(mailbox, folder, ''), '', count(*) FROM sources GROUP BY 2
       UNION ALL SELECT 'code', code, '', count(*) FROM findings GROUP BY 2`,
    )
    .all() as { d: string; k: string; v: string; n: number }[];
  return rows.map((r) => `${r.d}|${r.k}|${r.v}|${r.n}`).sort();
}

function storedCounts(db: Db): string[] {
  const rows = db.prepare('SELECT dimension AS d, key AS k, verdict AS v, n FROM overview_counts WHERE n != 0').all() as {
    d: string;
    k: string;
    v: string;
    n: number;
  }[];
  return rows.map((r) => `${r.d}|${r.k}|${r.v}|${r.n}`).sort();
}

function keyCounts(db: Db): unknown {
  return {
    stored: db.prepare('SELECT key_name, key_source, result, n FROM signature_key_counts WHERE n != 0 ORDER BY 1, 2, 3').all(),
    counted: db
      .prepare(
        "SELECT key_name, ifnull(key_source, '') AS key_source, result, count(*) AS n FROM signatures GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
      )
      .all(),
  };
}

function search(db: Db, q: string): string[] {
  return (
    db.prepare('SELECT m.sha256 FROM messages_fts f JOIN messages m ON m.rowid = f.rowid WHERE messages_fts MATCH ? ORDER BY 1').all(q) as {
      sha256: string;
    }[]
  ).map((r) => r.sha256);
}

describe('migration 002', () => {
  it('keeps the summary counts equal to the tables through inserts, verdict changes and deletes', () => {
    const { db } = openFixtureDb();
    const ids = seedReviewDb(db);
    expect(storedCounts(db)).toEqual(expectedCounts(db));
    updateVerdict(db, ids.copyA, { verdict: 'tampered', summary: 'changed', reasons: [] });
    db.prepare('UPDATE messages SET from_domain = ?, date_epoch = NULL WHERE sha256 = ?').run('moved.example', ids.verified);
    expect(storedCounts(db)).toEqual(expectedCounts(db));
    db.transaction(() => {
      for (const t of ['findings', 'signatures', 'attachments', 'sources', 'reviews'])
        db.prepare(`DELETE FROM ${t} WHERE sha256 = ?`).run(ids.tampered);
      db.prepare('DELETE FROM messages WHERE sha256 = ?').run(ids.tampered);
    })();
    expect(storedCounts(db)).toEqual(expectedCounts(db));
    const k = keyCounts(db) as { stored: unknown; counted: unknown };
    expect(k.stored).toEqual(k.counted);
    db.close();
  });

  it('never fails an insert on a date no calendar has', () => {
    const { db } = openFixtureDb();
    const run = db
      .prepare("INSERT INTO import_runs (started_at, status, inputs, options, tool_version) VALUES ('now', 'running', '[]', '{}', 't')")
      .run().lastInsertRowid as number;
    const sha = insertFixture(db, run, { subject: 'far future', date: 'Mon, 01 Jan 2024 00:00:00 +0000' });
    db.prepare('UPDATE messages SET date_epoch = ? WHERE sha256 = ?').run(8e15, sha);
    expect(storedCounts(db)).toEqual(expectedCounts(db));
    db.close();
  });

  it('keeps the full-text index in step with subject, addresses and body', () => {
    const { db } = openFixtureDb();
    const ids = seedReviewDb(db);
    expect(search(db, 'wire')).toEqual([ids.tampered]);
    expect(search(db, '"ceo@campaign.example"')).toEqual([ids.tampered]);
    expect(search(db, 'mallory')).toEqual([ids.tampered]);
    expect(search(db, 'to_addresses : bob')).toHaveLength(ids.all.length);
    db.prepare("UPDATE messages SET subject = 'renamed zebra' WHERE sha256 = ?").run(ids.tampered);
    expect(search(db, 'zebra')).toEqual([ids.tampered]);
    expect(search(db, 'subject : wire')).toEqual([]);
    db.transaction(() => {
      for (const t of ['findings', 'signatures', 'sources']) db.prepare(`DELETE FROM ${t} WHERE sha256 = ?`).run(ids.tampered);
      db.prepare('DELETE FROM messages WHERE sha256 = ?').run(ids.tampered);
    })();
    expect(search(db, 'zebra')).toEqual([]);
    expect(db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run().changes).toBeGreaterThanOrEqual(
      0,
    );
    db.close();
  });

  it('backfills counts and the index on a database imported before it existed', () => {
    const file = tempDbFile();
    // Every migration but 002, so today's insert code (which later migrations' columns serve) can seed it.
    const before = openDatabase(file, { migrations: loadMigrations().filter((m) => m.version !== 2) });
    const all = ['messages_fts_insert', 'overview_messages_insert'].map(
      (t) => before.prepare('SELECT count(*) AS n FROM sqlite_master WHERE name = ?').get(t) as { n: number },
    );
    expect(all.every((r) => r.n === 0)).toBe(true);
    const ids = seedReviewDb(before);
    before.close();
    const db = openDatabase(file);
    expect(storedCounts(db)).toEqual(expectedCounts(db));
    const k = keyCounts(db) as { stored: unknown; counted: unknown };
    expect(k.stored).toEqual(k.counted);
    expect(search(db, 'budget')).toEqual([ids.verified]);
    db.close();
  });
});
