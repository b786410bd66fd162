// Messages, their sources, signatures, findings and attachments.
import { cachedStatement } from './database.ts';
import type { Db } from './database.ts';
import type { AnalysedMessage, Finding, SourceRef, Verdict } from '../model.ts';
import { insertFacts } from './facts-repo.ts';

export function hasMessage(db: Db, sha256: string): boolean {
  return cachedStatement(db, 'SELECT 1 FROM messages WHERE sha256 = ?').get(sha256) !== undefined;
}

/** Adds a (message, location) pair; false when that pair is already recorded. */
export function addSource(db: Db, sha256: string, runId: number, s: SourceRef): boolean {
  const info = cachedStatement(
    db,
    `INSERT OR IGNORE INTO sources (sha256, run_id, path, container, mailbox, folder, offset, length)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(sha256, runId, s.path, s.container, s.mailbox, s.folder, s.offset, s.length);
  return info.changes > 0;
}

/** Summary columns the export and the queue read without opening the JSON. */
function dkimColumn(a: AnalysedMessage): string {
  return a.verification.signatures.map((s) => `${s.domain}/${s.selector}/${s.result}`).join(';');
}

function keySourceColumn(a: AnalysedMessage): string | null {
  const sources = [...new Set(a.verification.signatures.map((s) => s.keySource).filter((s): s is string => s !== null))];
  return sources.length ? sources.join(';') : null;
}

/** Inserts a new message with everything learned about it. Call inside a transaction. */
export function insertMessage(db: Db, runId: number, a: AnalysedMessage): void {
  const p = a.parsed;
  const from = p.from[0];
  const { text, html, ...structure } = p;
  cachedStatement(
    db,
    `INSERT INTO messages (sha256, size, raw, first_run_id, imported_at, message_id, from_address, from_name,
       from_domain, to_addresses, subject, date_header, date_epoch, in_reply_to, list_id, mailer, as_of,
       as_of_source, verdict, summary, reasons, signature_count, dkim, arc_result, arc, key_source, parsed,
       body_text, body_html, verifier_version)
     VALUES (@sha256, @size, @raw, @runId, @importedAt, @messageId, @fromAddress, @fromName, @fromDomain,
       @to, @subject, @dateHeader, @dateEpoch, @inReplyTo, @listId, @mailer, @asOf, @asOfSource, @verdict,
       @summary, @reasons, @signatureCount, @dkim, @arcResult, @arc, @keySource, @parsed, @text, @html,
       @verifierVersion)`,
  ).run({
    sha256: a.sha256,
    size: a.bytes.length,
    raw: a.bytes,
    runId,
    importedAt: new Date().toISOString(),
    messageId: p.messageId,
    fromAddress: from?.address ?? null,
    fromName: from?.name ?? null,
    fromDomain: from?.domain || null,
    to: [...p.to, ...p.cc].map((x) => x.address).join(', ') || null,
    subject: p.subject,
    dateHeader: p.dateRaw,
    dateEpoch: p.dateEpoch,
    inReplyTo: p.inReplyTo,
    listId: p.listId,
    mailer: p.mailer,
    asOf: a.verification.asOf,
    asOfSource: a.verification.asOfSource,
    verdict: a.verdict.verdict,
    summary: a.verdict.summary,
    reasons: a.verdict.reasons.join(';'),
    signatureCount: a.verification.signatures.length,
    dkim: dkimColumn(a),
    arcResult: a.verification.arc.result,
    arc: JSON.stringify(a.verification.arc),
    keySource: keySourceColumn(a),
    parsed: JSON.stringify(structure),
    text,
    html,
    verifierVersion: VERIFIER_VERSION,
  });
  const sig = cachedStatement(
    db,
    `INSERT INTO signatures (sha256, idx, domain, selector, algorithm, canonicalization, version, identity,
       signed_headers, body_length, sign_time, expires_at, body_hash, header_signature, result, comment, key_type, key_bits,
       key_name, key_source, key_revoked, key_first_seen, key_last_seen, key_error, aligned, unsigned_body_bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const s of a.verification.signatures) {
    sig.run(
      a.sha256,
      s.index,
      s.domain,
      s.selector,
      s.algorithm,
      s.canonicalization,
      s.version,
      s.identity,
      s.signedHeaders.join(':'),
      s.bodyLength,
      s.signTime,
      s.expiresAt,
      s.bodyHash,
      s.headerSignature,
      s.result,
      s.comment,
      s.keyType,
      s.keyBits,
      s.keyName,
      s.keySource,
      s.keyRevoked ? 1 : 0,
      s.keyFirstSeen,
      s.keyLastSeen,
      s.keyError,
      s.aligned ? 1 : 0,
      s.unsignedBodyBytes,
    );
  }
  insertFindings(db, a.sha256, a.findings);
  if (a.facts) insertFacts(db, a.sha256, a.facts);
  const att = cachedStatement(
    db,
    `INSERT INTO attachments (sha256, idx, filename, content_type, size, content_sha256, disposition, content_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  p.attachments.forEach((x, i) => att.run(a.sha256, i, x.filename, x.contentType, x.size, x.sha256, x.disposition, x.contentId));
}

/** Recorded with each message so a later version can tell which verifier decided it. */
export const VERIFIER_VERSION = 'leaktriage-verify/1';

export function insertFindings(db: Db, sha256: string, findings: Finding[]): void {
  const f = cachedStatement(
    db,
    'INSERT INTO findings (sha256, check_id, code, severity, detail, evidence, signature, explains) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const x of findings)
    f.run(sha256, x.check, x.code, x.severity, x.detail, JSON.stringify(x.evidence), x.signature ?? null, x.explains?.join(';') ?? null);
}

interface FindingRow {
  check_id: string;
  code: string;
  severity: Finding['severity'];
  detail: string;
  evidence: string;
  signature: number | null;
  explains: string | null;
}

/** A stored finding as the model has it; the optional fields are left out when empty. */
export function toFinding(r: FindingRow): Finding {
  const f: Finding = {
    check: r.check_id,
    code: r.code,
    severity: r.severity,
    detail: r.detail,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  };
  if (r.signature !== null) f.signature = r.signature;
  if (r.explains) f.explains = r.explains.split(';');
  return f;
}

export function listFindings(db: Db, sha256: string): Finding[] {
  const rows = cachedStatement(
    db,
    'SELECT check_id, code, severity, detail, evidence, signature, explains FROM findings WHERE sha256 = ? ORDER BY id',
  ).all(sha256) as FindingRow[];
  return rows.map(toFinding);
}

/** Replaces the findings of one check (archive checks re-run after each import) and the verdict. */
export function replaceCheckFindings(db: Db, sha256: string, checkIds: string[], findings: Finding[]): void {
  const del = cachedStatement(db, 'DELETE FROM findings WHERE sha256 = ? AND check_id = ?');
  for (const id of checkIds) del.run(sha256, id);
  insertFindings(db, sha256, findings);
}

export function updateVerdict(db: Db, sha256: string, v: Verdict): void {
  cachedStatement(db, 'UPDATE messages SET verdict = ?, summary = ?, reasons = ? WHERE sha256 = ?').run(
    v.verdict,
    v.summary,
    v.reasons.join(';'),
    sha256,
  );
}

export interface VerdictCount {
  verdict: string;
  n: number;
}

export function countVerdicts(db: Db): VerdictCount[] {
  return cachedStatement(db, 'SELECT verdict, count(*) AS n FROM messages GROUP BY verdict').all() as VerdictCount[];
}
