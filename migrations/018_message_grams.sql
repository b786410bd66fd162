-- The word grams of each message (its text's and its quotes') move out of message_facts to a table
-- of their own (issue 8). They were 1.6 KB of a small message's 2.4 KB facts row, yet only the
-- comparison of copies and of replies with their parents reads them, a few messages at a time; the
-- archive pass reads every other column of every row, four times over (the places, twice, then its
-- learning and its judging pass), and an import builds message_facts_message over the whole table.
-- On the database of 1,000,000 small messages message_facts was 2.7 GB, more than stayed in the
-- page cache beside the rest, so each of those passes read it from the disk again.
--
--   id      the rowid of the message in `messages`, as message_content's (migration 012)
--   sha256  the message's hash again: every reader joins on both
CREATE TABLE message_grams (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT    NOT NULL REFERENCES messages (sha256),
  quote_grams TEXT    NOT NULL,
  text_grams  TEXT    NOT NULL
);
INSERT INTO message_grams (id, sha256, quote_grams, text_grams)
  SELECT m.rowid, f.sha256, f.quote_grams, f.text_grams FROM message_facts f JOIN messages m ON m.sha256 = f.sha256
  ORDER BY m.rowid;

ALTER TABLE message_facts DROP COLUMN text_grams;
ALTER TABLE message_facts DROP COLUMN quote_grams;
