-- What the review screens need to put the weightiest evidence first and to sort by any column of the
-- queue, fast on a million messages. Triggers keep the new tables; every key expression is NULL-safe
-- so that a trigger can never fail an import. Like the summary triggers of migration 007, the insert
-- triggers stand aside while an import writes (index_state.deferred): its write batches add the same
-- rows and counts in one statement each (src/store/search-index.ts countBatch).

-- The triage order of the queue (`_sort=triage`, the default): tampered before suspicious before
-- unverifiable before verified; within a verdict, more strong findings first, then more weak ones;
-- then the Date, oldest first, undated last (date_key 2^53 - 1: past any Date a parser returns, and
-- still an exact number in JavaScript). A narrow table of its own: the messages rows hold the raw
-- bytes, and rewriting one for every finding would copy them.
CREATE TABLE triage (
  sha256   TEXT    PRIMARY KEY,
  tier     INTEGER NOT NULL,            -- 0 tampered, 1 suspicious, 2 unverifiable, 3 verified
  strong   INTEGER NOT NULL DEFAULT 0,  -- strong findings of the message
  weak     INTEGER NOT NULL DEFAULT 0,  -- weak findings
  date_key INTEGER NOT NULL,
  signed   INTEGER NOT NULL DEFAULT 0,  -- 1 when the message has a DKIM-Signature
  -- One number to order by: the tier, then up to 999 strong and 999 weak findings, most first.
  rank     INTEGER NOT NULL GENERATED ALWAYS AS
    (tier * 1000000 + (999 - min(max(strong, 0), 999)) * 1000 + (999 - min(max(weak, 0), 999))) STORED
) WITHOUT ROWID;
-- The order, then what the queue's commonest filters test (signed, verdict tier): a walk of the
-- triage order tests them in the index and reads a message only when it is shown.
CREATE INDEX triage_order ON triage (rank, date_key, sha256, signed, tier);

-- Strong and weak findings per week of their message's Date (Monday, '' = undated): the overview's
-- chart of findings over time, where a burst of planted messages stands out.
CREATE TABLE finding_week_counts (
  week     TEXT    NOT NULL,
  severity TEXT    NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (week, severity)
) WITHOUT ROWID;

CREATE TRIGGER triage_messages_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT OR REPLACE INTO triage (sha256, tier, date_key, signed) VALUES (new.sha256,
    CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    ifnull(new.date_epoch, 9007199254740991), new.signature_count > 0);
END;

CREATE TRIGGER triage_messages_update AFTER UPDATE OF verdict, date_epoch, signature_count ON messages BEGIN
  UPDATE triage SET
    tier = CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    date_key = ifnull(new.date_epoch, 9007199254740991),
    signed = new.signature_count > 0
  WHERE sha256 = new.sha256;
END;

CREATE TRIGGER triage_messages_delete AFTER DELETE ON messages BEGIN
  DELETE FROM triage WHERE sha256 = old.sha256;
END;

CREATE TRIGGER triage_findings_insert AFTER INSERT ON findings
WHEN new.severity IN ('strong', 'weak') AND (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  UPDATE triage SET strong = strong + (new.severity = 'strong'), weak = weak + (new.severity = 'weak')
  WHERE sha256 = new.sha256;
  INSERT INTO finding_week_counts (week, severity, n)
    VALUES (ifnull((SELECT date(date_key, 'unixepoch', '-6 days', 'weekday 1') FROM triage WHERE sha256 = new.sha256), ''),
      new.severity, 1)
  ON CONFLICT (week, severity) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER triage_findings_delete AFTER DELETE ON findings WHEN old.severity IN ('strong', 'weak') BEGIN
  UPDATE triage SET strong = strong - (old.severity = 'strong'), weak = weak - (old.severity = 'weak')
  WHERE sha256 = old.sha256;
  INSERT INTO finding_week_counts (week, severity, n)
    VALUES (ifnull((SELECT date(date_key, 'unixepoch', '-6 days', 'weekday 1') FROM triage WHERE sha256 = old.sha256), ''),
      old.severity, -1)
  ON CONFLICT (week, severity) DO UPDATE SET n = n - 1;
END;

-- A message whose Date changes takes its findings to the other week.
CREATE TRIGGER finding_weeks_date_update AFTER UPDATE OF date_epoch ON messages
WHEN old.date_epoch IS NOT new.date_epoch BEGIN
  INSERT INTO finding_week_counts (week, severity, n)
    SELECT ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), severity, -count(*) FROM findings
    WHERE sha256 = old.sha256 AND severity IN ('strong', 'weak') GROUP BY severity
  ON CONFLICT (week, severity) DO UPDATE SET n = n + excluded.n;
  INSERT INTO finding_week_counts (week, severity, n)
    SELECT ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), severity, count(*) FROM findings
    WHERE sha256 = new.sha256 AND severity IN ('strong', 'weak') GROUP BY severity
  ON CONFLICT (week, severity) DO UPDATE SET n = n + excluded.n;
