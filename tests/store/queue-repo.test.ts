// The queue's filters, orders and keyset paging, on both plans (driving set and index scan).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.ts';
import {
  QUEUE_SORTS,
  StaleCursorError,
  explainQueue,
  iterateQueue,
  queryQueue,
  queueNeighbours,
  toFtsQuery,
  type QueueFilter,
  type QueuePosition,
  type QueueSort,
} from '../../src/store/queue-repo.ts';
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
  let position: QueuePosition = null;
  for (let i = 0; i < 100; i++) {
    const page = queryQueue(db, filter, sort, position, size, { setDriverMax });
    out.push(...page.rows.map((r) => r.sha256));
    if (!page.next) return out;
    position = { after: page.next };
  }
  throw new Error('paging did not end');
}

/** Every id, walking back from the end through `before` positions. */
function walkBack(filter: QueueFilter, sort: QueueSort, size: number, setDriverMax?: number): string[] {
  const all = walk(filter, sort, 1000, setDriverMax);
  const last = all.at(-1);
  if (last === undefined) return [];
  const pages: string[][] = [[last]];
  let position: QueuePosition = { before: last };
  for (let i = 0; i < 100; i++) {
    const page = queryQueue(db, filter, sort, position, size, { setDriverMax });
    pages.unshift(page.rows.map((r) => r.sha256));
    if (page.first) {
      // The first page is a full page: it may overlap the one after it.
      const seen = new Set(pages.slice(1).flat());
      pages[0] = pages[0]!.filter((x) => !seen.has(x));
      return pages.flat();
    }
    position = { before: page.prev! };
  }
  throw new Error('paging back did not end');
}

