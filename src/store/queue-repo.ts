// The review queue: filtered, ordered, keyset-paged lists of messages.
import type { Db } from './database.ts';
import type { VerdictName } from '../model.ts';
import { isDateBounded, planQueue, totalMessages, type QueueFilter, type QueueOrderKind, type QueuePlan } from './queue-plan.ts';
import type { Review } from './review-repo.ts';
import { column, joined, placeholders, readRow, type RowCodec } from './row-codec.ts';
import { withSnapshot } from './transaction.ts';

export type { QueueFilter, YesNo } from './queue-plan.ts';
export { toFtsQuery, setDriverMaxFor } from './queue-plan.ts';

/**
 * The queue's orders, each also reversed with a leading `-`: `triage` (the weight of the evidence:
 * tampered, then suspicious, unverifiable, verified; more strong, then weak findings first; then the
 * Date), `date` (undated first), `imported`, and one per column of the queue.
 */
export const QUEUE_SORTS = [
  'triage',
  '-triage',
  'date',
  '-date',
  'imported',
  '-imported',
  'from',
  '-from',
  'subject',
  '-subject',
  'reasons',
  '-reasons',
  'sigs',
  '-sigs',
  'size',
  '-size',
] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** The order a queue has when none is asked for: the weightiest evidence first. */
export const DEFAULT_QUEUE_SORT: QueueSort = 'triage';

/** Where a date or import-order walk resumes: after this sort key (date_epoch, or rowid) and id. */
export interface QueueCursor {
  key: number | null;
  sha256: string;
}

/** A page's position given by a message of the queue: the page starts after it, or ends before it. */
export type QueuePosition = { after: string } | { before: string } | null;

/** A position names a message this database does not hold (a URL from another database, or edited). */
export class StaleCursorError extends Error {
  override name = 'StaleCursorError';
}

/**
 * An order along an index of its own: NOT NULL key expressions (so that a row value compares them
 * all), the last one unique. `join` brings in the table the keys come from.
 */
interface KeyedOrder {
  keys: string[];
  join: 'triage' | null;
}

const KEYED: Partial<Record<string, KeyedOrder>> = {
  triage: { keys: ['t.rank', 't.date_key', 't.sha256'], join: 'triage' },
  from: { keys: ["ifnull(m.from_address, '') COLLATE NOCASE", 'm.rowid'], join: null },
  subject: { keys: ["ifnull(m.subject, '') COLLATE NOCASE", 'm.rowid'], join: null },
  reasons: { keys: ['m.reasons', 'm.rowid'], join: null },
  sigs: { keys: ['m.signature_count', 'm.rowid'], join: null },
  size: { keys: ['m.size', 'm.rowid'], join: null },
};

function keyedOrder(sort: QueueSort): KeyedOrder | undefined {
  return KEYED[sort.replace(/^-/, '')];
}

function orderKind(sort: QueueSort): QueueOrderKind {
  return keyedOrder(sort) ? 'keyed' : sort.endsWith('imported') ? 'rowid' : 'date';
}

/** The plan of a walk in this order (the triage order's tests read the triage table). */
function planFor(db: Db, filter: QueueFilter, sort: QueueSort, setDriverMax?: number): QueuePlan {
  return planQueue(db, filter, orderKind(sort), setDriverMax, keyedOrder(sort)?.join === 'triage');
}

function reversed(sort: QueueSort): QueueSort {
  return (sort.startsWith('-') ? sort.slice(1) : `-${sort}`) as QueueSort;
}

/** One message as the queue lists it, with its latest review. */
export interface QueueItem {
  sha256: string;
  dateEpoch: number | null;
  dateHeader: string | null;
  fromAddress: string | null;
  fromName: string | null;
  fromDomain: string | null;
  subject: string | null;
  verdict: VerdictName;
  /** The verdict in one plain sentence (what a reader may quote). */
  summary: string;
  reasons: string[];
  signatureCount: number;
  size: number;
  /** The latest decision, null when nobody reviewed the message. */
  review: Pick<Review, 'decision' | 'verdict' | 'reviewer'> | null;
  /** The roles of the mailboxes its copies were found in (sent, inbox, other; set by the archive pass). */
  roles: string[];
}

