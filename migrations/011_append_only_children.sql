-- The rows written with each message go to the end of their tables (issue 8). Each of these tables
-- was keyed by the message's hash (WITHOUT ROWID, or a UNIQUE constraint): a new message's row went
-- to a random page of each, and at a million messages every one of those pages was dirtied again by
-- almost every transaction and written to the WAL, then to the database at the checkpoint: the
-- import of 1,000,000 small messages wrote 303 GB. Now they are rowid tables, filled in the order
-- messages arrive, and their keys are separate indexes that an import drops and builds again in bulk
-- when it ends, like those of migration 010 (src/store/deferred-indexes.ts lists them). Only the
-- primary key of `messages` (needed to tell a known message) and UNIQUE (path, sha256) of `sources`
-- (filled in path order) stay random on the hot path.
--
-- Uniqueness holds while an index is dropped because the writers keep it themselves: a message's rows
-- are written only with the message (insertMessage), the facts and references of a message are
-- deleted before they are written again (facts-repo.ts), and a run's manifest, which may list a
-- message twice while its index is away, is read with DISTINCT (manifest-repo.ts).
--
-- legacy_alter_table: the triggers of migrations 002-008 name `triage`, which is dropped and its
-- replacement renamed to it; the default RENAME checks the triggers against the schema halfway through
-- and refuses. With it on, RENAME only renames, and the triggers find the new table by its name.
PRAGMA legacy_alter_table = ON;

-- Its FOREIGN KEY named the attachment's (sha256, idx), which needs a UNIQUE index on attachments
-- at every insert; it names the message now, as the other tables do.
CREATE TABLE attachment_documents_new (
  sha256             TEXT    NOT NULL REFERENCES messages (sha256),
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
  problems           TEXT    NOT NULL           -- JSON array of plain reasons (damaged parts, limits)
);
INSERT INTO attachment_documents_new
  SELECT sha256, idx, format, title, author, last_modified_by, application, producer, company, language,
    created, modified, times_without_zone, revision, template, problems FROM attachment_documents;
DROP TABLE attachment_documents;
ALTER TABLE attachment_documents_new RENAME TO attachment_documents;
CREATE UNIQUE INDEX attachment_documents_message ON attachment_documents (sha256, idx);

CREATE TABLE attachments_new (
  sha256         TEXT    NOT NULL REFERENCES messages (sha256),
  idx            INTEGER NOT NULL,
  filename       TEXT,
  content_type   TEXT    NOT NULL,
  size           INTEGER NOT NULL,
  content_sha256 TEXT    NOT NULL,
  disposition    TEXT,
  content_id     TEXT
);
INSERT INTO attachments_new
  SELECT sha256, idx, filename, content_type, size, content_sha256, disposition, content_id FROM attachments;
DROP TABLE attachments;
ALTER TABLE attachments_new RENAME TO attachments;
CREATE UNIQUE INDEX attachments_message ON attachments (sha256, idx);
CREATE INDEX attachments_content ON attachments (content_sha256);

CREATE TABLE signatures_new (
  sha256              TEXT    NOT NULL REFERENCES messages (sha256),
  idx                 INTEGER NOT NULL,
  domain              TEXT    NOT NULL,
  selector            TEXT    NOT NULL,
  algorithm           TEXT    NOT NULL,
  canonicalization    TEXT    NOT NULL,
  version             TEXT,
  identity            TEXT,
  signed_headers      TEXT    NOT NULL,  -- h= lower-cased, joined by ':'
  body_length         INTEGER,
  sign_time           INTEGER,
  expires_at          INTEGER,
  body_hash           TEXT    NOT NULL CHECK (body_hash IN ('pass', 'fail', 'unknown')),
  -- b= over the signed headers alone: tells an edited body from a signature not made for this message
  header_signature    TEXT    NOT NULL DEFAULT 'unknown' CHECK (header_signature IN ('pass', 'fail', 'unknown')),
  result              TEXT    NOT NULL,
  comment             TEXT    NOT NULL,
  key_type            TEXT,
  key_bits            INTEGER,
  key_name            TEXT    NOT NULL,
  key_source          TEXT,
  key_revoked         INTEGER NOT NULL,
  key_first_seen      INTEGER,           -- when the key record was observed (archive exports)
  key_last_seen       INTEGER,
  key_error           TEXT,
  aligned             INTEGER NOT NULL,
  unsigned_body_bytes INTEGER NOT NULL,
  problem             TEXT,
  body_hash_computed  TEXT,
  body_hash_expected  TEXT
);
INSERT INTO signatures_new
  SELECT sha256, idx, domain, selector, algorithm, canonicalization, version, identity, signed_headers,
    body_length, sign_time, expires_at, body_hash, header_signature, result, comment, key_type, key_bits,
    key_name, key_source, key_revoked, key_first_seen, key_last_seen, key_error, aligned,
    unsigned_body_bytes, problem, body_hash_computed, body_hash_expected FROM signatures;