function triageKey(sha: string): [number, number, number, number] {
  const r = db.prepare('SELECT tier, strong, weak, date_key FROM triage WHERE sha256 = ?').get(sha) as {
    tier: number;
    strong: number;
    weak: number;
    date_key: number;
  };
  return [r.tier, -r.strong, -r.weak, r.date_key];
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

  it('puts the weightiest evidence first: tampered, suspicious, unverifiable, verified; strong before weak; then the date', () => {
    const all = walk({}, 'triage', 4);
    expect(all).toHaveLength(ids.all.length);
    const keys = all.map(triageKey);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
    expect(keys).toEqual(sorted);
    expect(all.slice(0, 2).sort()).toEqual([ids.tampered, ids.copyB].sort());
    expect(all.at(-1)).toBe(ids.copyA);
    expect(walk({}, '-triage', 3)).toEqual([...all].reverse());
    // Reviews do not move a message; the reviewed filter takes it out.
    expect(walk({ reviewed: 'no' }, 'triage', 2)).toEqual(all.filter((x) => x !== ids.tampered));
  });

  it('sorts by every column both ways, on both plans, without losing or repeating a row', () => {
    for (const sort of QUEUE_SORTS) {
      const all = walk({}, sort, 1000);
      expect(new Set(all).size, sort).toBe(ids.all.length);
      for (const size of [1, 4]) expect(walk({}, sort, size), `${sort} by ${size}`).toEqual(all);
      const filtered = walk({ verdict: ['unverifiable', 'tampered'] }, sort, 2);
      expect(walk({ verdict: ['unverifiable', 'tampered'] }, sort, 2, 0), sort).toEqual(filtered);
      expect(filtered.sort(), sort).toEqual([ids.tampered, ids.copyB, ids.unverifiable, ids.attachment, ids.undated].sort());
    }
    const subjects = walk({}, 'subject', 3).map(
      (sha) => (db.prepare("SELECT ifnull(subject, '') AS s FROM messages WHERE sha256 = ?").get(sha) as { s: string }).s,
    );
    expect(subjects).toEqual(
      [...subjects].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)),
    );
  });

  it('pages back from any message to the first page, in every order', () => {
    for (const sort of ['triage', 'date', '-date', 'imported', 'subject', '-size'] as QueueSort[]) {
      for (const size of [1, 2, 4]) expect(walkBack({}, sort, size), `${sort} by ${size}`).toEqual(walk({}, sort, 1000));
      expect(walkBack({ domain: 'example-news.org' }, sort, 2), sort).toEqual(walk({ domain: 'example-news.org' }, sort, 1000));
    }
    const second = queryQueue(db, {}, 'triage', { after: walk({}, 'triage', 1000)[1]! }, 2);
    const back = queryQueue(db, {}, 'triage', { before: second.rows[0]!.sha256 }, 2);
    expect(back.first).toBe(true);
    expect(back.prev).toBeNull();
  });

  it('refuses a position naming a message the database does not hold', () => {
    expect(() => queryQueue(db, {}, 'triage', { after: 'f'.repeat(64) }, 2)).toThrow(StaleCursorError);
    expect(() => queryQueue(db, {}, 'date', { before: 'f'.repeat(64) }, 2)).toThrow(StaleCursorError);
  });

  it('iterates every message in chunks, in any order', () => {
    for (const sort of ['triage', '-date', 'from'] as QueueSort[]) {
      const chunks = [
        ...iterateQueue(
          db,
          {},
          sort,
          { inner: 'm.sha256', outer: 'r.id', read: (row) => ({ sha256: row.sha256 as string, sortKey: null }) },
          2,
        ),
      ];
      expect(
        chunks.flat().map((r) => r.sha256),
        sort,
      ).toEqual(walk({}, sort, 1000));
    }
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
    ['signed in a date range', { signed: 'yes', from: '2023-03-06', to: '2023-03-10' }, () => [ids.verified, ids.tampered]],
    [
      'unsigned in a date range',
      { signed: 'no', from: '2023-03-06', to: '2023-03-10' },
      () => [ids.suspicious, ids.unverifiable, ids.attachment],
    ],
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
      for (const sort of ['triage', 'subject', '-size'] as QueueSort[]) {
        for (const setDriverMax of [0, 20_000]) expect(walk(filter, sort, 2, setDriverMax).sort(), sort).toEqual(want);
      }
      for (const setDriverMax of [0, 20_000]) {
        const page = queryQueue(db, filter, 'date', null, 50, { setDriverMax });
        expect(page.total).toBe(want.length);
        expect(page.totalCapped).toBe(false);
        expect(queryQueue(db, filter, 'triage', null, 1, { setDriverMax }).total).toBe(want.length);
      }
    });
  }

  it('stops counting at the cap and says so, and does not count what would need a scan of a large archive', () => {
    const page = queryQueue(db, { signed: 'no', from: '2000-01-01' }, 'date', null, 1, { countCap: 2, setDriverMax: 0 });
    expect(page).toMatchObject({ total: null, totalCapped: false });
    expect(queryQueue(db, { from: '2000-01-01' }, 'triage', null, 1, { countCap: 3, setDriverMax: 0 })).toMatchObject({
      total: 3,
      totalCapped: true,
    });
    expect(queryQueue(db, { code: 'dkim/none' }, 'date', null, 1, { countCap: 3, setDriverMax: 0 })).toMatchObject({
      total: 1,
      totalCapped: false,
    });
    // The final verdict is a per-row test: on an archive larger than the cap it is not counted.
    expect(queryQueue(db, { final: ['suspicious'] }, 'date', null, 1, { countCap: 3, setDriverMax: 0 })).toMatchObject({ total: null });
    expect(queryQueue(db, { reviewed: 'no', verdict: ['tampered'] }, 'date', null, 1, { countCap: 1 }).total).toBe(1);
  });

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
    explainQueue(db, f, sort, ids.verified, setDriverMax).join(' | ');
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
  it('walks the triage index, and one range of ranks per verdict', () => {
    // Deep in the list it seeks on the whole key: one rank can hold most of the archive.
    expect(plan({}, 'triage')).toMatch(/triage_order \(\(rank,date_key,sha256\)>\(\?,\?,\?\)\)/);
    expect(plan({}, 'triage')).toMatch(/SEARCH t USING COVERING INDEX triage_order \(ANY\(rank\) AND ANY\(date_key\)|triage_order/);
    expect(plan({}, 'triage')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    // A code only tampered messages have is looked for among them alone (the summary counts per verdict).
    expect(plan({ code: 'dkim/body-hash-mismatch' }, '-triage', 0)).toMatch(/triage_order \(rank>\? AND rank<\?\)/);
    expect(explainQueue(db, { code: 'no/such-code' }, 'triage', null, 0)).toEqual([]);
    // A verdict before the cursor's is read whole; the cursor's own from the cursor on, up to its end.
    expect(plan({ verdict: ['unverifiable'] }, '-triage')).toMatch(/triage_order \(rank>\? AND rank<\?\)/);
    expect(plan({ verdict: ['verified'] }, 'triage')).toMatch(/triage_order \(\(rank,date_key,sha256\)>\(\?,\?,\?\) AND rank<\?\)/);
  });
  it('walks the own index of each column, without sorting the archive', () => {
    for (const [sort, index] of [
      ['from', 'messages_from_sort'],
      ['-subject', 'messages_subject_sort'],
      ['reasons', 'messages_reasons_sort'],
      ['sigs', 'messages_signed'],
      ['-size', 'messages_size'],
    ] as const) {
      // A deep page seeks into the index (SEARCH), it does not scan it from the start.
      expect(plan({}, sort), sort).toMatch(new RegExp(`SEARCH m USING INDEX ${index} \\(`));
      // Deep in the list, the first range seeks to the cursor's ties by row id (ties can be half the archive).
      expect(plan({}, sort), sort).toMatch(new RegExp(`${index} \\((<expr>|[a-z_]+)=\\? AND rowid[<>]\\?\\)`));
      // (The outer query orders its page of rows again: only the walk itself must not sort.)
      expect(plan({}, sort).split('SCAN p')[0], sort).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });
  it('drives a rare domain or a narrow date range from its index under a column sort', () => {
    expect(plan({ domain: 'x' }, 'subject', 100)).toMatch(/messages_from_domain.*TEMP B-TREE FOR ORDER BY/);
    expect(plan({ from: '2023-03-08', to: '2023-03-08' }, 'triage', 100)).toMatch(/messages_date.*TEMP B-TREE FOR ORDER BY/);
  });
  it('scans in rowid order for import order, whatever the filter', () => {
    expect(plan({ verdict: ['tampered'] }, 'imported')).toMatch(/SCAN m|SEARCH m USING INTEGER PRIMARY KEY/);
    expect(plan({ verdict: ['tampered'] }, 'imported')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });
});
