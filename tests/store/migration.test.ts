// Migration 002: the full-text index and the summary counts stay equal to the messages, whatever
// the store does (insert, verdict change, delete), and are backfilled on an older database.
// Migration 010 keeps the archive facts when it moves them to a rowid table.
import { summaryCounts, triageState } from '../helpers/summary-state.ts';
import { describe, expect, it } from 'vitest';
import { loadMigrations, openDatabase, type Db, type Migration } from '../../src/store/database.ts';
import { copyIntoOlderSchema, seedOlderSchema } from '../helpers/older-schema.ts';
import { updateVerdict } from '../../src/store/messages-repo.ts';
import { seedReviewDb } from '../helpers/review-corpus.ts';
import { insertFixture, openFixtureDb, tempDbFile } from '../helpers/fixture-db.ts';
import { importPaths } from '../../src/pipeline/run-import.ts';
import { iterateArchiveRecords } from '../../src/store/archive-repo.ts';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** The summary counts, signature_key_counts included, equal a recount of the tables. */
function expectCountsEqual(db: Db): void {
  const { stored, counted } = summaryCounts(db);
  expect(stored).toEqual(counted);
}

function search(db: Db, q: string): string[] {
  return (
    db.prepare('SELECT m.sha256 FROM messages_fts f JOIN messages m ON m.rowid = f.rowid WHERE messages_fts MATCH ? ORDER BY 1').all(q) as {
      sha256: string;
    }[]
  ).map((r) => r.sha256);
}

/**
 * FTS5's own check of an external-content index against its table (rank 1: compare the content);
 * it answers by failing, so the failure is the result. Null when the index is intact.
 */
