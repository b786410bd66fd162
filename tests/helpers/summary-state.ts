// The triage table and the findings per week as stored (migration 008), beside what a recount of the
// messages and findings gives: the two must always be equal, whichever path wrote them.
import { expect } from 'vitest';
import type { Db } from '../../src/store/database.ts';

export function triageState(db: Db): { stored: unknown; counted: unknown } {
  return {
    stored: {
      triage: db.prepare('SELECT sha256, tier, strong, weak, date_key, signed FROM triage ORDER BY sha256').all(),
      weeks: db.prepare('SELECT week, severity, n FROM finding_week_counts WHERE n != 0 ORDER BY 1, 2').all(),
    },
    counted: {
      triage: db
        .prepare(
          `SELECT m.sha256, CASE m.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END AS tier,
             (SELECT count(*) FROM findings f WHERE f.sha256 = m.sha256 AND severity = 'strong') AS strong,
             (SELECT count(*) FROM findings f WHERE f.sha256 = m.sha256 AND severity = 'weak') AS weak,
             ifnull(m.date_epoch, 9007199254740991) AS date_key, m.signature_count > 0 AS signed
           FROM messages m ORDER BY sha256`,
        )
        .all(),
      weeks: db
        .prepare(
          `SELECT ifnull(date(m.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), '') AS week, f.severity, count(*) AS n
           FROM findings f JOIN messages m USING (sha256) WHERE f.severity IN ('strong', 'weak') GROUP BY 1, 2 ORDER BY 1, 2`,
        )
        .all(),
    },
  };
}

const RECOUNT = `SELECT 'all' AS d, '' AS k, verdict AS v, count(*) AS n FROM messages GROUP BY verdict
  UNION ALL SELECT 'all', '', '', count(*) FROM messages
  UNION ALL SELECT 'domain', ifnull(from_domain, ''), verdict, count(*) FROM messages GROUP BY 2, 3
  UNION ALL SELECT 'domain', ifnull(from_domain, ''), '', count(*) FROM messages GROUP BY 2
  UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), verdict, count(*) FROM messages GROUP BY 2, 3
  UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', count(*) FROM messages GROUP BY 2
  UNION ALL SELECT 'mailbox', coalesce(s.mailbox, s.folder, ''), m.verdict, count(*) FROM sources s JOIN messages m USING (sha256) GROUP BY 2, 3
  UNION ALL SELECT 'mailbox', coalesce(mailbox, folder, ''), '', count(*) FROM sources GROUP BY 2
  UNION ALL SELECT 'code', code, '', count(*) FROM findings GROUP BY 2
  UNION ALL SELECT 'code', f.code, m.verdict, count(*) FROM findings f JOIN messages m USING (sha256) GROUP BY 2, 3
  UNION ALL SELECT 'signed', CASE WHEN signature_count > 0 THEN 'yes' ELSE 'no' END, verdict, count(*) FROM messages GROUP BY 2, 3
  UNION ALL SELECT 'signed', CASE WHEN signature_count > 0 THEN 'yes' ELSE 'no' END, '', count(*) FROM messages GROUP BY 2
  UNION ALL SELECT 'key', key_name || '/' || ifnull(key_source, ''), result, count(*) FROM signatures GROUP BY 2, 3`;

const STORED = `SELECT dimension AS d, key AS k, verdict AS v, n FROM overview_counts WHERE n != 0
  UNION ALL SELECT 'key', key_name || '/' || ifnull(key_source, ''), result, n FROM signature_key_counts WHERE n != 0`;

function lines(db: Db, sql: string): string[] {
  const rows = db.prepare(sql).all() as { d: string; k: string; v: string; n: number }[];
  return rows.map((r) => `${r.d}|${r.k}|${r.v}|${r.n}`).sort();
}

/**
 * The summary counts (overview_counts, signature_key_counts) as stored, beside a recount of the
 * messages, sources, findings and signatures the slow way: the two must always be equal.
 */
export function summaryCounts(db: Db): { stored: string[]; counted: string[] } {
  return { stored: lines(db, STORED), counted: lines(db, RECOUNT) };
}

/**
 * The summary counts and triage rows as stored equal a recount, and no archive pass left the
 * triggers standing aside (migration 013).
 */
export function expectCountsMatchRecount(db: Db): void {
  const counts = summaryCounts(db);
  expect(counts.stored).toEqual(counts.counted);
  const triage = triageState(db);
  expect(triage.stored).toEqual(triage.counted);
  expect(db.prepare('SELECT counts_paused FROM index_state').pluck().get()).toBe(0);
}
