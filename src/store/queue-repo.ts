// The review queue: filtered, ordered, keyset-paged lists of messages.
import type { Db } from './database.ts';
import { planQueue, type QueueFilter, type QueuePlan } from './queue-plan.ts';

export type { QueueFilter } from './queue-plan.ts';
export { toFtsQuery, setDriverMaxFor } from './queue-plan.ts';

export const QUEUE_SORTS = ['date', '-date', 'imported', '-imported'] as const;
export type QueueSort = (typeof QUEUE_SORTS)[number];

/** Where a page starts: after this sort key (date_epoch, or rowid in import order) and id. */
export interface QueueCursor {
  key: number | null;
  sha256: string;
}

export interface QueueRow {
  sha256: string;
  sort_key: number | null;
  date_epoch: number | null;
  date_header: string | null;
  from_address: string | null;
  from_name: string | null;
  from_domain: string | null;
  subject: string | null;
  verdict: string;
  reasons: string;
  signature_count: number;
  size: number;
  review_decision: string | null;
  review_verdict: string | null;
  reviewer: string | null;
}

export interface QueuePage {
  rows: QueueRow[];
  /** The cursor of the next page, null on the last page. */
  next: QueueCursor | null;
  /** Number of matching messages when it is cheap to know, else null. */
  total: number | null;
}

const COLUMNS = `m.sha256, m.date_epoch, m.date_header, m.from_address, m.from_name, m.from_domain, m.subject,
  m.verdict, m.reasons, m.signature_count, m.size`;

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

function segmentSql(plan: QueuePlan, seg: Segment, sortKey: string, verdict?: string): { sql: string; params: unknown[] } {
  const where = [...plan.where];
  const params = [...plan.params];
  if (verdict !== undefined) {
    where.push('m.verdict = ?');
    params.push(verdict);
  }
  where.push(seg.cond);
  const sql = `SELECT p.*, r.decision AS review_decision, r.verdict AS review_verdict, r.reviewer
    FROM (SELECT ${COLUMNS}, ${sortKey} AS sort_key FROM ${plan.from}
          WHERE ${where.join(' AND ')} ORDER BY ${seg.order} LIMIT ?) p
    LEFT JOIN reviews r ON r.id = (SELECT max(id) FROM reviews WHERE sha256 = p.sha256)`;
  return { sql, params: [...plan.fromParams, ...params, ...seg.params] };
}

function runSegment(db: Db, plan: QueuePlan, seg: Segment, sortKey: string, limit: number, verdict?: string): QueueRow[] {
  const q = segmentSql(plan, seg, sortKey, verdict);
  return db.prepare(q.sql).all(...q.params, limit) as QueueRow[];
}

/** EXPLAIN QUERY PLAN of the first query a page runs (for tests that guard the index choices). */
export function explainQueue(db: Db, filter: QueueFilter, sort: QueueSort, cursor: QueueCursor | null, setDriverMax?: number): string[] {
  const plan = planQueue(db, filter, sort.endsWith('imported'), setDriverMax);
  const bounded = filter.fromEpoch !== undefined || filter.toEpoch !== undefined;
  const seg = segments(sort, cursor, bounded)[0];
  if (!seg) return [];
  const q = segmentSql(plan, seg, sort.endsWith('imported') ? 'm.rowid' : 'm.date_epoch', plan.splitVerdicts?.[0]);
  return (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params, 1) as { detail: string }[]).map((r) => r.detail);
}

function compareRows(desc: boolean) {
  return (a: QueueRow, b: QueueRow): number => {
    const ka = a.sort_key ?? -Infinity;
    const kb = b.sort_key ?? -Infinity;
    const c = ka !== kb ? (ka < kb ? -1 : 1) : a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;
    return desc ? -c : c;
  };
}

function fetchRows(db: Db, plan: QueuePlan, sort: QueueSort, cursor: QueueCursor | null, limit: number, dateBounded: boolean): QueueRow[] {
  const sortKey = sort.endsWith('imported') ? 'm.rowid' : 'm.date_epoch';
  const rows: QueueRow[] = [];
  for (const seg of segments(sort, cursor, dateBounded)) {
    const want = limit - rows.length;
    if (want <= 0) break;
    if (plan.splitVerdicts) {
      const merged = plan.splitVerdicts.flatMap((v) => runSegment(db, plan, seg, sortKey, want, v));
      rows.push(...merged.sort(compareRows(sort.startsWith('-'))).slice(0, want));
    } else {
      rows.push(...runSegment(db, plan, seg, sortKey, want));
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
  return db.transaction(() => {
    const plan = planQueue(db, filter, sort.endsWith('imported'), options.setDriverMax);
    const dateBounded = filter.fromEpoch !== undefined || filter.toEpoch !== undefined;
    const rows = fetchRows(db, plan, sort, cursor, size + 1, dateBounded);
    const more = rows.length > size;
    const page = rows.slice(0, size);
    const last = page.at(-1);
    return {
      rows: page,
      next: more && last ? { key: last.sort_key, sha256: last.sha256 } : null,
      total: withTotal ? countQueue(db, filter, plan) : null,
    };
  })();
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
  const bounded = filter.fromEpoch !== undefined || filter.toEpoch !== undefined;
  return fetchRows(db, plan, sort, cursor, n, bounded).map((r) => r.sha256);
}

/** Every matching id in queue order, in chunks (for exports); no statement stays open between chunks. */
export function* iterateQueueIds(db: Db, filter: QueueFilter, sort: QueueSort, chunk = 1000): Generator<string[]> {
  let cursor: QueueCursor | null = null;
  for (;;) {
    const page = queryQueue(db, filter, sort, cursor, chunk, { withTotal: false });
    if (page.rows.length) yield page.rows.map((r) => r.sha256);
    if (!page.next) return;
    cursor = page.next;
  }
}

/** Exact counts that are cheap: from the overview summary, or over a small driving set. */
function countQueue(db: Db, f: QueueFilter, plan: QueuePlan): number | null {
  const other =
    f.finals?.length ||
    f.code !== undefined ||
    f.mailbox !== undefined ||
    f.role !== undefined ||
    f.key !== undefined ||
    f.fromEpoch !== undefined ||
    f.toEpoch !== undefined ||
    f.signed !== undefined ||
    f.reviewed !== undefined ||
    f.fts !== undefined;
  if (!other) {
    const dim = f.domain === undefined ? 'all' : 'domain';
    const verdicts = f.verdicts?.length ? f.verdicts : [''];
    const row = db
      .prepare(
        `SELECT coalesce(sum(n), 0) AS n FROM overview_counts WHERE dimension = ? AND key = ?
         AND verdict IN (SELECT value FROM json_each(?))`,
      )
      .get(dim, f.domain ?? '', JSON.stringify(verdicts)) as { n: number };
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