DROP TABLE signatures;
ALTER TABLE signatures_new RENAME TO signatures;
CREATE UNIQUE INDEX signatures_message ON signatures (sha256, idx);
CREATE INDEX signatures_key ON signatures (key_name);
-- The summary triggers of migrations 002 and 007 on signatures went with the old table: the same again.
CREATE TRIGGER signature_key_counts_insert AFTER INSERT ON signatures
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (new.key_name, ifnull(new.key_source, ''), new.result, 1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER signature_key_counts_delete AFTER DELETE ON signatures BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (old.key_name, ifnull(old.key_source, ''), old.result, -1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n - 1;
END;

CREATE TABLE triage_new (
  sha256   TEXT    NOT NULL,
  tier     INTEGER NOT NULL,            -- 0 tampered, 1 suspicious, 2 unverifiable, 3 verified
  strong   INTEGER NOT NULL DEFAULT 0,  -- strong findings of the message
  weak     INTEGER NOT NULL DEFAULT 0,  -- weak findings
  date_key INTEGER NOT NULL,
  signed   INTEGER NOT NULL DEFAULT 0,  -- 1 when the message has a DKIM-Signature
  -- One number to order by: the tier, then up to 999 strong and 999 weak findings, most first.
  rank     INTEGER NOT NULL GENERATED ALWAYS AS
    (tier * 1000000 + (999 - min(max(strong, 0), 999)) * 1000 + (999 - min(max(weak, 0), 999))) STORED
);
INSERT INTO triage_new (sha256, tier, strong, weak, date_key, signed)
  SELECT sha256, tier, strong, weak, date_key, signed FROM triage;
DROP TABLE triage;
ALTER TABLE triage_new RENAME TO triage;
CREATE UNIQUE INDEX triage_message ON triage (sha256);
CREATE INDEX triage_order ON triage (rank, date_key, sha256, signed, tier);

CREATE TABLE message_facts_new (
  sha256      TEXT    NOT NULL REFERENCES messages (sha256),
  version     INTEGER NOT NULL,
  placement   TEXT    NOT NULL,
  facts       TEXT    NOT NULL,
  quote_grams TEXT    NOT NULL,
  text_grams  TEXT    NOT NULL
);
INSERT INTO message_facts_new SELECT sha256, version, placement, facts, quote_grams, text_grams FROM message_facts;
DROP TABLE message_facts;
ALTER TABLE message_facts_new RENAME TO message_facts;
CREATE UNIQUE INDEX message_facts_message ON message_facts (sha256);

CREATE TABLE message_refs_new (
  ref    TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES messages (sha256)
);
INSERT INTO message_refs_new SELECT ref, sha256 FROM message_refs;
DROP TABLE message_refs;
ALTER TABLE message_refs_new RENAME TO message_refs;
CREATE UNIQUE INDEX message_refs_key ON message_refs (ref, sha256);

-- Not UNIQUE: a run that reads one message twice lists it twice while the index is away; the sealed
-- root and its leaf count read the distinct digests (manifest-repo.ts).
CREATE TABLE run_manifest_entries_new (
  run_id INTEGER NOT NULL REFERENCES import_runs (id),
  sha256 TEXT    NOT NULL              -- lower-case hex SHA-256 of the message's exact bytes
);
INSERT INTO run_manifest_entries_new SELECT run_id, sha256 FROM run_manifest_entries;
DROP TABLE run_manifest_entries;
ALTER TABLE run_manifest_entries_new RENAME TO run_manifest_entries;
CREATE INDEX run_manifest_entries_run ON run_manifest_entries (run_id, sha256);

PRAGMA legacy_alter_table = OFF;
