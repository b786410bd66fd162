// The key store: DKIM public key records with their origin.
import type { Db } from './database.ts';
import type { KeyRecord, KeySourceKind } from '../model.ts';

/** A key record as stored. */
export interface KeyRow {
  id: number;
  name: string;
  domain: string;
  selector: string;
  value: string;
  source_kind: KeySourceKind;
  source: string;
  first_seen: number | null;
  last_seen: number | null;
  fetched_at: number | null;
  dns_error: string | null;
  imported_at: string;
}

function toRecord(r: KeyRow): KeyRecord {
  return {
    name: r.name,
    domain: r.domain,
    selector: r.selector,
    value: r.value,
    sourceKind: r.source_kind,
    source: r.source,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    fetchedAt: r.fetched_at,
    dnsError: r.dns_error,
  };
}

/** Stores key records; returns how many were new (the same record from the same source is kept once). */
export function insertKeys(db: Db, records: KeyRecord[]): number {
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO keys (name, domain, selector, value, source_kind, source, first_seen, last_seen,
       fetched_at, dns_error, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = new Date().toISOString();
  let added = 0;
  db.transaction(() => {
    for (const k of records) {
      const info = stmt.run(
        k.name,
        k.domain,
        k.selector,
        k.value,
        k.sourceKind,
        k.source,
        k.firstSeen,
        k.lastSeen,
        k.fetchedAt,
        k.dnsError,
        now,
      );
      added += info.changes;
    }
  })();
  return added;
}

export function listKeys(db: Db): (KeyRecord & { id: number; importedAt: string })[] {
  const rows = db.prepare('SELECT * FROM keys ORDER BY domain, selector, id').all() as KeyRow[];
  return rows.map((r) => ({ ...toRecord(r), id: r.id, importedAt: r.imported_at }));
}

/** Every key record, for the verifier's in-memory resolver. */
export function loadAllKeys(db: Db): KeyRecord[] {
  return (db.prepare('SELECT * FROM keys ORDER BY id').all() as KeyRow[]).map(toRecord);
}
