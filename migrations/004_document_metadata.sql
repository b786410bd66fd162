-- What an attached office document or PDF says about itself (src/parse/document-metadata.ts): one row
-- per attachment that is such a document, beside its attachments row. The archive-wide document
-- checks read these rows; the message page and the export show them. Times are Unix seconds.
CREATE TABLE attachment_documents (
  sha256             TEXT    NOT NULL,
  idx                INTEGER NOT NULL,
  format             TEXT    NOT NULL CHECK (format IN ('docx', 'xlsx', 'pptx', 'odt', 'ods', 'odp', 'pdf')),
  title              TEXT,
  author             TEXT,
  last_modified_by   TEXT,
  application        TEXT,
  producer           TEXT,
  company            TEXT,
  language           TEXT,                      -- as the document writes it, e.g. 'ru-RU'
  created            INTEGER,
  modified           INTEGER,
  times_without_zone INTEGER NOT NULL,          -- 1: a time had no zone and was read as UTC
  revision           INTEGER,
  template           TEXT,
  problems           TEXT    NOT NULL,          -- JSON array of plain reasons (damaged parts, limits)
  PRIMARY KEY (sha256, idx),
  FOREIGN KEY (sha256, idx) REFERENCES attachments (sha256, idx)
) WITHOUT ROWID;
