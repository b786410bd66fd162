-- A message's bytes, parsed structure and decoded bodies move to a table of their own (issue 8).
-- A small message's row in `messages` was about 14 KB (the bytes, the parsed JSON, the text body) and
-- filled a 16 KiB page by itself, so every scan of `messages` read every message whole, however few
-- columns it wanted: each of the ten deferred `messages_*` indexes built at the end of an import, the
-- archive pass and the per-commit counts read about 15 GB each at a million messages, more than the
-- page cache held. `messages` now keeps the short columns that lists, counts, indexes and checks read
-- (a few hundred bytes a row), and `message_content` the large ones, appended in the same order.
--
--   id      the message's rowid in `messages` (a new message's content is written right after it)
--   sha256  the message's hash again: every reader joins on both, so content can never be paired
--           with another message, even if a tool that renumbers rowids touched the file
--
-- The full-text index reads its columns through the view `full_messages` (the short columns and the
-- content, joined), which the readers of bodies and bytes use too. Changing an FTS5 table's content
-- needs a new table, so the index is built again here, over every stored message.
CREATE TABLE message_content (
  id        INTEGER PRIMARY KEY,
  sha256    TEXT    NOT NULL REFERENCES messages (sha256) ON DELETE CASCADE,
  parsed    TEXT    NOT NULL,         -- JSON: headers, addresses, Received hops, attachments, problems
  body_text TEXT,
  body_html TEXT,
  raw       BLOB    NOT NULL          -- the exact bytes, never rewritten
);
INSERT INTO message_content (id, sha256, parsed, body_text, body_html, raw)
  SELECT rowid, sha256, parsed, body_text, body_html, raw FROM messages ORDER BY rowid;

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;

-- Each DROP COLUMN rewrites every row: the largest go first, so the later rewrites are short.
ALTER TABLE messages DROP COLUMN raw;
ALTER TABLE messages DROP COLUMN parsed;
ALTER TABLE messages DROP COLUMN body_text;
ALTER TABLE messages DROP COLUMN body_html;

-- Every column a message had before this migration, and its rowid as `id`.
CREATE VIEW full_messages AS
  SELECT m.rowid AS id, m.*, c.parsed, c.body_text, c.body_html, c.raw
  FROM messages m JOIN message_content c ON c.id = m.rowid AND c.sha256 = m.sha256;

CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, from_address, from_name, to_addresses, body_text,
  content = 'full_messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
UPDATE index_state SET upto = (SELECT ifnull(max(id), 0) FROM message_content) WHERE id = 1;

-- As in migration 007, with the text body read from the content: a message is indexed when its
-- content is written (after its row), as long as the index is complete and no import defers it.
CREATE TRIGGER messages_fts_insert AFTER INSERT ON message_content
WHEN (SELECT deferred = 0 AND upto = new.id - 1 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
    SELECT new.id, subject, from_address, from_name, to_addresses, new.body_text FROM messages
    WHERE rowid = new.id AND sha256 = new.sha256;
  UPDATE index_state SET upto = new.id WHERE id = 1;
END;

-- Before the row goes, while its content (deleted with it, ON DELETE CASCADE) can still be read.
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

CREATE TRIGGER message_content_fts_update AFTER UPDATE OF body_text ON message_content
WHEN old.id <= (SELECT upto FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
    SELECT 'delete', old.id, subject, from_address, from_name, to_addresses, old.body_text FROM messages
    WHERE rowid = old.id;
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
    SELECT new.id, subject, from_address, from_name, to_addresses, new.body_text FROM messages
    WHERE rowid = new.id;
END;