export interface QueuePage {
  rows: QueueItem[];
  /** The message the next page starts after; null on the last page. */
  next: string | null;
  /** The message the previous page ends before; null on the first page. */
  prev: string | null;
  /** Whether these rows are the first page (asked for `before` a message near the start, they are). */
  first: boolean;
  /** Number of matching messages (null when not asked for). */
  total: number | null;
  /** The count stopped at `total`: there are more (a filter over most of a huge archive). */
  totalCapped: boolean;
}

/** A listed row with the key it is ordered by (date, or rowid in import order): the cursor's. */
export interface Sorted {
  sha256: string;
  sortKey: number | null;
}

type SortedItem = QueueItem & Sorted;

/**
 * What a walk of the queue reads per message: `inner` columns of `m` inside the ordered, limited
 * scan (they must include `m.sha256`), `outer` ones per scanned row `p` and its latest review `r`,
 * and how a row becomes a value. The queue page, the export and the id walks share the scan.
 */
export interface QueueProjection<T extends Sorted> {
  inner: string;
  outer: string;
  read: (row: Record<string, unknown>) => T;
}

/** The message's own columns; the review's three make one field (readItem). */
const ITEM_CODEC: RowCodec<Omit<SortedItem, 'review' | 'roles'>> = {
  sha256: column('sha256'),
  sortKey: column('sort_key'),
  dateEpoch: column('date_epoch'),
  dateHeader: column('date_header'),
  fromAddress: column('from_address'),
  fromName: column('from_name'),
  fromDomain: column('from_domain'),
  subject: column('subject'),
  verdict: column('verdict'),
  summary: column('summary'),
  reasons: joined('reasons', ';'),
  signatureCount: column('signature_count'),
  size: column('size'),
};

function readItem(row: Record<string, unknown>): SortedItem {
  const decision = row.review_decision as Review['decision'] | null;
  const review = decision === null ? null : { decision, verdict: row.review_verdict as VerdictName, reviewer: row.reviewer as string };
  const roles = typeof row.roles === 'string' ? row.roles.split('\u001f').filter(Boolean).sort() : [];
  return { ...readRow(ITEM_CODEC, row), review, roles };
}

/** The queue's rows, with the roles of their copies' mailboxes. */
const ITEMS: QueueProjection<SortedItem> = {
  inner: `m.sha256, m.date_epoch, m.date_header, m.from_address, m.from_name, m.from_domain, m.subject,
    m.verdict, m.summary, m.reasons, m.signature_count, m.size`,
  outer: `r.decision AS review_decision, r.verdict AS review_verdict, r.reviewer,
    (SELECT group_concat(role, char(31)) FROM (SELECT DISTINCT role FROM sources WHERE sha256 = p.sha256 AND role IS NOT NULL)) AS roles`,
  read: readItem,
};

const IDS: QueueProjection<Sorted> = {
  inner: 'm.sha256',
  outer: 'r.id AS review_id',
  read: (row) => ({ sha256: row.sha256 as string, sortKey: row.sort_key as number | null }),
};

/** One ordered range of the result: the dated messages, or those without a usable Date, or a tier. */
interface Segment {
  undated: boolean;
  cond: string;
  params: unknown[];
  order: string;
}

