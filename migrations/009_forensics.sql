-- Archive forensics (issues 6 and 7): what a finding is about and what it explains.

-- The DKIM signature a finding is about (its index among the message's signatures), when it is
-- about one; and the codes of other findings of the same message that it explains, joined by ';'
-- (a sent copy explains its missing signature). Both NULL for most findings.
ALTER TABLE findings ADD COLUMN signature INTEGER;
ALTER TABLE findings ADD COLUMN explains TEXT;

-- What the archive-wide checks need of each message (MessageFacts as JSON), computed once at
-- analysis so that an archive pass never parses a message again. `version` says which collector
-- wrote it: older facts are computed again from the stored record. The sampled word 5-grams of a
-- reply's quoted text and of the whole text (4-byte hashes, base64) are kept apart from the JSON, so
-- that passes which do not compare texts never read them.
-- `placement` holds, first and small, what the mailbox roles are learned from (JSON array: From,
-- delivered-to and To/Cc addresses, receiving hops, export labels), so that pass never reads `facts`.
CREATE TABLE message_facts (
  sha256      TEXT    PRIMARY KEY REFERENCES messages (sha256),
  version     INTEGER NOT NULL,
  placement   TEXT    NOT NULL,
  facts       TEXT    NOT NULL,
  quote_grams TEXT    NOT NULL,
  text_grams  TEXT    NOT NULL
) WITHOUT ROWID;

-- Where each copy came from, set by the archive pass: the mailbox it sits in (the folder, mbox file
-- or maildir, named after its path) and its role there: the owner's sent copy, a received copy, or
-- neither. Recomputed after every import, as owners are learned from more mail.
ALTER TABLE sources ADD COLUMN mailbox_key TEXT;
ALTER TABLE sources ADD COLUMN role TEXT CHECK (role IN ('sent', 'inbox', 'other'));
CREATE INDEX sources_role ON sources (role, sha256);
CREATE INDEX sources_by_mailbox_key ON sources (mailbox_key);

-- One row per mailbox: its name, the account (the person's folder) it belongs to, the role its
-- name gives it (sent, inbox, or other when the name says nothing), and the owner addresses learned
-- from the copies delivered to it (JSON array).
CREATE TABLE mailboxes (
  key         TEXT    PRIMARY KEY,
  name        TEXT    NOT NULL,
  account     TEXT    NOT NULL,
  name_role   TEXT    NOT NULL CHECK (name_role IN ('sent', 'inbox', 'other')),
  owners      TEXT    NOT NULL,
  copies      INTEGER NOT NULL
) WITHOUT ROWID;

-- The Message-IDs each message names in References and In-Reply-To (its thread ancestors), so the
-- archive finds the replies that quote a message, however deep, by index.
CREATE TABLE message_refs (
  ref    TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES messages (sha256),
  PRIMARY KEY (ref, sha256)
) WITHOUT ROWID;
