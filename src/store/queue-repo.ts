// The review queue: filtered, ordered, keyset-paged lists of messages.
import type { Db } from './database.ts';
import type { VerdictName } from '../model.ts';
import { isDateBounded, planQueue, type QueueFilter, type QueuePlan } from './queue-plan.ts';
import type { Review } from './review-repo.ts';
import { column, joined, readRow, type RowCodec } from './row-codec.ts';
import { withSnapshot } from './transaction.ts';

export type { QueueFilter, YesNo } from './queue-plan.ts';
export { toFtsQuery, setDriverMaxFor } from './queue-plan.ts';

export const QUEUE_SORTS = ['date', '-date', 'imported', '-imported'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** Where a page starts: after this sort key (date_epoch, or rowid in import order) and id. */
export interface QueueCursor {
  key: number | null;
  sha256: string;
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
  reasons: string[];
  signatureCount: number;
  size: number;
  /** The latest decision, null when nobody reviewed the message. */
  review: Pick<Review, 'decision' | 'verdict' | 'reviewer'> | null;
}

export interface QueuePage {
  rows: QueueItem[];
  /** The cursor of the next page, null on the last page. */
  next: QueueCursor | null;
  /** Number of matching messages when it is cheap to know, else null. */
  total: number | null;
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
const ITEM_CODEC: RowCodec<Omit<SortedItem, 'review'>> = {
  sha256: column('sha256'),
  sortKey: column('sort_key'),
  dateEpoch: column('date_epoch'),
  dateHeader: column('date_header'),
  fromAddress: column('from_address'),
  fromName: column('from_name'),
  fromDomain: column('from_domain'),
  subject: column('subject'),
  verdict: column('verdict'),
  reasons: joined('reasons', ';'),
  signatureCount: column('signature_count'),
  size: column('size'),
};

function readItem(row: Record<string, unknown>): SortedItem {
  const decision = row.review_decision as Review['decision'] | null;
  const review = decision === null ? null : { decision, verdict: row.review_verdict as VerdictName, reviewer: row.reviewer as string };
  return { ...readRow(ITEM_CODEC, row), review };
}

const ITEMS: QueueProjection<SortedItem> = {
  inner: `m.sha256, m.date_epoch, m.date_header, m.from_address, m.from_name, m.from_domain, m.subject,
    m.verdict, m.reasons, m.signature_count, m.size`,
  outer: 'r.decision AS review_decision, r.verdict AS review_verdict, r.reviewer',
  read: readItem,
};

const IDS: QueueProjection<Sorted> = {
  inner: 'm.sha256',
  outer: 'r.id AS review_id',
  read: (row) => ({ sha256: row.sha256 as string, sortKey: row.sort_key as number | null }),
};

/** One ordered range of the result: the dated messages, or those without a usable Date. */
interface Segment {
  undated: boolean;
  cond: string;
  params: unknown[];
  order: string;
}

function segments(sort: QueueSort, c: QueueCursor | null, dateBounded: boolean): Segment[] {
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

function segmentSql<T extends Sorted>(
  plan: QueuePlan,
  seg: Segment,
  sortKey: string,
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
  const sql = `SELECT p.*, ${projection.outer}
    FROM (SELECT ${projection.inner}, ${sortKey} AS sort_key FROM ${plan.from}
          WHERE ${where.join(' AND ')} ORDER BY ${seg.order} LIMIT ?) p
    LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE sha256 = p.sha256)`;
  return { sql, params: [...plan.fromParams, ...params, ...seg.params] };
}

function runSegment<T extends Sorted>(
  db: Db,
  plan: QueuePlan,
  seg: Segment,
  sortKey: string,
  limit: number,
  projection: QueueProjection<T>,
  verdict?: string,
): T[] {
  const q = segmentSql(plan, seg, sortKey, projection, verdict);
  return (db.prepare(q.sql).all(...q.params, limit) as Record<string, unknown>[]).map(projection.read);
}

/** EXPLAIN QUERY PLAN of the first query a page runs (for tests that guard the index choices). */
export function explainQueue(db: Db, filter: QueueFilter, sort: QueueSort, cursor: QueueCursor | null, setDriverMax?: number): string[] {
  const plan = planQueue(db, filter, sort.endsWith('imported'), setDriverMax);
  const seg = segments(sort, cursor, isDateBounded(filter))[0];
  if (!seg) return [];
  const q = segmentSql(plan, seg, sort.endsWith('imported') ? 'm.rowid' : 'm.date_epoch', ITEMS, plan.splitVerdicts?.[0]);
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
  sort: QueueSort,
  cursor: QueueCursor | null,
  limit: number,
  dateBounded: boolean,
  projection: QueueProjection<T>,
): T[] {
  const sortKey = sort.endsWith('imported') ? 'm.rowid' : 'm.date_epoch';
  const rows: T[] = [];
  for (const seg of segments(sort, cursor, dateBounded)) {
    const want = limit - rows.length;
    if (want <= 0) break;
    if (plan.splitVerdicts) {
      const merged = plan.splitVerdicts.flatMap((v) => runSegment(db, plan, seg, sortKey, want, projection, v));
      rows.push(...merged.sort(compareRows(sort.startsWith('-'))).slice(0, want));
    } else {
      rows.push(...runSegment(db, plan, seg, sortKey, want, projection));
    }
  }
  return rows;
}

/** One page of the queue. Reads only `size + 1` rows past the cursor, whatever the page's depth. */
export interface QueueOptions {
  /** Count the matches when that is cheap (default true). */
  withTotal?: boolean;
  /** Largest set that drives the query (tests lower it to exercise both plans). */
  setDriverMax?: number;
}

export function queryQueue(
  db: Db,
  filter: QueueFilter,
  sort: QueueSort,
  cursor: QueueCursor | null,
  size: number,
  options: QueueOptions = {},
): QueuePage {
  const withTotal = options.withTotal ?? true;
  return withSnapshot(db, () => {
    const plan = planQueue(db, filter, sort.endsWith('imported'), options.setDriverMax);
    const rows = fetchRows(db, plan, sort, cursor, size + 1, isDateBounded(filter), ITEMS);
    const more = rows.length > size;
    const page = rows.slice(0, size);
    const last = page.at(-1);
    return {
      rows: page.map(({ sortKey: _sortKey, ...item }) => item),
      next: more && last ? { key: last.sortKey, sha256: last.sha256 } : null,
      total: withTotal ? countQueue(db, filter, plan) : null,
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
  const row = db.prepare('SELECT date_epoch, rowid AS id FROM messages WHERE sha256 = ?').get(sha256) as
    { date_epoch: number | null; id: number } | undefined;
  if (!row) return { prev: null, next: null };
  const key = sort.endsWith('imported') ? row.id : row.date_epoch;
  const reverse = (sort.startsWith('-') ? sort.slice(1) : `-${sort}`) as QueueSort;
  const next = queryQueueIds(db, filter, sort, { key, sha256 }, 1)[0] ?? null;
  const prev = queryQueueIds(db, filter, reverse, { key, sha256 }, 1)[0] ?? null;
  return { prev, next };
}

function queryQueueIds(db: Db, filter: QueueFilter, sort: QueueSort, cursor: QueueCursor | null, n: number): string[] {
  const plan = planQueue(db, filter, sort.endsWith('imported'));
  return fetchRows(db, plan, sort, cursor, n, isDateBounded(filter), IDS).map((r) => r.sha256);
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
  const dateBounded = isDateBounded(filter);
  let cursor: QueueCursor | null = null;
  for (;;) {
    const rows = withSnapshot(db, () =>
      fetchRows(db, planQueue(db, filter, sort.endsWith('imported')), sort, cursor, chunk, dateBounded, projection),
    );
    if (rows.length) yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < chunk) return;
    cursor = { key: last.sortKey, sha256: last.sha256 };
  }
}

/** Exact counts that are cheap: from the overview summary, or over a small driving set. */
function countQueue(db: Db, f: QueueFilter, plan: QueuePlan): number | null {
  const given = (v: string | string[] | undefined): boolean =>
    Array.isArray(v) ? v.some((x) => x !== '') : v !== undefined && v.trim() !== '';
  const other = [f.final, f.code, f.mailbox, f.key, f.from, f.to, f.signed, f.reviewed, f.q].some(given);
  if (!other) {
    const domain = given(f.domain) ? f.domain : undefined;
    const dim = domain === undefined ? 'all' : 'domain';
    const machine = (f.verdict ?? []).filter((v) => v !== '');
    const verdicts = machine.length ? [...new Set(machine)] : [''];
    const row = db
      .prepare(
        `SELECT coalesce(sum(n), 0) AS n FROM overview_counts WHERE dimension = ? AND key = ?
         AND verdict IN (SELECT value FROM json_each(?))`,
      )
      .get(dim, domain ?? '', JSON.stringify(verdicts)) as { n: number };
    return row.n;
  }
  if (plan.driver === null) return null;
  // The driving set alone (distinct ids) is counted in its own index, without reading messages.
  if (!plan.where.length)
    return (db.prepare(`SELECT count(*) AS n FROM (${plan.driver.sql})`).get(...plan.driver.params) as { n: number }).n;
  // A driving set never splits verdicts (see planQueue), so plan.where is the whole filter.
  const where = plan.where.length ? `WHERE ${plan.where.join(' AND ')}` : '';
  const sql = `SELECT count(*) AS n FROM ${plan.from} ${where}`;
  return (db.prepare(sql).get(...plan.fromParams, ...plan.params) as { n: number }).n;
}
