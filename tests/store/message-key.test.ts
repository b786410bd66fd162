// The hash key of messages (migration 015, src/store/message-key.ts): an import into an empty
// database drops it and keeps hashes unique itself, every other writer finds it there or builds it
// first, and a killed import's is built again by the next open.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { KnownMessages, messageKeyPresent, takeMessageKey } from '../../src/store/message-key.ts';
import { countDeferredIndexes } from '../../src/store/deferred-indexes.ts';
import { deferIndexes, resumeSearchIndex } from '../../src/store/search-index.ts';
import { finishRun, startRun } from '../../src/store/runs-repo.ts';
import { insertReview } from '../../src/store/review-repo.ts';
import { RunRecord } from '../../src/pipeline/run-record.ts';
import { WriteBatch } from '../../src/pipeline/write-batch.ts';
import { encodeAnalysis } from '../../src/pipeline/worker-protocol.ts';
import type { AnalysedMessage, SourceRef } from '../../src/model.ts';
import { analyse, insertFixture, tempDbFile } from '../helpers/fixture-db.ts';
import { summaryCounts, triageState } from '../helpers/summary-state.ts';

/** Hands an analysis to the batch as the import does (its rows encoded as a worker encodes them). */
function addAnalysed(batch: WriteBatch, a: AnalysedMessage, at: SourceRef): void {
  batch.addMessage(encodeAnalysis(a, a.bytes.length), a.bytes, at);
}

const hex = (n: number) => createHash('sha256').update(`message ${n}`).digest('hex');
const source = (path: string): SourceRef => ({
  path,
  container: null,
  mailbox: null,
  folder: path.split('/')[0]!,
  offset: null,
  length: 1,
});

/** What an import does at its start (run-import.ts); returns whether it runs without the key. */
function startImport(db: Db, run: RunRecord): { keyless: boolean; batch: WriteBatch } {
  const keyless = takeMessageKey(db);
  if (keyless) db.pragma('foreign_keys = OFF');
  deferIndexes(db);
  return { keyless, batch: new WriteBatch(db, run, () => {}, keyless, 3) };
}

/** An import into a new database, without the key, that has stored and committed one message. */
function importedOne(): { file: string; db: Db; run: RunRecord; batch: WriteBatch; message: AnalysedMessage } {
  const file = tempDbFile('key.sqlite');
  const db = openDatabase(file);
  const run = new RunRecord(db, ['dump'], {});
  const { batch } = startImport(db, run);
  const message = analyse({ subject: 'first' });
  addAnalysed(batch, message, source('inbox/1.eml'));
  batch.flush();
  return { file, db, run, batch, message };
}

/** ... and at its end, before its archive pass. */
function endImport(db: Db, run: RunRecord, batch: WriteBatch): void {
  batch.flush();
  resumeSearchIndex(db);
  db.pragma('foreign_keys = ON');
  run.finish('completed');
}

function expectWhole(db: Db): void {
  expect(messageKeyPresent(db)).toBe(true);
  expect(countDeferredIndexes(db)).toBe(0);
  const { stored, counted } = summaryCounts(db);
  expect(stored).toEqual(counted);
  const t = triageState(db);
  expect(t.stored).toEqual(t.counted);
  expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
}

