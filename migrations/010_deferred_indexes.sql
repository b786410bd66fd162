-- The indexes only the review screens and the archive pass read leave the import's hot path
-- (issue 8). Each new message touched about 13 random 16 KiB pages, most of them in the indexes
-- of `messages` on random keys (message_id, in_reply_to, subject, from...), and every commit wrote
-- each page it dirtied to the WAL: 20,000 small messages wrote 4.1 GB, 200,000 wrote 86.8 GB. An
-- import now drops those indexes when it starts and builds them again in bulk when it ends
-- (CREATE INDEX over a finished table is one sort): src/store/deferred-indexes.ts.
--   name  an index dropped while an import writes
--   sql   its CREATE INDEX statement, as sqlite_master held it, to build it again
-- A row here means the index is missing. A killed import leaves its rows: the next import to end
-- builds them, and so does the next writable open when no import is running.
CREATE TABLE deferred_indexes (
  name TEXT PRIMARY KEY,
  sql  TEXT NOT NULL
) WITHOUT ROWID;

-- The archive facts of a message (migration 009) were a WITHOUT ROWID table keyed by the message's
-- hash: rows of several KB each, inserted at random places, so each batch rewrote about one 16 KiB
-- page per message there (and split pages), all of it to the WAL and again at the checkpoint. A
-- rowid table appends them; only its small sha256 index is random. Strace of an import of 8,000
-- small messages: 767 MB written to the database and its WAL before, 458 MB after.
CREATE TABLE message_facts_by_rowid (
  sha256      TEXT    NOT NULL UNIQUE REFERENCES messages (sha256),
  version     INTEGER NOT NULL,
  placement   TEXT    NOT NULL,
  facts       TEXT    NOT NULL,
  quote_grams TEXT    NOT NULL,
  text_grams  TEXT    NOT NULL
);
INSERT INTO message_facts_by_rowid (sha256, version, placement, facts, quote_grams, text_grams)
  SELECT sha256, version, placement, facts, quote_grams, text_grams FROM message_facts;
DROP TABLE message_facts;
ALTER TABLE message_facts_by_rowid RENAME TO message_facts;
