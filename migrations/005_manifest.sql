-- Chain of custody (issue 7): what each import run received, so that a later claim about what was
-- received can be checked. Every message a run read (new or already known) is listed once per run;
-- when the run ends, the Merkle root over that list is sealed (see docs/chain-of-custody.md).

CREATE TABLE run_manifest_entries (
  run_id INTEGER NOT NULL REFERENCES import_runs (id),
  sha256 TEXT    NOT NULL,             -- lower-case hex SHA-256 of the message's exact bytes
  PRIMARY KEY (run_id, sha256)
) WITHOUT ROWID;

CREATE TABLE run_manifests (
  run_id      INTEGER PRIMARY KEY REFERENCES import_runs (id),
  leaves      INTEGER NOT NULL,        -- messages listed for the run
  root        TEXT    NOT NULL,        -- hex Merkle root (RFC 6962 tree hash over the sorted digests)
  construction TEXT   NOT NULL,        -- names the construction, so a later one can be told apart
  sealed_at   TEXT    NOT NULL
);
