-- The archive pass counts what it changes in one go (issue 8). Its writes are the findings it
-- replaces and the verdicts it decides again; every one of them fired the summary triggers, which
-- looked the message up again in findings, sources and triage and wrote a dozen counts, one message at
-- a time: on 1,000,000 small messages, with 147,000 verdicts decided again, replacing the findings
-- took 29 s and deciding the verdicts 52 s of a 274 s pass.
--
-- counts_paused is set by the pass inside its own write transaction and cleared before it commits, so
-- no other connection ever sees it set. While it is set, the triggers below stand aside; the pass takes
-- the touched messages' share of every count away before its writes and adds it back after them,
-- set-wise (src/store/archive-repo.ts: finishArchiveFindings, countTouched). Otherwise they do what
-- they did.
ALTER TABLE index_state ADD COLUMN counts_paused INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER overview_code_verdict_delete;
CREATE TRIGGER overview_code_verdict_delete AFTER DELETE ON findings
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', old.code, verdict, -1 FROM messages WHERE sha256 = old.sha256
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

DROP TRIGGER overview_code_verdict_insert;
CREATE TRIGGER overview_code_verdict_insert AFTER INSERT ON findings
WHEN (SELECT deferred = 0 AND counts_paused = 0 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', new.code, verdict, 1 FROM messages WHERE sha256 = new.sha256
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER overview_code_verdict_update;
CREATE TRIGGER overview_code_verdict_update AFTER UPDATE OF verdict ON messages
WHEN old.verdict IS NOT new.verdict AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, old.verdict, -count(*) FROM findings WHERE sha256 = old.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, new.verdict, count(*) FROM findings WHERE sha256 = new.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;

DROP TRIGGER overview_findings_delete;
CREATE TRIGGER overview_findings_delete AFTER DELETE ON findings
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', old.code, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

DROP TRIGGER overview_findings_insert;
CREATE TRIGGER overview_findings_insert AFTER INSERT ON findings
WHEN (SELECT deferred = 0 AND counts_paused = 0 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', new.code, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER overview_messages_update;
CREATE TRIGGER overview_messages_update AFTER UPDATE OF verdict, from_domain, date_epoch ON messages
WHEN (old.verdict IS NOT new.verdict OR old.from_domain IS NOT new.from_domain OR old.date_epoch IS NOT new.date_epoch)
  AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', old.verdict, -1), ('all', '', new.verdict, 1),
    ('domain', ifnull(old.from_domain, ''), old.verdict, -1), ('domain', ifnull(old.from_domain, ''), '', -1),
    ('domain', ifnull(new.from_domain, ''), new.verdict, 1), ('domain', ifnull(new.from_domain, ''), '', 1),
    ('week', ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), old.verdict, -1),
    ('week', ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', -1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), new.verdict, 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(mailbox, folder, ''), old.verdict, -count(*) FROM sources
    WHERE sha256 = old.sha256 GROUP BY 2
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(mailbox, folder, ''), new.verdict, count(*) FROM sources
    WHERE sha256 = new.sha256 GROUP BY 2
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;

DROP TRIGGER overview_signed_update;
CREATE TRIGGER overview_signed_update AFTER UPDATE OF verdict, signature_count ON messages
WHEN (old.verdict IS NOT new.verdict OR old.signature_count IS NOT new.signature_count)
  AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, old.verdict, -1),
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, '', -1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, new.verdict, 1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;

DROP TRIGGER triage_findings_delete;
CREATE TRIGGER triage_findings_delete AFTER DELETE ON findings
WHEN old.severity IN ('strong', 'weak') AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  UPDATE triage SET strong = strong - (old.severity = 'strong'), weak = weak - (old.severity = 'weak')
  WHERE sha256 = old.sha256;
  INSERT INTO finding_week_counts (week, severity, n)
    VALUES (ifnull((SELECT date(date_key, 'unixepoch', '-6 days', 'weekday 1') FROM triage WHERE sha256 = old.sha256), ''),
      old.severity, -1)
  ON CONFLICT (week, severity) DO UPDATE SET n = n - 1;
END;

DROP TRIGGER triage_findings_insert;
CREATE TRIGGER triage_findings_insert AFTER INSERT ON findings
WHEN new.severity IN ('strong', 'weak') AND (SELECT deferred = 0 AND counts_paused = 0 FROM index_state WHERE id = 1) BEGIN
  UPDATE triage SET strong = strong + (new.severity = 'strong'), weak = weak + (new.severity = 'weak')
  WHERE sha256 = new.sha256;
  INSERT INTO finding_week_counts (week, severity, n)
    VALUES (ifnull((SELECT date(date_key, 'unixepoch', '-6 days', 'weekday 1') FROM triage WHERE sha256 = new.sha256), ''),
      new.severity, 1)
  ON CONFLICT (week, severity) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER triage_messages_update;
CREATE TRIGGER triage_messages_update AFTER UPDATE OF verdict, date_epoch, signature_count ON messages
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  UPDATE triage SET
    tier = CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    date_key = ifnull(new.date_epoch, 9007199254740991),
    signed = new.signature_count > 0
  WHERE sha256 = new.sha256;
END;
