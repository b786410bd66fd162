// Direct batched inserts of ready-made rows, for the server benchmark's million-message database.
// Benchmark-only (kept out of src/, so no production path can reach it): it skips parsing and
// verification and trusts its caller's rows, written straight in the columns of migrations 001 and 012. The
// triggers of migration 002 still run, so the summary tables and the full-text index come out as an
// import's would.
import type { Db } from '../src/store/database.ts';
import { withTransaction } from '../src/store/transaction.ts';

export interface SyntheticRow {
  sha256: string;
  raw: Buffer;
  runId: number;
  messageId: string;
  fromAddress: string;
  fromName: string;
  fromDomain: string;
  to: string;
  subject: string;
  dateHeader: string | null;
  dateEpoch: number | null;
  verdict: string;
  summary: string;
  reasons: string;
  dkim: string;
  keySource: string | null;
  parsed: string;
  text: string;
  asOf: number;
  source: { path: string; mailbox: string | null; folder: string | null; offset: number | null };
  signatures: { domain: string; selector: string; result: string; keyName: string; keySource: string | null; bodyHash: string }[];
  findings: { check: string; code: string; severity: string; detail: string }[];
}

export function insertSyntheticBatch(db: Db, rows: SyntheticRow[], importedAt: string): void {
  const msg = db.prepare(
    `INSERT INTO messages (sha256, size, first_run_id, imported_at, message_id, from_address, from_name, from_domain,
       to_addresses, subject, date_header, date_epoch, as_of, as_of_source, verdict, summary, reasons, signature_count,
       dkim, arc_result, arc, key_source, verifier_version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'date', ?, ?, ?, ?, ?, 'none',
       '{"result":"none","instances":0,"comment":"","seals":[]}', ?, 'synthetic')`,
  );
  const content = db.prepare('INSERT INTO message_content (id, sha256, parsed, body_text, raw) VALUES (?, ?, ?, ?, ?)');
  const src = db.prepare(
    'INSERT INTO sources (sha256, run_id, path, container, mailbox, folder, offset, length) VALUES (?, ?, ?, NULL, ?, ?, ?, ?)',
  );
  const sig = db.prepare(
    `INSERT INTO signatures (sha256, idx, domain, selector, algorithm, canonicalization, signed_headers, body_hash, result,
       comment, key_type, key_bits, key_name, key_source, key_revoked, aligned, unsigned_body_bytes)
     VALUES (?, ?, ?, ?, 'rsa-sha256', 'relaxed/relaxed', 'from:to:subject:date', ?, ?, '', 'rsa', 2048, ?, ?, 0, 1, 0)`,
  );
  const fnd = db.prepare("INSERT INTO findings (sha256, check_id, code, severity, detail, evidence) VALUES (?, ?, ?, ?, ?, '{}')");
  withTransaction(db, () => {
    for (const r of rows) {
      const { lastInsertRowid } = msg.run(
        r.sha256,
        r.raw.length,
        r.runId,
        importedAt,
        r.messageId,
        r.fromAddress,
        r.fromName,
        r.fromDomain,
        r.to,
        r.subject,
        r.dateHeader,
        r.dateEpoch,
        r.asOf,
        r.verdict,
        r.summary,
        r.reasons,
        r.signatures.length,
        r.dkim,
        r.keySource,
      );
      content.run(lastInsertRowid, r.sha256, r.parsed, r.text, r.raw);
      src.run(r.sha256, r.runId, r.source.path, r.source.mailbox, r.source.folder, r.source.offset, r.raw.length);
      r.signatures.forEach((s, i) => sig.run(r.sha256, i, s.domain, s.selector, s.bodyHash, s.result, s.keyName, s.keySource));
      for (const f of r.findings) fnd.run(r.sha256, f.check, f.code, f.severity, f.detail);
    }
  });
}

/**
 * Settings for a one-off bulk load on a fresh file: a large page cache (random sha256 keys touch the
 * whole of every index) and no fsync. A crash during the load loses the file, which is only a benchmark.
 */
export function tuneForBulkLoad(db: Db): void {
  db.pragma('cache_size = -1000000');
  db.pragma('synchronous = OFF');
  db.pragma('temp_store = MEMORY');
}

/** Drops the secondary indexes of the bulk-loaded tables; returns the SQL that recreates them. */
export function dropSecondaryIndexes(db: Db): string[] {
  const rows = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
       AND tbl_name IN ('messages', 'sources', 'signatures', 'findings', 'attachments')`,
    )
    .all() as { name: string; sql: string }[];
  for (const r of rows) db.exec(`DROP INDEX "${r.name.replaceAll('"', '""')}"`);
  return rows.map((r) => r.sql);
}

/** Recreates indexes (one sort each: far faster than maintaining them row by row). */
export function createIndexes(db: Db, sqls: string[]): void {
  for (const sql of sqls) db.exec(sql);
}
