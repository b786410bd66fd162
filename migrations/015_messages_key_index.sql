-- leaktriage: foreign keys off
-- The hash key of `messages` becomes an index of its own, `messages_sha256`, that an import into an
-- empty database can drop and build again at its end, as it does the other keys (issue 8). As the
-- table's PRIMARY KEY it could not be dropped, and every new message went into it at a random place:
-- with a million messages, each commit of a few thousand dirtied most of its pages again and wrote
-- them to the WAL, then to the database (bench/hash-key-cost.ts: 1,000,000 rows committed 2,600 at a
-- time took 129.4 s and wrote 10.2 GB keyed by hash, 16.7 s and 0.6 GB keyed by rowid). While the
-- index is away the import keeps the hashes unique itself (src/store/message-key.ts).
--
-- The table is made again (SQLite cannot drop a PRIMARY KEY) with the same columns and the same
-- rowids, which message_content.id follows. The first line above makes the migration run with
-- foreign keys off, as SQLite's procedure for such changes requires: with them on, dropping the old
-- table would delete every row that refers to it (ON DELETE CASCADE) and renaming it would point the
-- references at the old name; the migration then checks every reference before it commits. Dropping
-- the old table drops its indexes and triggers: they are made again below as they were.
PRAGMA legacy_alter_table = ON;

CREATE TABLE messages_new (
  sha256           TEXT    NOT NULL,         -- SHA-256 of the exact bytes: the message's id (messages_sha256)
  size             INTEGER NOT NULL,
  first_run_id     INTEGER NOT NULL REFERENCES import_runs (id),
  imported_at      TEXT    NOT NULL,
  message_id       TEXT,
  from_address     TEXT,
  from_name        TEXT,
  from_domain      TEXT,
  to_addresses     TEXT,                     -- To and Cc addresses joined by ', '
  subject          TEXT,
  date_header      TEXT,
  date_epoch       INTEGER,
  in_reply_to      TEXT,
  list_id          TEXT,
  mailer           TEXT,
  as_of            INTEGER NOT NULL,         -- the time the message was verified as of
  as_of_source     TEXT    NOT NULL CHECK (as_of_source IN ('received', 'dkim-t', 'date', 'import')),
  verdict          TEXT    NOT NULL CHECK (verdict IN ('verified', 'tampered', 'suspicious', 'unverifiable')),
  summary          TEXT    NOT NULL,
  reasons          TEXT    NOT NULL,         -- reason codes joined by ';'
  signature_count  INTEGER NOT NULL,
  dkim             TEXT    NOT NULL,         -- per signature 'd=/s=/result' joined by ';'
  arc_result       TEXT    NOT NULL,
  arc              TEXT    NOT NULL,         -- JSON ArcCheck
  key_source       TEXT,                     -- sources of the keys used, joined by ';'
  verifier_version TEXT    NOT NULL);
INSERT INTO messages_new (rowid, sha256, size, first_run_id, imported_at, message_id, from_address, from_name,
  from_domain, to_addresses, subject, date_header, date_epoch, in_reply_to, list_id, mailer, as_of, as_of_source,
  verdict, summary, reasons, signature_count, dkim, arc_result, arc, key_source, verifier_version)
  SELECT rowid, sha256, size, first_run_id, imported_at, message_id, from_address, from_name,
    from_domain, to_addresses, subject, date_header, date_epoch, in_reply_to, list_id, mailer, as_of, as_of_source,
    verdict, summary, reasons, signature_count, dkim, arc_result, arc, key_source, verifier_version
  FROM messages ORDER BY rowid;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;

CREATE UNIQUE INDEX messages_sha256 ON messages (sha256);

-- As they were (migrations 001-013).
CREATE INDEX messages_date ON messages (date_epoch, sha256);

CREATE INDEX messages_from_domain ON messages (from_domain, date_epoch);

CREATE INDEX messages_from_sort ON messages (ifnull(from_address, '') COLLATE NOCASE);

CREATE INDEX messages_in_reply_to ON messages (in_reply_to);

CREATE INDEX messages_message_id ON messages (message_id);

CREATE INDEX messages_reasons_sort ON messages (reasons);

CREATE INDEX messages_signed ON messages (signature_count);

CREATE INDEX messages_size ON messages (size);

CREATE INDEX messages_subject_sort ON messages (ifnull(subject, '') COLLATE NOCASE);

CREATE INDEX messages_verdict ON messages (verdict, date_epoch, sha256);

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

CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages
WHEN old.rowid <= (SELECT upto FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses,
    (SELECT body_text FROM message_content WHERE id = old.rowid));
END;

CREATE TRIGGER messages_fts_deleted AFTER DELETE ON messages
WHEN old.rowid <= (SELECT upto FROM index_state WHERE id = 1) BEGIN
  UPDATE index_state SET upto = min(upto, (SELECT ifnull(max(rowid), 0) FROM messages)) WHERE id = 1;
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF subject, from_address, from_name, to_addresses ON messages
WHEN old.rowid <= (SELECT upto FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses,
    (SELECT body_text FROM message_content WHERE id = old.rowid));
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses,
    (SELECT body_text FROM message_content WHERE id = new.rowid));
END;

CREATE TRIGGER overview_code_verdict_update AFTER UPDATE OF verdict ON messages
WHEN old.verdict IS NOT new.verdict AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, old.verdict, -count(*) FROM findings WHERE sha256 = old.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, new.verdict, count(*) FROM findings WHERE sha256 = new.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER overview_messages_delete AFTER DELETE ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', old.verdict, -1), ('all', '', '', -1),
    ('domain', ifnull(old.from_domain, ''), old.verdict, -1), ('domain', ifnull(old.from_domain, ''), '', -1),
    ('week', ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), old.verdict, -1),
    ('week', ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER overview_messages_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', new.verdict, 1), ('all', '', '', 1),
    ('domain', ifnull(new.from_domain, ''), new.verdict, 1), ('domain', ifnull(new.from_domain, ''), '', 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), new.verdict, 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

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

CREATE TRIGGER overview_signed_delete AFTER DELETE ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, old.verdict, -1),
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER overview_signed_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, new.verdict, 1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

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

CREATE TRIGGER triage_messages_delete AFTER DELETE ON messages BEGIN
  DELETE FROM triage WHERE sha256 = old.sha256;
END;

CREATE TRIGGER triage_messages_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT OR REPLACE INTO triage (sha256, tier, date_key, signed) VALUES (new.sha256,
    CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    ifnull(new.date_epoch, 9007199254740991), new.signature_count > 0);
END;

CREATE TRIGGER triage_messages_update AFTER UPDATE OF verdict, date_epoch, signature_count ON messages
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  UPDATE triage SET
    tier = CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    date_key = ifnull(new.date_epoch, 9007199254740991),
    signed = new.signature_count > 0
  WHERE sha256 = new.sha256;
END;