END;

-- Backfill from what earlier imports stored.
INSERT INTO triage (sha256, tier, strong, weak, date_key, signed)
  SELECT m.sha256,
    CASE m.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    (SELECT count(*) FROM findings f WHERE f.sha256 = m.sha256 AND f.severity = 'strong'),
    (SELECT count(*) FROM findings f WHERE f.sha256 = m.sha256 AND f.severity = 'weak'),
    ifnull(m.date_epoch, 9007199254740991), m.signature_count > 0
  FROM messages m;
INSERT INTO finding_week_counts (week, severity, n)
  SELECT ifnull(date(m.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), f.severity, count(*)
  FROM findings f JOIN messages m ON m.sha256 = f.sha256 WHERE f.severity IN ('strong', 'weak') GROUP BY 1, 2;

-- Messages with and without a DKIM signature, per verdict ('' the total), in the overview's summary
-- table: the queue's total under `signed=yes|no` without counting half a million rows.
CREATE TRIGGER overview_signed_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, new.verdict, 1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER overview_signed_delete AFTER DELETE ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, old.verdict, -1),
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER overview_signed_update AFTER UPDATE OF verdict, signature_count ON messages
WHEN old.verdict IS NOT new.verdict OR old.signature_count IS NOT new.signature_count BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, old.verdict, -1),
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, '', -1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, new.verdict, 1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO overview_counts (dimension, key, verdict, n)
  SELECT 'signed', CASE WHEN signature_count > 0 THEN 'yes' ELSE 'no' END, verdict, count(*) FROM messages GROUP BY 2, 3
  UNION ALL SELECT 'signed', CASE WHEN signature_count > 0 THEN 'yes' ELSE 'no' END, '', count(*) FROM messages GROUP BY 2;

-- Findings per code and machine verdict (dimension 'code', verdict != ''; migration 002 keeps the
-- totals): the triage order skips a verdict none of whose messages has the code it filters on.
CREATE TRIGGER overview_code_verdict_insert AFTER INSERT ON findings
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', new.code, verdict, 1 FROM messages WHERE sha256 = new.sha256
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER overview_code_verdict_delete AFTER DELETE ON findings BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', old.code, verdict, -1 FROM messages WHERE sha256 = old.sha256
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER overview_code_verdict_update AFTER UPDATE OF verdict ON messages
WHEN old.verdict IS NOT new.verdict BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, old.verdict, -count(*) FROM findings WHERE sha256 = old.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, new.verdict, count(*) FROM findings WHERE sha256 = new.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;

INSERT INTO overview_counts (dimension, key, verdict, n)
  SELECT 'code', f.code, m.verdict, count(*) FROM findings f JOIN messages m ON m.sha256 = f.sha256 GROUP BY 2, 3;

-- Every column of the queue can be sorted; each order walks an index, never sorts the archive. The
-- row id breaks ties (it is in every index). Text sorts ignore case, as a reader expects.
CREATE INDEX messages_from_sort ON messages (ifnull(from_address, '') COLLATE NOCASE);
CREATE INDEX messages_subject_sort ON messages (ifnull(subject, '') COLLATE NOCASE);
CREATE INDEX messages_reasons_sort ON messages (reasons);
CREATE INDEX messages_signed ON messages (signature_count);
CREATE INDEX messages_size ON messages (size);
