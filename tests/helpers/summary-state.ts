// The triage table and the findings per week as stored (migration 008), beside what a recount of the
// messages and findings gives: the two must always be equal, whichever path wrote them.
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
