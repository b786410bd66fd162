-- A message's decoded HTML is read again from its stored bytes instead of being stored beside them
-- (issue 8: the bytes are not held twice). The bench's mixed dump stored 171 MB of decoded HTML
-- beside 2.72 GB of bytes; mail without large attachments is mostly HTML, so there the copy was a
-- large part of the database, and every byte of it went through the import's one writing thread.
--
--   html_chars  the decoded HTML's length in UTF-16 code units (as JavaScript counts it), NULL
--               when the message has none or when its row predates this migration
--
-- body_html now holds the HTML only of a message whose body the walk (src/parse/mime-walk.ts)
-- declined and mailparser read: that HTML is not read again from the bytes. Rows written before
-- keep theirs. A message has HTML when either column says so (src/store/stored-html.ts).
ALTER TABLE message_content ADD COLUMN html_chars INTEGER;

-- The view gains the column; the full-text index reads the view by name (migration 012).
DROP VIEW full_messages;
CREATE VIEW full_messages AS
  SELECT m.rowid AS id, m.*, c.parsed, c.body_text, c.body_html, c.html_chars, c.raw
  FROM messages m JOIN message_content c ON c.id = m.rowid AND c.sha256 = m.sha256;
