// The queue's filters, orders and keyset paging, on both plans (driving set and index scan).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.ts';
import { explainQueue, queryQueue, queueNeighbours, toFtsQuery, type QueueFilter, type QueueSort } from '../../src/store/queue-repo.ts';
import { insertReview } from '../../src/store/review-repo.ts';
import { seedReviewDb, type SeededIds } from '../helpers/review-corpus.ts';
import { openFixtureDb } from '../helpers/fixture-db.ts';

let db: Db;
let ids: SeededIds;

beforeAll(() => {
  db = openFixtureDb().db;
  ids = seedReviewDb(db);
  insertReview(db, { sha256: ids.tampered, decision: 'override', verdict: 'suspicious', note: 'benign relay', reviewer: 'ana' });
});
afterAll(() => db.close());

/** Every id of a filtered queue, walking pages of `size` through the cursor. */
function walk(filter: QueueFilter, sort: QueueSort, size: number, setDriverMax?: number): string[] {
  const out: string[] = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const page = queryQueue(db, filter, sort, cursor, size, { setDriverMax });
    out.push(...page.rows.map((r) => r.sha256));
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('paging did not end');
}

function dateOf(sha: string): number | null {
  return (db.prepare('SELECT date_epoch AS d FROM messages WHERE sha256 = ?').get(sha) as { d: number | null }).d;
}

describe('keyset paging', () => {
  it('visits every message once in date order, undated first, in pages of any size', () => {
    const all = walk({}, 'date', 1000);
    expect(all).toHaveLength(ids.all.length);
    expect(all[0]).toBe(ids.undated);
    const dates = all.slice(1).map(dateOf) as number[];
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
    for (const size of [1, 2, 3, 4]) expect(walk({}, 'date', size)).toEqual(all);
  });

  it('walks newest first with undated last, the exact reverse', () => {
    const asc = walk({}, 'date', 100);
    for (const size of [1, 2, 5]) expect(walk({}, '-date', size)).toEqual([...asc].reverse());
  });

  it('walks in import order both ways', () => {
    expect(walk({}, 'imported', 2)).toEqual(ids.all);
    expect(walk({}, '-imported', 3)).toEqual([...ids.all].reverse());
  });

  it('gives the neighbours of a message in a filtered queue', () => {
    const list = walk({ verdict: ['verified', 'tampered'] }, 'date', 10);
    const i = list.indexOf(ids.tampered);
    expect(queueNeighbours(db, { verdict: ['verified', 'tampered'] }, 'date', ids.tampered)).toEqual({
      prev: list[i - 1] ?? null,
      next: list[i + 1] ?? null,
    });
    const first = list[0] as string;
    expect(queueNeighbours(db, { verdict: ['verified', 'tampered'] }, 'date', first).prev).toBeNull();
  });
});