function dateSegments(sort: QueueSort, c: QueueCursor | null, dateBounded: boolean): Segment[] {
  const desc = sort.startsWith('-');
  const dir = desc ? 'DESC' : 'ASC';
  const cmp = desc ? '<' : '>';
  if (sort === 'imported' || sort === '-imported') {
    return [{ undated: false, cond: c ? `m.rowid ${cmp} ?` : '1', params: c ? [c.key] : [], order: `m.rowid ${dir}` }];
  }
  const order = `m.date_epoch ${dir}, m.sha256 ${dir}`;
  const undated = (after: string | null): Segment => ({
    undated: true,
    cond: after === null ? 'm.date_epoch IS NULL' : `m.date_epoch IS NULL AND m.sha256 ${cmp} ?`,
    params: after === null ? [] : [after],
    order,
  });
  const dated = (after: QueueCursor | null): Segment =>
    after === null
      ? { undated: false, cond: 'm.date_epoch IS NOT NULL', params: [], order }
      : {
          undated: false,
          cond: `m.date_epoch ${cmp}= ? AND (m.date_epoch ${cmp} ? OR m.sha256 ${cmp} ?)`,
          params: [after.key, after.key, after.sha256],
          order,
        };
  // NULL sorts first: ascending reads undated then dated messages, descending the reverse.
  let list: Segment[];
  if (c === null) list = desc ? [dated(null), undated(null)] : [undated(null), dated(null)];
  else if (c.key === null) list = desc ? [undated(c.sha256)] : [undated(c.sha256), dated(null)];
  else list = desc ? [dated(c), undated(null)] : [dated(c)];
  // A date range excludes messages without a date: skip their (empty) query.
  return dateBounded ? list.filter((s) => !s.undated) : list;
}

/**
 * The segments of a keyed order after its cursor (a row value over the keys). The triage order with
 * a verdict filter reads one range of ranks per verdict, in the order's direction, rather than
 * testing its way through the other verdicts' rows.
 */
function keyedSegments(sort: QueueSort, order: KeyedOrder, plan: QueuePlan, after: unknown[] | null): Segment[] {
  const desc = sort.startsWith('-');
  const dir = desc ? 'DESC' : 'ASC';
  const by = order.keys.map((k) => `${k} ${dir}`).join(', ');
  // Past the cursor. A row value seeks an index on all its columns when they are all in the index
  // (the triage order). An index on one column (or expression) ends in the row id, which SQLite will
  // not seek through a row value: there the rows after (v, id) are read as two ranges, the rest of
  // v's ties by row id, then what follows v; one size or reason list can hold half the archive.
  const cmp = desc ? '<' : '>';
  const tail: { cond: string; params: unknown[]; order: string }[] =
    after === null
      ? [{ cond: '1', params: [], order: by }]
      : order.keys.length === 2 && order.keys[1] === 'm.rowid'
        ? [
            // (The ties' order is the row id's alone: SQLite does not see that the first key is fixed.)
            { cond: `${order.keys[0]} = ? AND m.rowid ${cmp} ?`, params: [after[0], after[1]], order: `m.rowid ${dir}` },
            { cond: `${order.keys[0]} ${cmp} ?`, params: [after[0]], order: by },
          ]
        : [{ cond: `(${order.keys.join(', ')}) ${cmp} (${placeholders(after)})`, params: after, order: by }];
  const tiers = plan.tiers === null ? null : [...new Set(plan.tiers)].sort((a, b) => (desc ? b - a : a - b));
  if (order.join === 'triage' && tiers !== null) {
    // One range of ranks per verdict. Past the cursor the row value gives the start and the tier's
    // far end the stop: with both ends written as a BETWEEN, SQLite would seek on the BETWEEN alone
    // and scan the tier from its start to the cursor.
    const rank = after === null ? null : Number(after[0]);
    return tiers.flatMap((t): Segment[] => {
      const lo = t * 1_000_000;
      const hi = lo + 999_999;
      const whole: Segment = { undated: false, cond: 't.rank BETWEEN ? AND ?', params: [lo, hi], order: by };
      if (rank === null || (desc ? rank > hi : rank < lo)) return [whole];
      if (desc ? rank < lo : rank > hi) return [];
      const k = tail[0] as { cond: string; params: unknown[] };
      return [{ undated: false, cond: `${k.cond} AND t.rank ${desc ? '>=' : '<='} ?`, params: [...k.params, desc ? lo : hi], order: by }];
    });
  }
  return tail.map((k) => ({ undated: false, cond: k.cond, params: k.params, order: k.order }));
}

