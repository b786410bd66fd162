-- What the review server needs to stay fast on a million messages: a full-text index, small summary
-- tables kept by triggers (the overview never counts 1M rows), and an index for the mailbox filter.
-- Triggers must never fail an import: every key expression is NULL-safe.

-- Full-text search over subject, addresses and body text. External content: the text stays in
-- `messages` and is not stored twice. It is keyed by messages.rowid, which VACUUM may renumber:
-- after a VACUUM run  INSERT INTO messages_fts(messages_fts) VALUES ('rebuild').
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, from_address, from_name, to_addresses, body_text,
  content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
END;

CREATE TRIGGER messages_fts_update
AFTER UPDATE OF subject, from_address, from_name, to_addresses, body_text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
END;

INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- Counts for the overview, per dimension and key, per machine verdict; verdict '' holds the total.
--   all     key ''                       messages
--   domain  From domain ('' = none)      messages
--   week    Monday of the Date's week    messages ('' = no usable Date)
--   mailbox mailbox, else folder         sources (a message found twice counts twice)
--   code    finding code                 findings (verdict '' only)
CREATE TABLE overview_counts (
  dimension TEXT    NOT NULL,
  key       TEXT    NOT NULL,
  verdict   TEXT    NOT NULL,
  n         INTEGER NOT NULL,
  PRIMARY KEY (dimension, key, verdict)
) WITHOUT ROWID;
-- "Top N domains/mailboxes" reads this index backwards instead of sorting every key.
CREATE INDEX overview_counts_top ON overview_counts (dimension, verdict, n);

CREATE TRIGGER overview_messages_insert AFTER INSERT ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', new.verdict, 1), ('all', '', '', 1),
    ('domain', ifnull(new.from_domain, ''), new.verdict, 1), ('domain', ifnull(new.from_domain, ''), '', 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), new.verdict, 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER overview_messages_delete AFTER DELETE ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', old.verdict, -1), ('all', '', '', -1),
    ('domain', ifnull(old.from_domain, ''), old.verdict, -1), ('domain', ifnull(old.from_domain, ''), '', -1),
    ('week', ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), old.verdict, -1),
    ('week', ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

-- A verdict changes when archive checks run after an import: move the message between buckets.
CREATE TRIGGER overview_messages_update AFTER UPDATE OF verdict, from_domain, date_epoch ON messages
WHEN old.verdict IS NOT new.verdict OR old.from_domain IS NOT new.from_domain
  OR old.date_epoch IS NOT new.date_epoch BEGIN
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

CREATE TRIGGER overview_sources_insert AFTER INSERT ON sources BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(new.mailbox, new.folder, ''), v, 1 FROM (
      SELECT verdict AS v FROM messages WHERE sha256 = new.sha256 UNION ALL SELECT '')
    WHERE true
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER overview_sources_delete AFTER DELETE ON sources BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(old.mailbox, old.folder, ''), v, -1 FROM (
      SELECT verdict AS v FROM messages WHERE sha256 = old.sha256 UNION ALL SELECT '')
    WHERE true
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

CREATE TRIGGER overview_findings_insert AFTER INSERT ON findings BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', new.code, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER overview_findings_delete AFTER DELETE ON findings BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', old.code, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;

-- Backfill from what an earlier import stored.
INSERT INTO overview_counts (dimension, key, verdict, n)
  SELECT 'all', '', verdict, count(*) FROM messages GROUP BY verdict
  UNION ALL SELECT 'all', '', '', count(*) FROM messages
  UNION ALL SELECT 'domain', ifnull(from_domain, ''), verdict, count(*) FROM messages GROUP BY 2, 3
  UNION ALL SELECT 'domain', ifnull(from_domain, ''), '', count(*) FROM messages GROUP BY 2
  UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), verdict, count(*)
    FROM messages GROUP BY 2, 3
  UNION ALL SELECT 'week', ifnull(date(date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', count(*)
    FROM messages GROUP BY 2
  UNION ALL SELECT 'mailbox', coalesce(s.mailbox, s.folder, ''), m.verdict, count(*)
    FROM sources s JOIN messages m ON m.sha256 = s.sha256 GROUP BY 2, 3
  UNION ALL SELECT 'mailbox', coalesce(mailbox, folder, ''), '', count(*) FROM sources GROUP BY 2
  UNION ALL SELECT 'code', code, '', count(*) FROM findings GROUP BY 2;
DELETE FROM overview_counts WHERE dimension = 'all' AND n = 0;

-- How many signatures each key (name + source, '' when no key was found) took part in, per result.
CREATE TABLE signature_key_counts (
  key_name   TEXT    NOT NULL,
  key_source TEXT    NOT NULL,
  result     TEXT    NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (key_name, key_source, result)
) WITHOUT ROWID;

CREATE TRIGGER signature_key_counts_insert AFTER INSERT ON signatures BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (new.key_name, ifnull(new.key_source, ''), new.result, 1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER signature_key_counts_delete AFTER DELETE ON signatures BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (old.key_name, ifnull(old.key_source, ''), old.result, -1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n - 1;
END;

INSERT INTO signature_key_counts (key_name, key_source, result, n)
  SELECT key_name, ifnull(key_source, ''), result, count(*) FROM signatures GROUP BY 1, 2, 3;

-- The queue's mailbox filter ("mailbox, else folder") and the messages found there.
CREATE INDEX sources_mailbox_key ON sources (coalesce(mailbox, folder, ''), sha256);