describe('filters', () => {
  const cases: [string, QueueFilter, () => string[]][] = [
    ['machine verdict', { verdict: ['tampered'] }, () => [ids.tampered, ids.copyB]],
    ['two machine verdicts', { verdict: ['tampered', 'verified'] }, () => [ids.verified, ids.tampered, ids.copyA, ids.copyB]],
    ['final verdict (review wins)', { final: ['suspicious'] }, () => [ids.tampered, ids.suspicious, ids.hostile]],
    ['finding code', { code: 'dkim/body-hash-mismatch' }, () => [ids.tampered]],
    ['From domain', { domain: 'campaign.example' }, () => [ids.tampered]],
    ['mailbox', { mailbox: 'archive.mbox' }, () => [ids.verified, ids.tampered]],
    ['folder when there is no mailbox', { mailbox: 'dump/sent' }, () => [ids.copyB]],
    ['DKIM key', { key: 'rot2023._domainkey.campaign.example' }, () => [ids.tampered]],
    ['date range (days, inclusive)', { from: '2023-03-08', to: '2023-03-09' }, () => [ids.suspicious, ids.unverifiable]],
    ['date range (times)', { from: '2023-03-08T12:00:00Z', to: '2023-03-09 12:29' }, () => [ids.suspicious]],
    ['signed', { signed: 'yes' }, () => [ids.verified, ids.tampered, ids.copyA, ids.copyB]],
    ['reviewed', { reviewed: 'yes' }, () => [ids.tampered]],
    ['not reviewed and tampered', { reviewed: 'no', verdict: ['tampered'] }, () => [ids.copyB]],
    ['full text in the body', { q: 'wire' }, () => [ids.tampered]],
    ['full text on an address', { q: 'ceo@campaign.example' }, () => [ids.tampered]],
    ['full text, field and prefix', { q: 'subject:meet*' }, () => [ids.copyA, ids.copyB]],
    ['combined', { verdict: ['verified'], code: '', mailbox: 'archive.mbox', signed: 'yes' }, () => [ids.verified]],
  ];
  for (const [name, filter, expected] of cases) {
    it(`${name}: the same set on both plans, with a count when cheap`, () => {
      const want = [...expected()].sort();
      for (const setDriverMax of [0, 20_000]) {
        expect(walk(filter, 'date', 2, setDriverMax).sort()).toEqual(want);
        expect(walk(filter, '-imported', 3, setDriverMax).sort()).toEqual(want);
      }
      const total = queryQueue(db, filter, 'date', null, 50).total;
      if (total !== null) expect(total).toBe(want.length);
    });
  }

  it('counts unfiltered and per verdict from the summary table', () => {
    expect(queryQueue(db, {}, 'date', null, 1).total).toBe(ids.all.length);
    expect(queryQueue(db, { verdict: ['unverifiable'] }, 'date', null, 1).total).toBe(3);
  });

  it('returns the latest review on each row', () => {
    const row = queryQueue(db, { reviewed: 'yes' }, 'date', null, 5).rows[0];
    expect(row?.review).toEqual({ verdict: 'suspicious', decision: 'override', reviewer: 'ana' });
  });
});

describe('search syntax', () => {
  it('quotes words, keeps prefixes and fields, drops punctuation-only words', () => {
    expect(toFtsQuery('alice@example.org "x" subject:Budget* from:bob ***')).toBe(
      '"alice@example.org" AND """x""" AND subject : "Budget"* AND {from_address from_name} : "bob"',
    );
    expect(toFtsQuery(' - ( ) ')).toBeNull();
  });
});

describe('query plans', () => {
  const plan = (f: QueueFilter, sort: QueueSort, setDriverMax?: number) =>
    explainQueue(db, f, sort, { key: 1, sha256: 'a'.repeat(64) }, setDriverMax).join(' | ');
  it('reads the date index in order, without sorting, unfiltered and per verdict', () => {
    expect(plan({}, 'date')).toMatch(/USING INDEX messages_date/);
    expect(plan({}, 'date')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    expect(plan({ verdict: ['tampered'] }, '-date')).toMatch(/USING INDEX messages_verdict \(verdict=\? AND date_epoch<\?\)/);
    expect(plan({ verdict: ['tampered', 'verified'] }, 'date')).toMatch(/messages_verdict \(verdict=\?/);
  });
  it('reads the domain index, sorting only ties on the id', () => {
    expect(plan({ domain: 'x' }, 'date')).toMatch(/messages_from_domain \(from_domain=\? AND date_epoch>\?\)/);
    expect(plan({ domain: 'x' }, 'date')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });
  it('drives a small set from its index and a large one as a per-row test', () => {
    expect(plan({ code: 'c' }, 'date', 100)).toMatch(/findings_code \(code=\?\).*TEMP B-TREE FOR ORDER BY/);
    expect(plan({ code: 'dkim/none' }, 'date', 0)).toMatch(/messages_date.*EXISTS USING COVERING INDEX findings_code/);
    expect(plan({ mailbox: 'x' }, 'date', 0)).toMatch(/sources_mailbox_key/);
    expect(plan({ q: 'x' }, 'date', 0)).toMatch(/messages_date.*VIRTUAL TABLE INDEX 0:=M/);
  });
  it('scans in rowid order for import order, whatever the filter', () => {
    expect(plan({ verdict: ['tampered'] }, 'imported')).toMatch(/SCAN m|SEARCH m USING INTEGER PRIMARY KEY/);
    expect(plan({ verdict: ['tampered'] }, 'imported')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });
});