/** Where a walk starts: a date/rowid cursor, or the key values of a keyed order; null at the start. */
type Start = { kind: 'date'; cursor: QueueCursor } | { kind: 'keyed'; values: unknown[] } | null;

/** The position of a message in an order (its keys), or a StaleCursorError when there is no such message. */
function startAfter(db: Db, sort: QueueSort, sha256: string): Exclude<Start, null> {
  const keyed = keyedOrder(sort);
  if (keyed) {
    const join = keyed.join === 'triage' ? 'JOIN triage t ON t.sha256 = m.sha256' : '';
    const cols = keyed.keys.map((k, i) => `${k} AS k${i}`).join(', ');
    const row = db.prepare(`SELECT ${cols} FROM messages m ${join} WHERE m.sha256 = ?`).get(sha256) as Record<string, unknown> | undefined;
    if (!row) throw new StaleCursorError(`no message ${sha256} in this database`);
    return { kind: 'keyed', values: keyed.keys.map((_k, i) => row[`k${i}`]) };
  }
  const row = db.prepare('SELECT date_epoch, rowid AS id FROM messages WHERE sha256 = ?').get(sha256) as
    { date_epoch: number | null; id: number } | undefined;
  if (!row) throw new StaleCursorError(`no message ${sha256} in this database`);
  return { kind: 'date', cursor: { key: sort.endsWith('imported') ? row.id : row.date_epoch, sha256 } };
}

function segmentsFor(sort: QueueSort, filter: QueueFilter, plan: QueuePlan, start: Start): Segment[] {
  const keyed = keyedOrder(sort);
  if (keyed) return keyedSegments(sort, keyed, plan, start?.kind === 'keyed' ? start.values : null);
  return dateSegments(sort, start?.kind === 'date' ? start.cursor : null, isDateBounded(filter));
}

/** The FROM clause of a walk in this order: the plan's, with the triage table walked first or joined. */
function fromClause(plan: QueuePlan, sort: QueueSort): string {
  const keyed = keyedOrder(sort);
  if (keyed?.join !== 'triage') return plan.from;
  // Without a driving set the triage index leads (CROSS JOIN keeps it the outer loop).
  return plan.driver ? `${plan.from} JOIN triage t ON t.sha256 = m.sha256` : 'triage t CROSS JOIN messages m ON m.sha256 = t.sha256';
}

function segmentSql<T extends Sorted>(
  plan: QueuePlan,
  sort: QueueSort,
  seg: Segment,
  projection: QueueProjection<T>,
  verdict?: string,
): { sql: string; params: unknown[] } {
  const where = [...plan.where];
  const params = [...plan.params];
  if (verdict !== undefined) {
    where.push('m.verdict = ?');
    params.push(verdict);
  }
  where.push(seg.cond);
  const kind = orderKind(sort);
  const sortKey = kind === 'rowid' ? 'm.rowid' : kind === 'date' ? 'm.date_epoch' : 'NULL';
  // The outer query repeats the order: a join is free to return the page's rows in any order.
  const keys = keyedOrder(sort)?.keys ?? [];
  const keyCols = keys.map((k, i) => `, ${k} AS k${i}`).join('');
  const dir = sort.startsWith('-') ? 'DESC' : 'ASC';
  const outerOrder = keys.length ? `ORDER BY ${keys.map((_k, i) => `p.k${i} ${dir}`).join(', ')}` : '';
  const sql = `SELECT p.*, ${projection.outer}
    FROM (SELECT ${projection.inner}, ${sortKey} AS sort_key${keyCols} FROM ${fromClause(plan, sort)}
          WHERE ${where.join(' AND ')} ORDER BY ${seg.order} LIMIT ?) p
    LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE sha256 = p.sha256) ${outerOrder}`;
  return { sql, params: [...plan.fromParams, ...params, ...seg.params] };
}

