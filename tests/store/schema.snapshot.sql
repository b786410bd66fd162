CREATE UNIQUE INDEX attachment_documents_message ON attachment_documents (sha256, idx);
CREATE INDEX attachments_content ON attachments (content_sha256);
CREATE UNIQUE INDEX attachments_message ON attachments (sha256, idx);
CREATE INDEX failures_run ON failures (run_id);
CREATE INDEX findings_code ON findings (code, sha256);
CREATE INDEX findings_sha256 ON findings (sha256);
CREATE INDEX keys_domain ON keys (domain);
CREATE INDEX keys_name ON keys (name);
CREATE UNIQUE INDEX keys_unique ON keys (name, value, source, ifnull(dns_error, ''));
CREATE UNIQUE INDEX message_facts_message ON message_facts (sha256);
CREATE INDEX message_facts_version ON message_facts (version);
CREATE UNIQUE INDEX message_refs_key ON message_refs (ref, sha256);
CREATE INDEX messages_date ON messages (date_epoch, sha256);
CREATE INDEX messages_from_domain ON messages (from_domain, date_epoch);
CREATE INDEX messages_from_sort ON messages (ifnull(from_address, '') COLLATE NOCASE);
CREATE INDEX messages_in_reply_to ON messages (in_reply_to);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_reasons_sort ON messages (reasons);
CREATE UNIQUE INDEX messages_sha256 ON messages (sha256);
CREATE INDEX messages_signed ON messages (signature_count);
CREATE INDEX messages_size ON messages (size);
CREATE INDEX messages_subject_sort ON messages (ifnull(subject, '') COLLATE NOCASE);
CREATE INDEX messages_verdict ON messages (verdict, date_epoch, sha256);
CREATE INDEX overview_counts_top ON overview_counts (dimension, verdict, n);
CREATE INDEX reviews_sha256 ON reviews (sha256, id);
CREATE INDEX run_manifest_entries_run ON run_manifest_entries (run_id, sha256);
CREATE INDEX signatures_key ON signatures (key_name);
CREATE UNIQUE INDEX signatures_message ON signatures (sha256, idx);
CREATE INDEX sources_by_mailbox_key ON sources (mailbox_key);
CREATE INDEX sources_mailbox ON sources (mailbox);
CREATE INDEX sources_mailbox_key ON sources (coalesce(mailbox, folder, ''), sha256);
CREATE INDEX sources_role ON sources (role, sha256);
CREATE INDEX sources_sha256 ON sources (sha256);
CREATE UNIQUE INDEX triage_message ON triage (sha256);
CREATE INDEX triage_order ON triage (rank, date_key, sha256, signed, tier);
CREATE TABLE "attachment_documents" (
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
CREATE TABLE "attachments" (
  sha256         TEXT    NOT NULL REFERENCES messages (sha256),
  idx            INTEGER NOT NULL,
  filename       TEXT,
  content_type   TEXT    NOT NULL,
  size           INTEGER NOT NULL,
  content_sha256 TEXT    NOT NULL,
  disposition    TEXT,
  content_id     TEXT
);
CREATE TABLE deferred_indexes (
  name TEXT PRIMARY KEY,
  sql  TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE failures (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES import_runs (id),
  kind       TEXT    NOT NULL CHECK (kind IN ('failure', 'skipped')),
  path       TEXT    NOT NULL,
  offset     INTEGER,
  code       TEXT    NOT NULL,
  reason     TEXT    NOT NULL,
  sha256     TEXT,              -- set when the bytes were stored but a stage failed on them
  created_at TEXT    NOT NULL
);
CREATE TABLE finding_week_counts (
  week     TEXT    NOT NULL,
  severity TEXT    NOT NULL,
  n        INTEGER NOT NULL,
  PRIMARY KEY (week, severity)
) WITHOUT ROWID;
CREATE TABLE findings (
  id       INTEGER PRIMARY KEY,
  sha256   TEXT NOT NULL REFERENCES messages (sha256),
  check_id TEXT NOT NULL,
  code     TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'weak', 'strong')),
  detail   TEXT NOT NULL,
  evidence TEXT NOT NULL      -- JSON
, signature INTEGER, explains TEXT);
CREATE TABLE import_runs (
  id            INTEGER PRIMARY KEY,
  started_at    TEXT    NOT NULL,
  finished_at   TEXT,
  -- 'running' until the run ends; a run found 'running' whose process is gone was interrupted.
  status        TEXT    NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
  inputs        TEXT    NOT NULL,          -- JSON array of the paths given
  options       TEXT    NOT NULL,          -- JSON of the options that shape results (dns, keys files)
  tool_version  TEXT    NOT NULL,
  pid           INTEGER,
  bytes_total   INTEGER,                   -- measured before reading, for ETA
  bytes_read    INTEGER NOT NULL DEFAULT 0,
  messages_seen INTEGER NOT NULL DEFAULT 0, -- message byte ranges read (new + already known)
  messages_new  INTEGER NOT NULL DEFAULT 0, -- of which new to this database
  sources_new   INTEGER NOT NULL DEFAULT 0, -- new (message, location) pairs
  failures      INTEGER NOT NULL DEFAULT 0,
  skipped       INTEGER NOT NULL DEFAULT 0,
  updated_at    TEXT,
  error         TEXT
);
CREATE TABLE index_state (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  upto     INTEGER NOT NULL,
  deferred INTEGER NOT NULL DEFAULT 0
, counts_paused INTEGER NOT NULL DEFAULT 0);
CREATE TABLE keys (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,      -- selector._domainkey.domain
  domain      TEXT    NOT NULL,
  selector    TEXT    NOT NULL,
  value       TEXT    NOT NULL,      -- TXT text, strings joined ('' for a simulated DNS error)
  source_kind TEXT    NOT NULL CHECK (source_kind IN ('zone', 'json', 'archive', 'dns')),
  source      TEXT    NOT NULL,
  first_seen  INTEGER,
  last_seen   INTEGER,
  fetched_at  INTEGER,
  dns_error   TEXT,
  imported_at TEXT    NOT NULL
);
CREATE TABLE mailboxes (
  key         TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  account     TEXT    NOT NULL,
  name_role   TEXT    NOT NULL CHECK (name_role IN ('sent', 'inbox', 'other')),
  owners      TEXT    NOT NULL,
  copies      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE message_content (
  id        INTEGER PRIMARY KEY,
  sha256    TEXT    NOT NULL REFERENCES messages (sha256) ON DELETE CASCADE,
  parsed    TEXT    NOT NULL,         -- JSON: headers, addresses, Received hops, attachments, problems
  body_text TEXT,
  body_html TEXT,
  raw       BLOB    NOT NULL          -- the exact bytes, never rewritten
, html_chars INTEGER);
CREATE TABLE "message_facts" (
  sha256      TEXT    NOT NULL REFERENCES messages (sha256),
  version     INTEGER NOT NULL,
  placement   TEXT    NOT NULL,
  facts       TEXT    NOT NULL);
CREATE TABLE message_grams (
  id          INTEGER PRIMARY KEY,
  sha256      TEXT    NOT NULL REFERENCES messages (sha256),
  quote_grams TEXT    NOT NULL,
  text_grams  TEXT    NOT NULL
);
CREATE TABLE "message_refs" (
  ref    TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES messages (sha256)
);
CREATE TABLE "messages" (
  sha256           TEXT    NOT NULL,         -- SHA-256 of the exact bytes: the message's id (messages_sha256)
  size             INTEGER NOT NULL,
  first_run_id     INTEGER NOT NULL REFERENCES import_runs (id),
  imported_at      TEXT    NOT NULL,
  message_id       TEXT,
  from_address     TEXT,
  from_name        TEXT,
  from_domain      TEXT,
  to_addresses     TEXT,                     -- To and Cc addresses joined by ', '
  subject          TEXT,
  date_header      TEXT,
  date_epoch       INTEGER,
  in_reply_to      TEXT,
  list_id          TEXT,
  mailer           TEXT,
  as_of            INTEGER NOT NULL,         -- the time the message was verified as of
  as_of_source     TEXT    NOT NULL CHECK (as_of_source IN ('received', 'dkim-t', 'date', 'import')),
  verdict          TEXT    NOT NULL CHECK (verdict IN ('verified', 'tampered', 'suspicious', 'unverifiable')),
  summary          TEXT    NOT NULL,
  reasons          TEXT    NOT NULL,         -- reason codes joined by ';'
  signature_count  INTEGER NOT NULL,
  dkim             TEXT    NOT NULL,         -- per signature 'd=/s=/result' joined by ';'
  arc_result       TEXT    NOT NULL,
  arc              TEXT    NOT NULL,         -- JSON ArcCheck
  key_source       TEXT,                     -- sources of the keys used, joined by ';'
  verifier_version TEXT    NOT NULL);
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, from_address, from_name, to_addresses, body_text,
  content = 'full_messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE 'messages_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE 'messages_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
CREATE TABLE 'messages_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE 'messages_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE overview_counts (
  dimension TEXT    NOT NULL,
  key       TEXT    NOT NULL,
  verdict   TEXT    NOT NULL,
  n         INTEGER NOT NULL,
  PRIMARY KEY (dimension, key, verdict)
) WITHOUT ROWID;
CREATE TABLE reviews (
  id         INTEGER PRIMARY KEY,
  sha256     TEXT NOT NULL REFERENCES messages (sha256),
  decision   TEXT NOT NULL CHECK (decision IN ('confirm', 'override')),
  verdict    TEXT NOT NULL CHECK (verdict IN ('verified', 'tampered', 'suspicious', 'unverifiable')),
  note       TEXT NOT NULL,
  reviewer   TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE "run_manifest_entries" (
  run_id INTEGER NOT NULL REFERENCES import_runs (id),
  sha256 TEXT    NOT NULL              -- lower-case hex SHA-256 of the message's exact bytes
);
CREATE TABLE run_manifests (
  run_id      INTEGER PRIMARY KEY REFERENCES import_runs (id),
  leaves      INTEGER NOT NULL,        -- messages listed for the run
  root        TEXT    NOT NULL,        -- hex Merkle root (RFC 6962 tree hash over the sorted digests)
  construction TEXT   NOT NULL,        -- names the construction, so a later one can be told apart
  sealed_at   TEXT    NOT NULL
);
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL);
CREATE TABLE signature_key_counts (
  key_name   TEXT    NOT NULL,
  key_source TEXT    NOT NULL,
  result     TEXT    NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (key_name, key_source, result)
) WITHOUT ROWID;
CREATE TABLE "signatures" (
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
, key_made TEXT NOT NULL DEFAULT 'unknown' CHECK (key_made IN ('yes', 'no', 'unknown')));
CREATE TABLE sources (
  id        INTEGER PRIMARY KEY,
  sha256    TEXT    NOT NULL REFERENCES messages (sha256),
  run_id    INTEGER NOT NULL REFERENCES import_runs (id),
  path      TEXT    NOT NULL,   -- as given on import, with '#offset' for mbox members, '!/' into zips
  container TEXT,
  mailbox   TEXT,
  folder    TEXT,
  offset    INTEGER,
  length    INTEGER NOT NULL, mailbox_key TEXT, role TEXT CHECK (role IN ('sent', 'inbox', 'other')),
  UNIQUE (path, sha256)
);
CREATE TABLE "triage" (
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
CREATE TRIGGER finding_weeks_date_update AFTER UPDATE OF date_epoch ON messages
WHEN old.date_epoch IS NOT new.date_epoch BEGIN
  INSERT INTO finding_week_counts (week, severity, n)
    SELECT ifnull(date(old.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), severity, -count(*) FROM findings
    WHERE sha256 = old.sha256 AND severity IN ('strong', 'weak') GROUP BY severity
  ON CONFLICT (week, severity) DO UPDATE SET n = n + excluded.n;
  INSERT INTO finding_week_counts (week, severity, n)
    SELECT ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), severity, count(*) FROM findings
    WHERE sha256 = new.sha256 AND severity IN ('strong', 'weak') GROUP BY severity
  ON CONFLICT (week, severity) DO UPDATE SET n = n + excluded.n;
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
CREATE TRIGGER messages_fts_insert AFTER INSERT ON message_content
WHEN (SELECT deferred = 0 AND upto = new.id - 1 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
    SELECT new.id, subject, from_address, from_name, to_addresses, new.body_text FROM messages
    WHERE rowid = new.id AND sha256 = new.sha256;
  UPDATE index_state SET upto = new.id WHERE id = 1;
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
CREATE TRIGGER overview_code_verdict_delete AFTER DELETE ON findings
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', old.code, verdict, -1 FROM messages WHERE sha256 = old.sha256
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER overview_code_verdict_insert AFTER INSERT ON findings
WHEN (SELECT deferred = 0 AND counts_paused = 0 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', new.code, verdict, 1 FROM messages WHERE sha256 = new.sha256
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER overview_code_verdict_update AFTER UPDATE OF verdict ON messages
WHEN old.verdict IS NOT new.verdict AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, old.verdict, -count(*) FROM findings WHERE sha256 = old.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'code', code, new.verdict, count(*) FROM findings WHERE sha256 = new.sha256 GROUP BY code
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER overview_findings_delete AFTER DELETE ON findings
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', old.code, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER overview_findings_insert AFTER INSERT ON findings
WHEN (SELECT deferred = 0 AND counts_paused = 0 FROM index_state WHERE id = 1) BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', new.code, '', 1)
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
CREATE TRIGGER overview_messages_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', new.verdict, 1), ('all', '', '', 1),
    ('domain', ifnull(new.from_domain, ''), new.verdict, 1), ('domain', ifnull(new.from_domain, ''), '', 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), new.verdict, 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER overview_messages_update AFTER UPDATE OF verdict, from_domain, date_epoch ON messages
WHEN (old.verdict IS NOT new.verdict OR old.from_domain IS NOT new.from_domain OR old.date_epoch IS NOT new.date_epoch)
  AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
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
CREATE TRIGGER overview_signed_delete AFTER DELETE ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, old.verdict, -1),
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER overview_signed_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, new.verdict, 1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER overview_signed_update AFTER UPDATE OF verdict, signature_count ON messages
WHEN (old.verdict IS NOT new.verdict OR old.signature_count IS NOT new.signature_count)
  AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, old.verdict, -1),
    ('signed', CASE WHEN old.signature_count > 0 THEN 'yes' ELSE 'no' END, '', -1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, new.verdict, 1),
    ('signed', CASE WHEN new.signature_count > 0 THEN 'yes' ELSE 'no' END, '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER overview_sources_delete AFTER DELETE ON sources BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(old.mailbox, old.folder, ''), v, -1 FROM (
      SELECT verdict AS v FROM messages WHERE sha256 = old.sha256 UNION ALL SELECT '')
    WHERE true
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER overview_sources_insert AFTER INSERT ON sources
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(new.mailbox, new.folder, ''), v, 1 FROM (
      SELECT verdict AS v FROM messages WHERE sha256 = new.sha256 UNION ALL SELECT '')
    WHERE true
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER signature_key_counts_delete AFTER DELETE ON signatures BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (old.key_name, ifnull(old.key_source, ''), old.result, -1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER signature_key_counts_insert AFTER INSERT ON signatures
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (new.key_name, ifnull(new.key_source, ''), new.result, 1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER triage_findings_delete AFTER DELETE ON findings
WHEN old.severity IN ('strong', 'weak') AND (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  UPDATE triage SET strong = strong - (old.severity = 'strong'), weak = weak - (old.severity = 'weak')
  WHERE sha256 = old.sha256;
  INSERT INTO finding_week_counts (week, severity, n)
    VALUES (ifnull((SELECT date(date_key, 'unixepoch', '-6 days', 'weekday 1') FROM triage WHERE sha256 = old.sha256), ''),
      old.severity, -1)
  ON CONFLICT (week, severity) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER triage_findings_insert AFTER INSERT ON findings
WHEN new.severity IN ('strong', 'weak') AND (SELECT deferred = 0 AND counts_paused = 0 FROM index_state WHERE id = 1) BEGIN
  UPDATE triage SET strong = strong + (new.severity = 'strong'), weak = weak + (new.severity = 'weak')
  WHERE sha256 = new.sha256;
  INSERT INTO finding_week_counts (week, severity, n)
    VALUES (ifnull((SELECT date(date_key, 'unixepoch', '-6 days', 'weekday 1') FROM triage WHERE sha256 = new.sha256), ''),
      new.severity, 1)
  ON CONFLICT (week, severity) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER triage_messages_delete AFTER DELETE ON messages BEGIN
  DELETE FROM triage WHERE sha256 = old.sha256;
END;
CREATE TRIGGER triage_messages_insert AFTER INSERT ON messages
WHEN (SELECT deferred FROM index_state WHERE id = 1) = 0 BEGIN
  INSERT OR REPLACE INTO triage (sha256, tier, date_key, signed) VALUES (new.sha256,
    CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    ifnull(new.date_epoch, 9007199254740991), new.signature_count > 0);
END;
CREATE TRIGGER triage_messages_update AFTER UPDATE OF verdict, date_epoch, signature_count ON messages
WHEN (SELECT counts_paused FROM index_state WHERE id = 1) = 0 BEGIN
  UPDATE triage SET
    tier = CASE new.verdict WHEN 'tampered' THEN 0 WHEN 'suspicious' THEN 1 WHEN 'unverifiable' THEN 2 ELSE 3 END,
    date_key = ifnull(new.date_epoch, 9007199254740991),
    signed = new.signature_count > 0
  WHERE sha256 = new.sha256;
END;
CREATE VIEW full_messages AS
  SELECT m.rowid AS id, m.*, c.parsed, c.body_text, c.body_html, c.html_chars, c.raw
  FROM messages m JOIN message_content c ON c.id = m.rowid AND c.sha256 = m.sha256;