function ftsProblem(db: Db): string | null {
  try {
    db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('migration 002', () => {
  it('keeps the summary counts equal to the tables through inserts, verdict changes and deletes', () => {
    const { db } = openFixtureDb();
    const ids = seedReviewDb(db);
    expectCountsEqual(db);
    updateVerdict(db, ids.copyA, { verdict: 'tampered', summary: 'changed', reasons: [] });
    db.prepare('UPDATE messages SET from_domain = ?, date_epoch = NULL WHERE sha256 = ?').run('moved.example', ids.verified);
    expectCountsEqual(db);
    db.transaction(() => {
      for (const t of ['findings', 'signatures', 'attachments', 'sources', 'reviews'])
        db.prepare(`DELETE FROM ${t} WHERE sha256 = ?`).run(ids.tampered);
      db.prepare('DELETE FROM messages WHERE sha256 = ?').run(ids.tampered);
    })();
    expectCountsEqual(db);
    db.close();
  });

  it('never fails an insert on a date no calendar has', () => {
    const { db } = openFixtureDb();
    const run = db
      .prepare("INSERT INTO import_runs (started_at, status, inputs, options, tool_version) VALUES ('now', 'running', '[]', '{}', 't')")
      .run().lastInsertRowid as number;
    const sha = insertFixture(db, run, { subject: 'far future', date: 'Mon, 01 Jan 2024 00:00:00 +0000' });
    db.prepare('UPDATE messages SET date_epoch = ? WHERE sha256 = ?').run(8e15, sha);
    expectCountsEqual(db);
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
    expect(ftsProblem(db)).toBeNull();
    db.close();
  });

  it('has an index check that notices an index out of step with the messages', () => {
    const { db } = openFixtureDb();
    const ids = seedReviewDb(db);
    expect(ftsProblem(db)).toBeNull();
    // What a missing trigger would do: the subject changes, the index keeps the old words.
    db.exec('DROP TRIGGER messages_fts_update');
    db.prepare("UPDATE messages SET subject = 'renamed zebra' WHERE sha256 = ?").run(ids.tampered);
    expect(ftsProblem(db)).toMatch(/malformed|corrupt/i);
    db.close();
  });

  it('backfills counts and the index on a database imported before it existed', () => {
    const file = tempDbFile();
    // Every migration before 011 but 002 and those that build on its triggers and summary tables (007,
    // 008), as on an archive imported before the review server existed.
    const keep = (m: Migration) => ![2, 7, 8].includes(m.version) && m.version < 11;
    const ids = seedOlderSchema(file, keep, seedReviewDb);
    const before = openDatabase(file, { migrations: loadMigrations().filter(keep) });
    const all = ['messages_fts_insert', 'overview_messages_insert'].map(
      (t) => before.prepare('SELECT count(*) AS n FROM sqlite_master WHERE name = ?').get(t) as { n: number },
    );
    expect(all.every((r) => r.n === 0)).toBe(true);
    before.close();
    const db = openDatabase(file);
    expectCountsEqual(db);
    expect(search(db, 'budget')).toEqual([ids.verified]);
    db.close();
  });
});

/** The triage keys and the findings per week, as stored and as counted the slow way. */

describe('migration 008', () => {
  it('keeps the triage keys and the findings per week through inserts, verdict and date changes, finding changes and deletes', () => {
    const { db } = openFixtureDb();
    const ids = seedReviewDb(db);
    let s = triageState(db);
    expect(s.stored).toEqual(s.counted);
    updateVerdict(db, ids.copyA, { verdict: 'tampered', summary: 'changed', reasons: [] });
    db.prepare('UPDATE messages SET date_epoch = NULL WHERE sha256 = ?').run(ids.suspicious);
    db.prepare('UPDATE messages SET date_epoch = ? WHERE sha256 = ?').run(1_600_000_000, ids.hostile);
    db.prepare('UPDATE messages SET signature_count = 0 WHERE sha256 = ?').run(ids.verified);
    db.prepare("DELETE FROM findings WHERE sha256 = ? AND code = 'archive/copy-differs'").run(ids.copyB);
    s = triageState(db);
    expect(s.stored).toEqual(s.counted);
    db.transaction(() => {
      for (const t of ['findings', 'signatures', 'attachments', 'sources', 'reviews'])
        db.prepare(`DELETE FROM ${t} WHERE sha256 = ?`).run(ids.tampered);
      db.prepare('DELETE FROM messages WHERE sha256 = ?').run(ids.tampered);
    })();
    s = triageState(db);
    expect(s.stored).toEqual(s.counted);
    db.close();
  });

  it('backfills both on a database imported before it existed', () => {
    const file = tempDbFile();
    // Every migration before 011 but 008, as on an archive imported before 008.
    seedOlderSchema(file, (m) => m.version !== 8 && m.version < 11, seedReviewDb);
    const db = openDatabase(file);
    const s = triageState(db);
    expect((s.stored as { triage: unknown[] }).triage).toHaveLength(9);
    expect(s.stored).toEqual(s.counted);
    db.close();
  });
});

/** Options that open a database with the migrations before `version` only. */
function migrationsBefore(version: number): { migrations: Migration[] } {
  return { migrations: loadMigrations().filter((m) => m.version < version) };
}

/**
 * The generated corpus as an import before migration `version` left it: today's import writes today's
 * schema, so the messages are imported into a current database, then copied into a file that stops
 * before that migration. Returns the file and the older database opened on it.
 */
async function importedBefore(version: number): Promise<{ file: string; before: Db }> {
  const file = tempDbFile();
  const source = tempDbFile();
  const imported = openDatabase(source);
  await importPaths(imported, [join(ROOT, 'test-corpus/generated')], { workers: 0 });
  imported.close();
  copyIntoOlderSchema(source, file, (m) => m.version < version);
  return { file, before: openDatabase(file, migrationsBefore(version)) };
}

describe('migration 010', () => {
  it('keeps every message’s facts when message_facts becomes a rowid table', async () => {
    const { file, before } = await importedBefore(10);
    const facts = (db: Db) => db.prepare('SELECT * FROM message_facts ORDER BY sha256').all();
    const old = facts(before);
    expect(old.length).toBeGreaterThan(20);
    before.close();
    // Up to migration 017: migration 018 moves the grams out of message_facts.
    const db = openDatabase(file, migrationsBefore(18));
    expect(facts(db)).toEqual(old);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(() => db.prepare('INSERT INTO message_facts SELECT * FROM message_facts LIMIT 1').run()).toThrow(/UNIQUE/);
    db.close();
  });
});

describe('migration 011', () => {
  it('keeps every row of the tables it makes rowid tables, their keys unique and their triggers', () => {
    const file = tempDbFile();
    seedOlderSchema(file, (m) => m.version < 11, seedReviewDb);
    const before = openDatabase(file, migrationsBefore(11));
    const tables: Record<string, string> = {
      signatures: 'sha256, idx',
      attachments: 'sha256, idx',
      attachment_documents: 'sha256, idx',
      triage: 'sha256',
      message_facts: 'sha256',
      message_refs: 'ref, sha256',
      run_manifest_entries: 'run_id, sha256',
    };
    const rows = (db: Db) => Object.entries(tables).map(([t, key]) => db.prepare(`SELECT * FROM ${t} ORDER BY ${key}`).all());
    const old = rows(before);
    expect(old[0]!.length).toBeGreaterThan(0);
    expect(old[3]!.length).toBeGreaterThan(0);
    before.close();
    // Up to migration 019: migration 020 adds a column to signatures.
    const db = openDatabase(file, migrationsBefore(20));
    expect(rows(db)).toEqual(old);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expectCountsEqual(db);
    const s = triageState(db);
    expect(s.stored).toEqual(s.counted);
    expect(() => db.prepare('INSERT INTO signatures SELECT * FROM signatures LIMIT 1').run()).toThrow(/UNIQUE/);
    expect(() => db.prepare('INSERT INTO triage (sha256, tier, date_key) SELECT sha256, 0, 0 FROM triage LIMIT 1').run()).toThrow(/UNIQUE/);
    db.close();
  });
});

describe('migration 012', () => {
  const WIDE = 'SELECT sha256, subject, verdict, parsed, body_text, body_html, raw FROM';

  it('moves every message’s bytes, structure and bodies to message_content, byte for byte, and rebuilds the full-text index over them', () => {
    const file = tempDbFile();
    const keep = (m: Migration) => m.version < 12;
    const ids = seedOlderSchema(file, keep, seedReviewDb);
    const before = openDatabase(file, { migrations: loadMigrations().filter(keep) });
    const old = before.prepare(`${WIDE} messages ORDER BY sha256`).all() as { sha256: string; body_text: string | null }[];
    expect(old).toHaveLength(ids.all.length);
    const word = /[a-z]{6,}/i.exec(old.find((r) => r.sha256 === ids.tampered)!.body_text ?? '')![0];
    const found = search(before, `body_text : ${word}`);
    expect(found).toContain(ids.tampered);
    before.close();

    const db = openDatabase(file);
    expect(db.prepare(`${WIDE} full_messages ORDER BY sha256`).all()).toEqual(old);
    const narrow = (db.prepare("SELECT name FROM pragma_table_info('messages')").all() as { name: string }[]).map((c) => c.name);
    for (const moved of ['parsed', 'body_text', 'body_html', 'raw']) expect(narrow).not.toContain(moved);
    expect(search(db, `body_text : ${word}`)).toEqual(found);
    expect(search(db, 'budget')).toEqual([ids.verified]);
    expect(ftsProblem(db)).toBeNull();
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expectCountsEqual(db);
    db.close();
  });

  it('indexes a new message when its content is written, follows a subject or body change, and forgets a deleted message with its content', () => {
    const { db } = openFixtureDb();
    const ids = seedReviewDb(db);
    const run = db.prepare('SELECT max(id) FROM import_runs').pluck().get() as number;
    const sha = insertFixture(db, run, { subject: 'platypus report', text: 'The wombat figures are attached.' });
    expect(search(db, 'body_text : wombat')).toEqual([sha]);
    expect(search(db, 'platypus')).toEqual([sha]);
    db.prepare("UPDATE messages SET subject = 'echidna report' WHERE sha256 = ?").run(sha);
    expect(search(db, 'platypus')).toEqual([]);
    expect(search(db, 'echidna wombat')).toEqual([sha]);
    expect(ftsProblem(db)).toBeNull();
    db.prepare("UPDATE message_content SET body_text = 'The numbat figures are attached.' WHERE sha256 = ?").run(sha);
    expect(search(db, 'body_text : wombat')).toEqual([]);
    expect(search(db, 'echidna numbat')).toEqual([sha]);
    expect(ftsProblem(db)).toBeNull();
    db.transaction(() => {
      for (const t of ['findings', 'signatures', 'attachments', 'sources']) db.prepare(`DELETE FROM ${t} WHERE sha256 = ?`).run(sha);
      db.prepare('DELETE FROM messages WHERE sha256 = ?').run(sha);
    })();
    expect(db.prepare('SELECT count(*) FROM message_content WHERE sha256 = ?').pluck().get(sha)).toBe(0);
    expect(search(db, 'wombat')).toEqual([]);
    expect(ftsProblem(db)).toBeNull();
    expect(search(db, 'budget')).toEqual([ids.verified]);
    db.close();
  });
});

describe('migration 015', () => {
  it('makes the hash key of messages an index of its own: each message under its rowid, every row that names one kept, indexes and triggers as before', () => {
    const file = tempDbFile();
    const keep = (m: Migration) => m.version < 15;
    const ids = seedOlderSchema(file, keep, seedReviewDb);
    const before = openDatabase(file, { migrations: loadMigrations().filter(keep) });
    // A gap in the rowids: message_content follows them, so they must not be numbered again.
    before.transaction(() => {
      for (const t of ['findings', 'signatures', 'attachments', 'sources', 'reviews'])
        before.prepare(`DELETE FROM ${t} WHERE sha256 = ?`).run(ids.copyA);
      before.prepare('DELETE FROM messages WHERE sha256 = ?').run(ids.copyA);
    })();
    const referring = before
      .prepare(
        `SELECT DISTINCT t.name FROM sqlite_master t, pragma_foreign_key_list(t.name) f WHERE t.type = 'table' AND f."table" = 'messages'`,
      )
      .pluck()
      .all() as string[];
    expect(referring.length).toBeGreaterThan(8);
    const rows = (db: Db) => ({
      messages: db.prepare('SELECT rowid, * FROM messages ORDER BY rowid').all(),
      full: db.prepare('SELECT * FROM full_messages ORDER BY id').all(),
      referring: referring.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()),
    });
    const old = rows(before);
    expect(old.messages.length).toBe(ids.all.length - 1);
    // Content, sources, findings, signatures, attachments at least.
    expect(old.full.length).toBe(old.messages.length);
    expect(old.referring.filter((r) => r.length > 0).length).toBeGreaterThanOrEqual(5);
    before.close();

    // Up to migration 017: migration 018 moves columns of message_facts, one of the tables compared.
    const db = openDatabase(file, migrationsBefore(18));
    expect(rows(db)).toEqual(old);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    const fresh = openDatabase(tempDbFile('fresh.sqlite'), migrationsBefore(18));
    const schema = (d: Db) => d.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
    expect(schema(db)).toEqual(schema(fresh));
    fresh.close();
    expect(() => db.prepare('INSERT INTO messages SELECT * FROM messages LIMIT 1').run()).toThrow(/UNIQUE/);
    // The triggers on messages came back with it.
    expectCountsEqual(db);
    updateVerdict(db, ids.verified, { verdict: 'tampered', summary: 'changed', reasons: [] });
    expectCountsEqual(db);
    const t = triageState(db);
    expect(t.stored).toEqual(t.counted);
    expect(search(db, 'budget')).toEqual([ids.verified]);
    expect(ftsProblem(db)).toBeNull();
    db.close();
  });
});

describe('migration 018', () => {
  it('moves every message’s word grams out of message_facts to message_grams, under the message’s rowid, value for value', async () => {
    const { file, before } = await importedBefore(18);
    const old = before
      .prepare(
        'SELECT m.rowid AS id, f.sha256, f.version, f.placement, f.facts, f.quote_grams, f.text_grams FROM message_facts f JOIN messages m ON m.sha256 = f.sha256 ORDER BY f.sha256',
      )
      .all() as { id: number; sha256: string; text_grams: string; quote_grams: string }[];
    expect(old.length).toBeGreaterThan(20);
    expect(old.filter((r) => r.text_grams !== '').length).toBeGreaterThan(10);
    before.close();

    const db = openDatabase(file);
    const columns = (db.prepare("SELECT name FROM pragma_table_info('message_facts')").pluck().all() as string[]).sort();
    expect(columns).toEqual(['facts', 'placement', 'sha256', 'version']);
    expect(
      db
        .prepare(
          `SELECT g.id, f.sha256, f.version, f.placement, f.facts, g.quote_grams, g.text_grams
           FROM message_facts f JOIN message_grams g ON g.sha256 = f.sha256 ORDER BY f.sha256`,
        )
        .all(),
    ).toEqual(old);
    expect(db.prepare('SELECT count(*) FROM message_grams').pluck().get()).toBe(old.length);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    // The archive records read them back with their messages.
    const records = [...iterateArchiveRecords(db, { grams: true })].flat();
    expect(new Map(records.map((r) => [r.sha256, [r.facts.textGrams, r.facts.quoteGrams]]))).toEqual(
      new Map(old.map((r) => [r.sha256, [r.text_grams, r.quote_grams]])),
    );
    db.close();
  });
});