function runSegment<T extends Sorted>(
  db: Db,
  plan: QueuePlan,
  sort: QueueSort,
  seg: Segment,
  limit: number,
  projection: QueueProjection<T>,
  verdict?: string,
): T[] {
  const q = segmentSql(plan, sort, seg, projection, verdict);
  return (db.prepare(q.sql).all(...q.params, limit) as Record<string, unknown>[]).map(projection.read);
}

/** EXPLAIN QUERY PLAN of the first query a page runs (for tests that guard the index choices). */
export function explainQueue(db: Db, filter: QueueFilter, sort: QueueSort, after: string | null, setDriverMax?: number): string[] {
  const plan = planFor(db, filter, sort, setDriverMax);
  const seg = segmentsFor(sort, filter, plan, after === null ? null : startAfter(db, sort, after))[0];
  if (!seg) return [];
  const q = segmentSql(plan, sort, seg, ITEMS, plan.splitVerdicts?.[0]);
  return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params, 1) as { detail: string }[]).map((r) => r.detail);
}

function compareRows(desc: boolean) {
  return (a: Sorted, b: Sorted): number => {
    const ka = a.sortKey ?? -Infinity;
    const kb = b.sortKey ?? -Infinity;
    const c = ka !== kb ? (ka < kb ? -1 : 1) : a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;
    return desc ? -c : c;
  };
}

function fetchRows<T extends Sorted>(
  db: Db,
  plan: QueuePlan,
  filter: QueueFilter,
  sort: QueueSort,
  start: Start,
  limit: number,
  projection: QueueProjection<T>,
): T[] {
  const rows: T[] = [];
  for (const seg of segmentsFor(sort, filter, plan, start)) {
    const want = limit - rows.length;
    if (want <= 0) break;
    if (plan.splitVerdicts) {
      const merged = plan.splitVerdicts.flatMap((v) => runSegment(db, plan, sort, seg, want, projection, v));
      rows.push(...merged.sort(compareRows(sort.startsWith('-'))).slice(0, want));
    } else {
      rows.push(...runSegment(db, plan, sort, seg, want, projection));
    }
  }
  return rows;
}

/** One page of the queue. Reads only `size + 1` rows past the cursor, whatever the page's depth. */
export interface QueueOptions {
  /** Count the matches (default true). */
  withTotal?: boolean;
  /** Largest set that drives the query (tests lower it to exercise both plans). */
  setDriverMax?: number;
  /** Stop counting here (default COUNT_CAP). */
  countCap?: number;
}

/**
 * Counting a filter that no summary table or small set answers means testing its rows; past this
 * many the page says "more than" rather than spend seconds counting (~1.5 µs a row).
 */
export const COUNT_CAP = 50_000;

export function queryQueue(
  db: Db,
  filter: QueueFilter,
  sort: QueueSort,
  position: QueuePosition,
  size: number,
  options: QueueOptions = {},
): QueuePage {
  const withTotal = options.withTotal ?? true;
  return withSnapshot(db, () => {
    const plan = planFor(db, filter, sort, options.setDriverMax);
    const items = ITEMS;
    let rows: SortedItem[];
    let next: string | null;
    let prev: string | null;
    let first: boolean;
    if (position !== null && 'before' in position) {
      // Backwards from the message, then turned round; near the start, the first page instead.
      const back = fetchRows(db, plan, filter, reversed(sort), startAfter(db, sort, position.before), size + 1, items);
      if (back.length > size) {
        rows = back.slice(0, size).reverse();
        prev = rows[0]?.sha256 ?? null;
        next = rows.at(-1)?.sha256 ?? null;
        first = false;
      } else {
        const ahead = fetchRows(db, plan, filter, sort, null, size + 1, items);
        rows = ahead.slice(0, size);
        next = ahead.length > size ? (rows.at(-1)?.sha256 ?? null) : null;
        prev = null;
        first = true;
      }
    } else {
      const start = position === null ? null : startAfter(db, sort, position.after);
      const ahead = fetchRows(db, plan, filter, sort, start, size + 1, items);
      rows = ahead.slice(0, size);
      next = ahead.length > size ? (rows.at(-1)?.sha256 ?? null) : null;
      first = position === null;
      prev = first ? null : (rows[0]?.sha256 ?? null);
      if (position !== null && rows.length === 0) prev = position.after;
    }
    const count = withTotal ? countQueue(db, filter, plan, countFrom(plan, sort), options.countCap ?? COUNT_CAP) : null;
    return {
      rows: rows.map(({ sortKey: _sortKey, ...item }) => item),
      next,
      prev,
      first,
      total: count?.n ?? null,
      totalCapped: count?.capped ?? false,
    };
  });
}

