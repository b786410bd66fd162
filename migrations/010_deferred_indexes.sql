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
