// The --help texts. Kept beside the CLI and checked by a test against the README's usage section.

export const HELP: Record<string, string> = {
  main: `leaktriage — triage a leaked e-mail dump for authenticity, offline.

Usage:
  leaktriage import <path>... [--db FILE] [--keys FILE]... [--dns off|live] [--workers N]
  leaktriage keys import <file>... [--db FILE]
  leaktriage keys list [--db FILE]
  leaktriage export [--db FILE] --format csv|json|ndjson [--out FILE] [--verdict V]...
  leaktriage serve [--db FILE] [--host 127.0.0.1] [--port 8080] [--token T]

Every message gets one verdict: verified, tampered, suspicious or unverifiable,
with the reason codes that decided it (see docs/checks.md).
The default database is ./leaktriage.sqlite. No network access unless --dns live.
'leaktriage <command> --help' describes each command.`,

  import: `leaktriage import <path>... [--db FILE] [--keys FILE]... [--dns off|live] [--workers N]

Imports .eml files, directory trees, mbox files (recognised by content), maildirs
and .zip archives (read as streams, never extracted). Each message is stored byte
for byte under the SHA-256 of its bytes, parsed, its DKIM signatures and ARC chain
verified against the key store as of the message's own time, checked, and given a
verdict. Inputs that are not mail are recorded with a reason code.
Running the same import again adds nothing; an import that was stopped, run again,
completes it.

  --db FILE       database (default ./leaktriage.sqlite; created if missing)
  --keys FILE     load DKIM keys first (zone file or JSON; repeatable) — as 'keys import'
  --dns off|live  off (default): a key not in the store is "key unknown".
                  live: look missing keys up in DNS; the domain owner can see this.
                  Each answer is stored with the time it was fetched.
  --workers N     analysis threads (default: one per core, at most 4; 0 = none)

Progress goes to stderr when it is a terminal; the summary goes to stdout.
Exit status: 0 done, 1 error, 2 usage error, 130 stopped by Ctrl-C (run again to finish).`,

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
recorded DNS error), source, first_seen, last_seen, fetched, imported.`,

  export: `leaktriage export [--db FILE] --format csv|json|ndjson [--out FILE] [--verdict V]...

Streams one row per message: sha256, source_path, source_count, message_id, from,
subject, date, verdict, reasons, summary, dkim, arc, key_source, as_of,
as_of_source, review_decision, review_verdict, reviewer, review_note, reviewed_at,
final_verdict.

  --format F    csv, json (one array) or ndjson (one object a line)
  --out FILE    write there instead of stdout
  --verdict V   keep messages whose final verdict (the reviewer's, else the
                machine's) is V; repeat for several

CSV cells that a spreadsheet would run as a formula (starting with = + - @) get a
leading apostrophe.`,

  serve: `leaktriage serve [--db FILE] [--host 127.0.0.1] [--port 8080] [--token T]

Starts the review screens on http://127.0.0.1:8080/. Listening on any address
other than loopback requires an access token: one is generated and printed with
the machine's addresses, or give your own with --token (at least 128 bits of
entropy, e.g. openssl rand -base64 32). The server reads a database an import
may still be writing.`,
};