/** The messages before and after one message in the queue (for j/k on the message page). */
export function queueNeighbours(
  db: Db,
  filter: QueueFilter,
  sort: QueueSort,
  sha256: string,
): { prev: string | null; next: string | null } {
  return withSnapshot(db, () => {
    let start: Exclude<Start, null>;
    try {
      start = startAfter(db, sort, sha256);
    } catch (e) {
      if (e instanceof StaleCursorError) return { prev: null, next: null };
      throw e;
    }
    const ids = (s: QueueSort, from: Exclude<Start, null>) =>
      fetchRows(db, planFor(db, filter, s), filter, s, from, 1, IDS).map((r) => r.sha256);
    return { prev: ids(reversed(sort), start)[0] ?? null, next: ids(sort, start)[0] ?? null };
  });
}

/**
 * Every matching message in queue order, read through `projection`, in chunks: each chunk is one
 * short read, so no statement stays open while a slow consumer (a download) drains the rows.
 */
export function* iterateQueue<T extends Sorted>(
  db: Db,
  filter: QueueFilter,
  sort: QueueSort,
  projection: QueueProjection<T>,
  chunk = 1000,
): Generator<T[]> {
  let after: string | null = null;
  for (;;) {
    const from: string | null = after;
    const rows: T[] = withSnapshot(db, () =>
      fetchRows(db, planFor(db, filter, sort), filter, sort, from === null ? null : startAfter(db, sort, from), chunk, projection),
    );
    if (rows.length) yield rows;
    const last: T | undefined = rows.at(-1);
    if (!last || rows.length < chunk) return;
    after = last.sha256;
  }
}

/** What a count reads: the walk's tables, the triage table alone when no test needs the message. */
function countFrom(plan: QueuePlan, sort: QueueSort): string {
  const from = fromClause(plan, sort);
  if (keyedOrder(sort)?.join !== 'triage' || plan.driver !== null || plan.where.some((w) => w.includes('m.'))) return from;
  return 'triage t';
}

/**
 * The number of matching messages, with bounded work: exact from the summary tables (verdicts with a
 * From domain or `signed`; not yet reviewed), from indexes (a Date range; one large set) up to `cap` (then `capped`: "more than"), over a small driving set, or by testing rows when the
 * archive is within `cap`. Null when none of these applies: the count would cost a scan of the archive.
 */