describe('the hash key of messages', () => {
  it('is dropped by an import into an empty database, kept by one into a database that holds messages', () => {
    const db = openDatabase(tempDbFile('key.sqlite'));
    expect(messageKeyPresent(db)).toBe(true);
    expect(takeMessageKey(db)).toBe(true);
    expect(messageKeyPresent(db)).toBe(false);
    expect(countDeferredIndexes(db)).toBe(1);
    // A second import meanwhile builds it again before it writes anything.
    expect(takeMessageKey(db)).toBe(false);
    expect(messageKeyPresent(db)).toBe(true);
    expect(countDeferredIndexes(db)).toBe(0);
    insertFixture(db, startRun(db, [], {}, 'test'), { subject: 'one' });
    expect(takeMessageKey(db)).toBe(false);
    expect(messageKeyPresent(db)).toBe(true);
    db.close();
  });

  it('stores each message once without it, copies in one transaction or in another, and counts as the triggers would', () => {
    const db = openDatabase(tempDbFile('key.sqlite'));
    const run = new RunRecord(db, ['dump'], {});
    const { keyless, batch } = startImport(db, run);
    expect(keyless).toBe(true);
    const a = analyse({ subject: 'a', findings: [{ check: 'x', code: 'x/one', severity: 'strong', detail: 'One.', evidence: {} }] });
    const b = analyse({ subject: 'b', verdict: 'suspicious' });
    addAnalysed(batch, a, source('inbox/1.eml'));
    addAnalysed(batch, a, source('sent/1.eml'));
    addAnalysed(batch, b, source('inbox/2.eml'));
    batch.flush();
    addAnalysed(batch, b, source('archive/2.eml'));
    batch.addSource(a.sha256, source('archive/1.eml'));
    expect(batch.isStored(a.sha256)).toBe(true);
    expect(batch.isStored(hex(1))).toBe(false);
    addAnalysed(batch, analyse({ subject: 'c' }), source('inbox/3.eml'));
    endImport(db, run, batch);
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(3);
    expect(db.prepare('SELECT count(*) FROM sources').pluck().get()).toBe(6);
    expect(run.counts.messagesNew).toBe(3);
    expectWhole(db);
    // A source of a message nobody stored is a programming error: the transaction is rolled back.
    expect(() => batch.addSource(hex(1), source('archive/3.eml'))).toThrow(/not stored/);
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  it('is taken back once another import built it, and built by the import itself past its limit', () => {
    const { file, db, run, batch, message: first } = importedOne();
    // Another import starts: it finds the key away and builds it, over the message already stored.
    const other = openDatabase(file, { mode: 'update' });
    expect(takeMessageKey(other)).toBe(false);
    other.close();
    // This import sees the key at its next transaction and finds the first message through it.
    addAnalysed(batch, first, source('sent/1.eml'));
    batch.flush();
    expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(1);
    endImport(db, run, batch);
    expectWhole(db);
    db.close();

    // A limit of 3 messages without the key: the fourth transaction builds it.
    const db2 = openDatabase(tempDbFile('key.sqlite'));
    const run2 = new RunRecord(db2, ['dump'], {});
    const started = startImport(db2, run2);
    const messages = Array.from({ length: 5 }, (_, i) => analyse({ subject: `m${i}` }));
    messages.forEach((m, i) => {
      addAnalysed(started.batch, m, source(`inbox/${i}.eml`));
      started.batch.flush();
      expect(messageKeyPresent(db2)).toBe(i >= 3);
    });
    addAnalysed(started.batch, messages[1]!, source('sent/1.eml'));
    endImport(db2, run2, started.batch);
    expect(db2.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(5);
    expectWhole(db2);
    db2.close();
  });

  it('is built again by the next open after the import that dropped it was killed', () => {
    const { file, db, run } = importedOne();
    // While the import's process lives, another connection leaves the key to it.
    const reader = openDatabase(file, { mode: 'update' });
    expect(messageKeyPresent(reader)).toBe(false);
    reader.close();
    // Killed: its run says 'running' with a process that is gone (above Linux's largest pid).
    db.prepare('UPDATE import_runs SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, run.runId);
    db.close();
    const reopened = openDatabase(file, { mode: 'update' });
    expect(messageKeyPresent(reopened)).toBe(true);
    expect(countDeferredIndexes(reopened)).toBe(0);
    expect(() => reopened.prepare(`INSERT INTO messages SELECT * FROM messages`).run()).toThrow(/UNIQUE/);
    finishRun(reopened, run.runId, 'interrupted');
    reopened.close();
  });

  it('lets a review be saved while it is away, for a stored message only', () => {
    const { file, db, run, batch, message: a } = importedOne();
    const server = openDatabase(file, { mode: 'update' });
    const review = { decision: 'confirm' as const, verdict: null, note: 'seen', reviewer: 'desk' };
    expect(insertReview(server, { ...review, sha256: a.sha256 })?.verdict).toBe('unverifiable');
    expect(insertReview(server, { ...review, sha256: hex(2) })).toBeUndefined();
    expect(server.pragma('foreign_keys', { simple: true })).toBe(1);
    server.close();
    endImport(db, run, batch);
    expect(db.prepare(`SELECT count(*) FROM reviews`).pluck().get()).toBe(1);
    expectWhole(db);
    db.close();
  });
});

describe('KnownMessages', () => {
  it('finds every hash it was given, through its growth, and no other', () => {
    const db = openDatabase(tempDbFile('key.sqlite'));
    const run = startRun(db, [], {}, 'test');
    const ids = Array.from({ length: 300 }, (_, i) => insertFixture(db, run, { subject: `m${i}` }));
    const rowid = db.prepare('SELECT rowid FROM messages WHERE sha256 = ?').pluck();
    const known = new KnownMessages(db);
    // Past half its first 65,536 slots the table doubles and keeps every entry. The 40,000 entries
    // under rowids no row has (from 1,000,000) are never confirmed.
    for (let i = 0; i < 40_000; i++) known.add(hex(i), 1_000_000 + i);
    for (const id of ids) known.add(id, rowid.get(id) as number);
    expect(known.size).toBe(40_300);
    for (const id of ids) expect(known.find(id)).toBe(rowid.get(id));
    for (let i = 0; i < 1000; i++) expect(known.find(hex(i))).toBeUndefined();
    db.close();
  });

  it('tells apart two hashes that share their first 64 bits, and an entry whose row holds another message', () => {
    const db = openDatabase(tempDbFile('key.sqlite'));
    const run = startRun(db, [], {}, 'test');
    const a = insertFixture(db, run, { subject: 'a' });
    const b = insertFixture(db, run, { subject: 'b' });
    const rowOf = (s: string) => db.prepare('SELECT rowid FROM messages WHERE sha256 = ?').pluck().get(s) as number;
    const twin = a.slice(0, 16) + 'f'.repeat(48);
    const known = new KnownMessages(db);
    // `twin` first, under b's row (as after a rollback took its own row, and b took the rowid).
    known.add(twin, rowOf(b));
    known.add(a, rowOf(a));
    expect(known.find(a)).toBe(rowOf(a));
    expect(known.find(twin)).toBeUndefined();
    expect(known.find(b)).toBeUndefined();
    db.close();
  });
});
