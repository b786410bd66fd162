-- The full-text index and the summary counts leave the import's hot path. Tokenizing subject, addresses and body text in
-- a per-row trigger was about a sixth of the import's CPU time, all of it on the thread that writes
-- (bench: 6.35 s with the trigger, 5.3 s without, for 2,000 mixed messages). An import now defers
-- the index while it writes and builds it in bulk, in slices while it waits for its workers and
-- the rest at its end (src/store/search-index.ts). Anyone else's insert is indexed at once, as
-- before, as long as the index is complete.
--   upto      the last messages.rowid indexed: rows above it are not yet searchable
--   deferred  1 while an import writes without indexing or counting (a killed one leaves it set until the next
--             import ends and completes the index)
-- The summary tables' insert triggers (six upserts per message, more per source, finding and
-- signature) doubled the cost of writing a small message; while an import writes, it adds the
-- counts of each batch in one statement inside the same transaction instead
-- (src/store/search-index.ts countBatch), so the overview is right at every commit.
CREATE TABLE index_state (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  upto     INTEGER NOT NULL,
  deferred INTEGER NOT NULL DEFAULT 0
);
-- Everything stored so far was indexed by the trigger.
INSERT INTO index_state (id, upto) SELECT 1, ifnull(max(rowid), 0) FROM messages;

-- New rowids are max(rowid) + 1: a row right after a complete index keeps it complete.
DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN (SELECT deferred = 0 AND upto = new.rowid - 1 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
  UPDATE index_state SET upto = new.rowid WHERE id = 1;
END;

-- Deleting or changing an indexed row takes it out of the index; a row not indexed yet must not be
-- (an external-content FTS5 'delete' of a row it never saw corrupts the index). After deleting the
-- last rows, their rowids are given out again: the mark follows them down.
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.rowid <= (SELECT upto FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
  UPDATE index_state SET upto = min(upto, (SELECT ifnull(max(rowid), 0) FROM messages)) WHERE id = 1;
END;

DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update
AFTER UPDATE OF subject, from_address, from_name, to_addresses, body_text ON messages
WHEN old.rowid <= (SELECT upto FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
END;

-- The summary triggers of migration 002, skipped while an import counts in batches.
DROP TRIGGER overview_messages_insert;
CREATE TRIGGER overview_messages_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', new.verdict, 1), ('all', '', '', 1),
    ('domain', ifnull(new.from_domain, ''), new.verdict, 1), ('domain', ifnull(new.from_domain, ''), '', 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), new.verdict, 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER overview_sources_insert;
CREATE TRIGGER overview_sources_insert AFTER INSERT ON sources
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(new.mailbox, new.folder, ''), v, 1 FROM (
      SELECT verdict AS v FROM messages WHERE sha256 = new.sha256 UNION ALL SELECT '')
    WHERE true
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER overview_findings_insert;
CREATE TRIGGER overview_findings_insert AFTER INSERT ON findings
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', new.code, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER signature_key_counts_insert;
CREATE TRIGGER signature_key_counts_insert AFTER INSERT ON signatures
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (new.key_name, ifnull(new.key_source, ''), new.result, 1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n + 1;
END;