function countQueue(db: Db, f: QueueFilter, plan: QueuePlan, from: string, cap: number): { n: number; capped: boolean } | null {
  const given = (v: string | string[] | undefined): boolean =>
    Array.isArray(v) ? v.some((x) => x !== '') : v !== undefined && v.trim() !== '';
  const other = [f.final, f.code, f.mailbox, f.key, f.from, f.to, f.reviewed, f.q, f.role].some(given);
  const machine = [...new Set((f.verdict ?? []).filter((v) => v !== ''))];
  if (!other && (f.signed === 'yes' || f.signed === 'no') && !given(f.domain)) {
    const row = db
      .prepare(
        `SELECT coalesce(sum(n), 0) AS n FROM overview_counts WHERE dimension = 'signed' AND key = ?
         AND verdict IN (SELECT value FROM json_each(?))`,
      )
      .get(f.signed, JSON.stringify(machine.length ? machine : [''])) as { n: number };
    return { n: row.n, capped: false };
  }
  if (!other && !given(f.signed)) {
    const domain = given(f.domain) ? f.domain : undefined;
    const dim = domain === undefined ? 'all' : 'domain';
    const verdicts = machine.length ? machine : [''];
    const row = db
      .prepare(
        `SELECT coalesce(sum(n), 0) AS n FROM overview_counts WHERE dimension = ? AND key = ?
         AND verdict IN (SELECT value FROM json_each(?))`,
      )
      .get(dim, domain ?? '', JSON.stringify(verdicts)) as { n: number };
    return { n: row.n, capped: false };
  }
  // A small driving set: its rows are all there is to test.
  if (plan.driver !== null) {
    const where = plan.where.length ? `WHERE ${plan.where.join(' AND ')}` : '';
    const sql = plan.where.length ? `SELECT count(*) AS n FROM ${from} ${where}` : `SELECT count(*) AS n FROM (${plan.driver.sql})`;
    const args = plan.where.length ? [...plan.fromParams, ...plan.params] : plan.driver.params;
    return { n: (db.prepare(sql).get(...args) as { n: number }).n, capped: false };
  }
  const upTo = (sql: string, args: unknown[]): { n: number; capped: boolean } => {
    const n = (db.prepare(`SELECT count(*) AS n FROM (${sql} LIMIT ?)`).get(...args, cap + 1) as { n: number }).n;
    return n > cap ? { n: cap, capped: true } : { n, capped: false };
  };
  // Conditions an index answers (Date range, verdicts, From domain): counted along the Date order's
  // indexes (whatever the page's order), where every row read matches, so stopping at the cap bounds
  // the work.
  if (![f.final, f.code, f.mailbox, f.key, f.q, f.reviewed, f.signed, f.role].some(given)) {
    const byDate = planQueue(db, f, 'date', 0);
    const where = byDate.where.length ? `WHERE ${byDate.where.join(' AND ')}` : '';
    const split = byDate.splitVerdicts ? `${where ? ' AND' : 'WHERE'} m.verdict IN (${placeholders(byDate.splitVerdicts)})` : '';
    return upTo(`SELECT 1 FROM ${byDate.from} ${where}${split}`, [...byDate.params, ...(byDate.splitVerdicts ?? [])]);
  }
  // Not yet reviewed: the summary's count less the reviewed ones (reviews are few: humans write them).
  if (f.reviewed === 'no' && ![f.final, f.code, f.mailbox, f.key, f.q, f.signed, f.domain, f.from, f.to, f.role].some(given)) {
    const all = countQueue(db, { verdict: machine }, plan, from, cap)?.n ?? 0;
    const reviewed = db
      .prepare(
        `SELECT count(*) AS n FROM (SELECT DISTINCT r.sha256 FROM reviews r JOIN messages m ON m.sha256 = r.sha256
         WHERE ${machine.length ? `m.verdict IN (${placeholders(machine)})` : '1'})`,
      )
      .get(...machine) as { n: number };
    return { n: all - reviewed.n, capped: false };
  }
  // One large set and nothing else (a common code, a big mailbox, a frequent word): its own index.
  const only = plan.largeSets[0];
  if (plan.largeSets.length === 1 && only && plan.where.length === 1 && !plan.splitVerdicts) return upTo(only.sql, only.params);
  // Anything else would mean testing rows one by one: exact on an archive within the cap, else unknown.
  if (totalMessages(db) <= cap) {
    const where = plan.where.length ? `WHERE ${plan.where.join(' AND ')}` : '';
    const split = plan.splitVerdicts ? `${where ? ' AND' : 'WHERE'} m.verdict IN (${placeholders(plan.splitVerdicts)})` : '';
    return upTo(`SELECT 1 FROM ${from} ${where}${split}`, [...plan.fromParams, ...plan.params, ...(plan.splitVerdicts ?? [])]);
  }
  return null;
}
