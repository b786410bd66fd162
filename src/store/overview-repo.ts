// What the overview shows: summary counts (kept by the triggers of migration 002, so nothing here
// counts the messages table) and how far review has come.
import type { Db } from './database.ts';
import type { VerdictName } from '../model.ts';
import type { ReviewDecision } from './review-repo.ts';

export type VerdictCounts = Partial<Record<VerdictName, number>>;

export interface KeyCount {
  key: string;
  total: number;
  verdicts: VerdictCounts;
}

export type CountDimension = 'domain' | 'mailbox' | 'code' | 'week';

/** A row of overview_counts: verdict '' holds the total of its key. */
interface CountRow {
  key: string;
  verdict: VerdictName | '';
  n: number;
}

/** Messages per machine verdict, and the total. */
export function machineCounts(db: Db): { total: number; verdicts: VerdictCounts } {
  const rows = db.prepare("SELECT verdict, n FROM overview_counts WHERE dimension = 'all' AND key = '' AND n > 0").all() as CountRow[];
  const verdicts: VerdictCounts = {};
  let total = 0;
  for (const r of rows) {
    if (r.verdict === '') total = r.n;
    else verdicts[r.verdict] = r.n;
  }
  return { total, verdicts };
}

export interface ReviewedCount {
  machineVerdict: VerdictName;
  finalVerdict: VerdictName;
  decision: ReviewDecision;
  n: number;
}

/** Reviewed messages by machine verdict, latest decision and final verdict (reviews are few: humans). */
export function reviewedCounts(db: Db): ReviewedCount[] {
  return db
    .prepare(
      `SELECT m.verdict AS machineVerdict, r.verdict AS finalVerdict, r.decision, count(*) AS n
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
    .all(dimension, JSON.stringify(top.map((t) => t.key))) as (CountRow & { verdict: VerdictName })[];
  for (const r of rows) {
    const k = byKey.get(r.key);
    if (k) k.verdicts[r.verdict] = r.n;
  }
  return [...byKey.values()];
}

/** Messages per week (Monday, 'YYYY-MM-DD') and verdict, in date order; key '' holds the undated. */
export function weeklyCounts(db: Db): KeyCount[] {
  const rows = db
    .prepare("SELECT key, verdict, n FROM overview_counts WHERE dimension = 'week' AND n > 0 ORDER BY key")
    .all() as CountRow[];
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

/** Strong and weak findings per week of their message's Date (Monday, 'YYYY-MM-DD'; '' = undated), in date order. */
export function findingWeeklyCounts(db: Db): { key: string; total: number; severities: Partial<Record<'strong' | 'weak', number>> }[] {
  const rows = db.prepare('SELECT week, severity, n FROM finding_week_counts WHERE n > 0 ORDER BY week').all() as {
    week: string;
    severity: 'strong' | 'weak';
    n: number;
  }[];
  const weeks = new Map<string, { key: string; total: number; severities: Partial<Record<'strong' | 'weak', number>> }>();
  for (const r of rows) {
    const w = weeks.get(r.week) ?? { key: r.week, total: 0, severities: {} };
    w.total += r.n;
    w.severities[r.severity] = r.n;
    weeks.set(r.week, w);
  }
  return [...weeks.values()];
}
