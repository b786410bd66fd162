// What an evidence bundle holds of one stored message, read in one snapshot: the exact bytes, the
// verdict as decided, the findings, the signatures as recorded at import, the key records they
// named (and those of the ARC seals), where the bytes were found, and the reviewers' decisions.
import type { ArcCheck, Finding, KeyRecord, VerdictName } from '../model.ts';
import type { Db } from './database.ts';
import { listFindings } from './messages-repo.ts';
import { listReviews, type Review } from './review-repo.ts';

export interface BundleSignature {
  index: number;
  domain: string;
  selector: string;
  result: string;
  bodyHash: string;
  keyName: string;
  keySource: string | null;
}

export interface BundleEvidence {
  sha256: string;
  raw: Buffer;
  size: number;
  messageId: string | null;
  from: string | null;
  subject: string | null;
  date: string | null;
  verdict: VerdictName;
  summary: string;
  reasons: string[];
  asOf: number;
  asOfSource: string;
  verifierVersion: string;
  importedAt: string;
  firstRunId: number;
  signatures: BundleSignature[];
  arc: ArcCheck;
  findings: Finding[];
  /** The key records the stored signatures and ARC seals named, in a stable order. */
  keys: KeyRecord[];
  sources: { path: string; runId: number }[];
  reviews: Review[];
}

interface MessageRow {
  sha256: string;
  raw: Buffer;
  size: number;
  message_id: string | null;
  from_address: string | null;
  subject: string | null;
  date_header: string | null;
  verdict: VerdictName;
  summary: string;
  reasons: string;
  as_of: number;
  as_of_source: string;
  verifier_version: string;
  imported_at: string;
  first_run_id: number;
  arc: string;
}

interface KeyRow {
  name: string;
  domain: string;
  selector: string;
  value: string;
  source_kind: KeyRecord['sourceKind'];
  source: string;
  first_seen: number | null;
  last_seen: number | null;
  fetched_at: number | null;
  dns_error: string | null;
}

export function getBundleEvidence(db: Db, sha256: string): BundleEvidence | undefined {
  return db.transaction(() => {
    const m = db
      .prepare(
        `SELECT sha256, raw, size, message_id, from_address, subject, date_header, verdict, summary, reasons, as_of, as_of_source,
                verifier_version, imported_at, first_run_id, arc FROM full_messages WHERE sha256 = ?`,
      )
      .get(sha256) as MessageRow | undefined;
    if (!m) return undefined;
    const signatures = (
      db
        .prepare('SELECT idx, domain, selector, result, body_hash, key_name, key_source FROM signatures WHERE sha256 = ? ORDER BY idx')
        .all(sha256) as {
        idx: number;
        domain: string;
        selector: string;
        result: string;
        body_hash: string;
        key_name: string;
        key_source: string | null;
      }[]
    ).map((s) => ({
      index: s.idx,
      domain: s.domain,
      selector: s.selector,
      result: s.result,
      bodyHash: s.body_hash,
      keyName: s.key_name,
      keySource: s.key_source,
    }));
    const arc = JSON.parse(m.arc) as ArcCheck;
    const keyRows = db.prepare(
      'SELECT name, domain, selector, value, source_kind, source, first_seen, last_seen, fetched_at, dns_error FROM keys WHERE name = ? ORDER BY id',
    );
    const keys: KeyRecord[] = [];
    const seen = new Set<string>();
    const addKeys = (name: string, source: string | null): void => {
      for (const k of keyRows.all(name) as KeyRow[]) {
        if (source !== null && k.source !== source) continue;
        const id = `${k.name}\0${k.source}\0${k.value}\0${k.dns_error ?? ''}`;
        if (seen.has(id)) continue;
        seen.add(id);
        keys.push({
          name: k.name,
          domain: k.domain,
          selector: k.selector,
          value: k.value,
          sourceKind: k.source_kind,
          source: k.source,
          firstSeen: k.first_seen,
          lastSeen: k.last_seen,
          fetchedAt: k.fetched_at,
          dnsError: k.dns_error,
        });
      }
    };
    for (const s of signatures) if (s.keySource !== null) addKeys(s.keyName, s.keySource);
    // The ARC record keeps no key source: every record of each seal's selector is included.
    for (const seal of arc.seals) addKeys(`${seal.selector.toLowerCase()}._domainkey.${seal.domain.toLowerCase()}`, null);
    const sources = (
      db.prepare('SELECT path, run_id FROM sources WHERE sha256 = ? ORDER BY id').all(sha256) as { path: string; run_id: number }[]
    ).map((s) => ({ path: s.path, runId: s.run_id }));
    return {
      sha256: m.sha256,
      raw: m.raw,
      size: m.size,
      messageId: m.message_id,
      from: m.from_address,
      subject: m.subject,
      date: m.date_header,
      verdict: m.verdict,
      summary: m.summary,
      reasons: m.reasons ? m.reasons.split(';') : [],
      asOf: m.as_of,
      asOfSource: m.as_of_source,
      verifierVersion: m.verifier_version,
      importedAt: m.imported_at,
      firstRunId: m.first_run_id,
      signatures,
      arc,
      findings: listFindings(db, sha256),
      keys,
      sources,
      reviews: listReviews(db, sha256),
    };
  })();
}
