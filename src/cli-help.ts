// The --help texts. Kept beside the CLI and checked by a test against the README's usage section.
import { MAX_WORKERS } from './pipeline/run-import.ts';

export const HELP: Record<string, string> = {
  main: `leaktriage — triage a leaked e-mail dump for authenticity, offline.

Usage:
  leaktriage import <path>... [--db FILE] [--keys FILE]... [--dns off|live] [--workers N]
  leaktriage keys import <file>... [--db FILE]
  leaktriage keys list [--db FILE]
  leaktriage export [--db FILE] --format csv|json|ndjson [--out FILE] [--verdict V]...
  leaktriage export [--db FILE] --bundle SHA256... [--out DIR]
  leaktriage export [--db FILE] --manifest RUN [--out FILE]
  leaktriage serve [--db FILE] [--host 127.0.0.1] [--port 8080] [--token T]

Every message gets one verdict: verified, tampered, suspicious or unverifiable,
with the reason codes that decided it (see docs/checks.md).
The default database is ./leaktriage.sqlite. No network access unless --dns live.
'leaktriage <command> --help' describes each command.`,

  import: `leaktriage import <path>... [--db FILE] [--keys FILE]... [--dns off|live] [--workers N]

Imports .eml files, directory trees, mbox files (recognised by content), maildirs,
.zip and tar archives, and files compressed whole with gzip or zstd (.tar.gz,
mbox.gz: read as streams, never extracted). Each message is stored byte
for byte under the SHA-256 of its bytes, parsed, its DKIM signatures and ARC chain
verified against the key store as of the message's own time, checked, and given a
verdict. Inputs that are not mail are recorded with a reason code.
Running the same import again adds nothing; an import that was stopped, run again,
completes it.

  --db FILE       database (default ./leaktriage.sqlite; created if missing;
                  a file that is not a leaktriage database is refused untouched)
  --keys FILE     load DKIM keys first (zone file or JSON; repeatable) — as 'keys import'
  --dns off|live  off (default): a key not in the store is "key unknown".
                  live: look missing keys up in DNS; the domain owner can see this.
                  Each answer is stored with the time it was fetched.
  --workers N     analysis threads, 0 to ${MAX_WORKERS} (default: one per core, at most ${MAX_WORKERS};
                  0 = none; each takes 100-150 MB, and ${MAX_WORKERS} keep an import under 1 GB)

An input path that does not exist or cannot be read is named on stderr; when
none of them can be read, nothing is imported (exit 1). A database that another
import or the review server is writing is waited for (said on stderr).
Progress goes to stderr when it is a terminal; the summary goes to stdout.
Exit status: 0 done, 1 error (one sentence on stderr; nothing changed, or what
was kept is said), 2 usage error, 130 stopped by Ctrl-C, 143 stopped by SIGTERM
(run again to finish: nothing is stored twice).`,

  keys: `leaktriage keys import <file>... [--db FILE]
leaktriage keys list [--db FILE]

The key store holds DKIM public keys with where each came from.`,

  'keys import': `leaktriage keys import <file>... [--db FILE]

Adds DKIM key records to the key store. Accepted files (recognised by content):
  - BIND zone-file TXT lines:  sel._domainkey.example.org. IN TXT "v=DKIM1; k=rsa; " "p=MIIB…"
    (several quoted strings are joined without separators; $ORIGIN and ( ) are understood)
  - JSON {"keys": {"sel._domainkey.example.org": {"txt": ["…"], "error": "NXDOMAIN"}}}
  - mailauth's DNS cache JSON {"sel._domainkey.example.org": {"TXT": [["…", "…"]]}}
  - a DKIM key-archive export: [{"domain", "selector", "value", "firstSeenAt", "lastSeenAt"}]
The same record from the same file is stored once.`,

  'keys list': `leaktriage keys list [--db FILE]

Prints the key store as tab-separated columns: name, key (type-bits, revoked or a
recorded DNS error), source, first_seen, last_seen, fetched, imported. The
database must exist; it is opened read-only.`,

  export: `leaktriage export [--db FILE] --format csv|json|ndjson [--out FILE] [--verdict V]...
leaktriage export [--db FILE] --bundle SHA256... [--out DIR]
leaktriage export [--db FILE] --manifest RUN [--out FILE]

Streams one row per message: sha256, source_path, source_count, message_id, from,
subject, date, verdict, reasons, summary, dkim, arc, key_source, as_of,
as_of_source, review_decision, review_verdict, reviewer, review_note, reviewed_at,
final_verdict.

  --format F    csv, json (one array) or ndjson (one object a line)
  --out FILE    write there instead of stdout
  --verdict V   keep messages whose final verdict (the reviewer's, else the
                machine's) is V; repeat for several
  --bundle ID   write the evidence bundle of each message (its SHA-256) as
                DIR/evidence-<sha256>.zip (--out DIR, default the current folder):
                the exact .eml, the key records used (zone lines and a DNS cache),
                the verification transcript, the findings and verdict, and a README
                on re-verifying it with dkimpy or mailauth (docs/chain-of-custody.md)
  --manifest N  write import run N's manifest as JSON: every message digest the
                run read and their Merkle root (RFC 6962), to check later what
                was received

CSV cells that a spreadsheet would run as a formula (starting with = + - @) get a
leading apostrophe. The database must exist; it is opened read-only, so it may sit
on write-protected media.`,

  serve: `leaktriage serve [--db FILE] [--host 127.0.0.1] [--port 8080] [--token T]

Starts the review screens on http://127.0.0.1:8080/. Listening on any address
other than loopback requires an access token: one is generated and printed with
the machine's addresses, or give your own with --token (at least 128 bits of
entropy, e.g. openssl rand -base64 32). The server reads a database an import
may still be writing. The database must exist; on write-protected media it is
served read-only (pages and exports work, reviews cannot be saved).`,
};
