// What the overview and the imports page show: summary counts (kept by the triggers of migration 002,
// so nothing here counts the messages table), reviews, and the import runs with their failures.
import type { Db } from './database.ts';
import type { FailureRow, RunRow } from './runs-repo.ts';

export type VerdictCounts = Record<string, number>;

export interface KeyCount {
  key: string;
  total: number;
  verdicts: VerdictCounts;
}

export type CountDimension = 'domain' | 'mailbox' | 'code' | 'week';

/** Messages per machine verdict, and the total. */
export function machineCounts(db: Db): { total: number; verdicts: VerdictCounts } {
  const rows = db.prepare("SELECT verdict, n FROM overview_counts WHERE dimension = 'all' AND key = '' AND n > 0").all() as {
    verdict: string;
    n: number;
  }[];
  const verdicts: VerdictCounts = {};
  let total = 0;
  for (const r of rows) {
    if (r.verdict === '') total = r.n;
    else verdicts[r.verdict] = r.n;
  }
  return { total, verdicts };
}

export interface ReviewedCount {
  machine_verdict: string;
  final_verdict: string;
  decision: string;
  n: number;
}

/** Reviewed messages by machine verdict, latest decision and final verdict (reviews are few: humans). */
export function reviewedCounts(db: Db): ReviewedCount[] {
  return db
    .prepare(
      `SELECT m.verdict AS machine_verdict, r.verdict AS final_verdict, r.decision, count(*) AS n
       FROM reviews r JOIN messages m ON m.sha256 = r.sha256
       WHERE r.id IN (SELECT max(id) FROM reviews GROUP BY sha256)
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all() as ReviewedCount[];
}

/** The largest keys of a dimension with their per-verdict counts, and how many keys there are. */
export function topCounts(db: Db, dimension: CountDimension, limit: number): { rows: KeyCount[]; keys: number } {
  const top = db
    .prepare(
      `SELECT key, n FROM overview_counts WHERE dimension = ? AND verdict = '' AND n > 0
       ORDER BY n DESC, key LIMIT ?`,
    )
    .all(dimension, limit) as { key: string; n: number }[];
  const keys = (
    db.prepare("SELECT count(*) AS n FROM overview_counts WHERE dimension = ? AND verdict = '' AND n > 0").get(dimension) as { n: number }
  ).n;
  return { rows: withVerdicts(db, dimension, top), keys };
}

function withVerdicts(db: Db, dimension: string, top: { key: string; n: number }[]): KeyCount[] {
  const byKey = new Map<string, KeyCount>(top.map((t) => [t.key, { key: t.key, total: t.n, verdicts: {} }]));
  const rows = db
    .prepare(
      `SELECT key, verdict, n FROM overview_counts
       WHERE dimension = ? AND verdict != '' AND n > 0 AND key IN (SELECT value FROM json_each(?))`,
    )
    .all(dimension, JSON.stringify(top.map((t) => t.key))) as { key: string; verdict: string; n: number }[];
  for (const r of rows) {
    const k = byKey.get(r.key);
    if (k) k.verdicts[r.verdict] = r.n;
  }
  return [...byKey.values()];
}

/** Messages per week (Monday, 'YYYY-MM-DD') and verdict, in date order; key '' holds the undated. */
export function weeklyCounts(db: Db): KeyCount[] {
  const rows = db.prepare("SELECT key, verdict, n FROM overview_counts WHERE dimension = 'week' AND n > 0 ORDER BY key").all() as {
    key: string;
    verdict: string;
    n: number;
  }[];
  const weeks = new Map<string, KeyCount>();
  for (const r of rows) {
    const w = weeks.get(r.key) ?? { key: r.key, total: 0, verdicts: {} };
    if (r.verdict === '') w.total = r.n;
    else w.verdicts[r.verdict] = r.n;
    weeks.set(r.key, w);
  }
  return [...weeks.values()];
}

/** Findings per code (every code seen in this database). */
export function codeCounts(db: Db): { code: string; n: number }[] {
  return db
    .prepare("SELECT key AS code, n FROM overview_counts WHERE dimension = 'code' AND verdict = '' AND n > 0 ORDER BY key")
    .all() as { code: string; n: number }[];
}

export type RunFailure = FailureRow;

export interface RunWithFailures extends RunRow {
  /** The first `limit` failures and skipped inputs of the run, in the order they were met. */
  failure_list: RunFailure[];
  failure_rows: number;
}

/** Import runs, newest first, each with its first failures. */
export function listRunsWithFailures(db: Db, failuresPerRun: number): RunWithFailures[] {
  const runs = db.prepare('SELECT * FROM import_runs ORDER BY id DESC').all() as RunRow[];
  const list = db.prepare(
    'SELECT id, kind, path, offset, code, reason, sha256, created_at FROM failures WHERE run_id = ? ORDER BY id LIMIT ?',
  );
  const count = db.prepare('SELECT count(*) AS n FROM failures WHERE run_id = ?');
  return runs.map((r) => ({
    ...r,
    failure_list: list.all(r.id, failuresPerRun) as RunFailure[],
    failure_rows: (count.get(r.id) as { n: number }).n,
  }));
}

/** Every failure record, in chunks by id (the imports page's CSV twin). */
export function* iterateFailures(db: Db, chunk = 1000): Generator<(RunFailure & { run_id: number })[]> {
  const page = db.prepare('SELECT * FROM failures WHERE id > ? ORDER BY id LIMIT ?');
  let after = 0;
  for (;;) {
    const rows = page.all(after, chunk) as (RunFailure & { run_id: number })[];
    if (rows.length) yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < chunk) return;
    after = last.id;
  }
}
