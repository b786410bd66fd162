-- The full-text index leaves the import's hot path. Tokenizing subject, addresses and body text in
-- a per-row trigger was about a sixth of the import's CPU time, all of it on the thread that writes
-- (bench: 6.35 s with the trigger, 5.3 s without, for 2,000 mixed messages). An import now defers
-- the index while it writes and builds it in bulk, in slices while it waits for its workers and
-- the rest at its end (src/store/search-index.ts). Anyone else's insert is indexed at once, as
-- before, as long as the index is complete.
--   upto      the last messages.rowid indexed: rows above it are not yet searchable
--   deferred  1 while an import writes without indexing (a killed one leaves it set until the next
--             import ends and completes the index)
-- The summary tables keep their triggers: they cost little and the overview must be right while an
-- import runs.
CREATE TABLE search_index_state (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  upto     INTEGER NOT NULL,
  deferred INTEGER NOT NULL DEFAULT 0
);
-- Everything stored so far was indexed by the trigger.
INSERT INTO search_index_state (id, upto) SELECT 1, ifnull(max(rowid), 0) FROM messages;

-- New rowids are max(rowid) + 1: a row right after a complete index keeps it complete.
DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN (SELECT deferred = 0 AND upto = new.rowid - 1 FROM search_index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
  UPDATE search_index_state SET upto = new.rowid WHERE id = 1;
END;

-- Deleting or changing an indexed row takes it out of the index; a row not indexed yet must not be
-- (an external-content FTS5 'delete' of a row it never saw corrupts the index). After deleting the
-- last rows, their rowids are given out again: the mark follows them down.
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.rowid <= (SELECT upto FROM search_index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
  UPDATE search_index_state SET upto = min(upto, (SELECT ifnull(max(rowid), 0) FROM messages)) WHERE id = 1;
END;

DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update
AFTER UPDATE OF subject, from_address, from_name, to_addresses, body_text ON messages
WHEN old.rowid <= (SELECT upto FROM search_index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
END;
