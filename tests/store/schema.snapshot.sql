CREATE INDEX attachments_content ON attachments (content_sha256);
CREATE INDEX failures_run ON failures (run_id);
CREATE INDEX findings_code ON findings (code, sha256);
CREATE INDEX findings_sha256 ON findings (sha256);
CREATE INDEX keys_domain ON keys (domain);
CREATE INDEX keys_name ON keys (name);
CREATE UNIQUE INDEX keys_unique ON keys (name, value, source, ifnull(dns_error, ''));
CREATE INDEX messages_date ON messages (date_epoch, sha256);
CREATE INDEX messages_from_domain ON messages (from_domain, date_epoch);
CREATE INDEX messages_in_reply_to ON messages (in_reply_to);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_verdict ON messages (verdict, date_epoch, sha256);
CREATE INDEX overview_counts_top ON overview_counts (dimension, verdict, n);
CREATE INDEX reviews_sha256 ON reviews (sha256, id);
CREATE INDEX signatures_key ON signatures (key_name);
CREATE INDEX sources_by_mailbox_key ON sources (mailbox_key);
CREATE INDEX sources_mailbox ON sources (mailbox);
CREATE INDEX sources_mailbox_key ON sources (coalesce(mailbox, folder, ''), sha256);
CREATE INDEX sources_role ON sources (role, sha256);
CREATE INDEX sources_sha256 ON sources (sha256);
CREATE TABLE attachments (
  sha256         TEXT    NOT NULL REFERENCES messages (sha256),
  idx            INTEGER NOT NULL,
  filename       TEXT,
  content_type   TEXT    NOT NULL,
  size           INTEGER NOT NULL,
  content_sha256 TEXT    NOT NULL,
  disposition    TEXT,
  content_id     TEXT,
  PRIMARY KEY (sha256, idx)
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
CREATE TABLE message_facts (
  sha256      TEXT    PRIMARY KEY REFERENCES messages (sha256),
  version     INTEGER NOT NULL,
  placement   TEXT    NOT NULL,
  facts       TEXT    NOT NULL,
  quote_grams TEXT    NOT NULL,
  text_grams  TEXT    NOT NULL
) WITHOUT ROWID;
CREATE TABLE message_refs (
  ref    TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES messages (sha256),
  PRIMARY KEY (ref, sha256)
) WITHOUT ROWID;
CREATE TABLE messages (
  sha256           TEXT    PRIMARY KEY,      -- SHA-256 of the exact bytes: the message's id
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
  verifier_version TEXT    NOT NULL,
  -- Large values last: SQLite walks a row's columns in order, so list scans never touch them.
  parsed           TEXT    NOT NULL,         -- JSON: headers, addresses, Received hops, attachments, problems
  body_text        TEXT,
  body_html        TEXT,
  raw              BLOB    NOT NULL          -- the exact bytes, never rewritten
);
CREATE VIRTUAL TABLE messages_fts USING fts5(
  subject, from_address, from_name, to_addresses, body_text,
  content = 'messages', content_rowid = 'rowid', tokenize = 'unicode61 remove_diacritics 2'
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
CREATE TABLE schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL);
CREATE TABLE signature_key_counts (
  key_name   TEXT    NOT NULL,
  key_source TEXT    NOT NULL,
  result     TEXT    NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (key_name, key_source, result)
) WITHOUT ROWID;
CREATE TABLE signatures (
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
  PRIMARY KEY (sha256, idx)
) WITHOUT ROWID;
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
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
END;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
END;
CREATE TRIGGER messages_fts_update
AFTER UPDATE OF subject, from_address, from_name, to_addresses, body_text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES ('delete', old.rowid, old.subject, old.from_address, old.from_name, old.to_addresses, old.body_text);
  INSERT INTO messages_fts (rowid, subject, from_address, from_name, to_addresses, body_text)
  VALUES (new.rowid, new.subject, new.from_address, new.from_name, new.to_addresses, new.body_text);
END;
CREATE TRIGGER overview_findings_delete AFTER DELETE ON findings BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES ('code', old.code, '', -1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER overview_findings_insert AFTER INSERT ON findings BEGIN
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
CREATE TRIGGER overview_messages_insert AFTER INSERT ON messages BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n) VALUES
    ('all', '', new.verdict, 1), ('all', '', '', 1),
    ('domain', ifnull(new.from_domain, ''), new.verdict, 1), ('domain', ifnull(new.from_domain, ''), '', 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), new.verdict, 1),
    ('week', ifnull(date(new.date_epoch, 'unixepoch', '-6 days', 'weekday 1'), ''), '', 1)
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER overview_messages_update AFTER UPDATE OF verdict, from_domain, date_epoch ON messages
WHEN old.verdict IS NOT new.verdict OR old.from_domain IS NOT new.from_domain
  OR old.date_epoch IS NOT new.date_epoch BEGIN
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
CREATE TRIGGER overview_sources_delete AFTER DELETE ON sources BEGIN
  INSERT INTO overview_counts (dimension, key, verdict, n)
    SELECT 'mailbox', coalesce(old.mailbox, old.folder, ''), v, -1 FROM (
      SELECT verdict AS v FROM messages WHERE sha256 = old.sha256 UNION ALL SELECT '')
    WHERE true
  ON CONFLICT (dimension, key, verdict) DO UPDATE SET n = n - 1;
END;
CREATE TRIGGER overview_sources_insert AFTER INSERT ON sources BEGIN
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
CREATE TRIGGER signature_key_counts_insert AFTER INSERT ON signatures BEGIN
  INSERT INTO signature_key_counts (key_name, key_source, result, n)
  VALUES (new.key_name, ifnull(new.key_source, ''), new.result, 1)
  ON CONFLICT (key_name, key_source, result) DO UPDATE SET n = n + 1;
END;
