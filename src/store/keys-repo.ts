// The key store: DKIM public key records with their origin.
import type { Db } from './database.ts';
import type { KeyRecord } from '../model.ts';
import { column, insertSql, readRow, rowValues, selectList, type RowCodec } from './row-codec.ts';
import { withTransaction } from './transaction.ts';

/** A key record as the store holds it: with its row id and when it was imported (ISO time). */
export type StoredKey = KeyRecord & { id: number; importedAt: string };

const KEY_RECORD_CODEC: RowCodec<KeyRecord> = {
  name: column('name'),
  domain: column('domain'),
  selector: column('selector'),
  value: column('value'),
  sourceKind: column('source_kind'),
  source: column('source'),
  firstSeen: column('first_seen'),
  lastSeen: column('last_seen'),
  fetchedAt: column('fetched_at'),
  dnsError: column('dns_error'),
};

export const KEY_CODEC: RowCodec<StoredKey> = { id: column('id'), ...KEY_RECORD_CODEC, importedAt: column('imported_at') };

/** Stores key records; returns how many were new (the same record from the same source is kept once). */
export function insertKeys(db: Db, records: KeyRecord[]): number {
  const stmt = db.prepare(insertSql('keys', KEY_RECORD_CODEC, ['imported_at'], true));
  const now = new Date().toISOString();
  let added = 0;
  withTransaction(db, () => {
    for (const k of records) added += stmt.run(rowValues(KEY_RECORD_CODEC, k, [now])).changes;
  });
  return added;
}

export function listKeys(db: Db): StoredKey[] {
  const rows = db.prepare(`SELECT ${selectList(KEY_CODEC)} FROM keys ORDER BY domain, selector, id`).all() as Record<string, unknown>[];
  return rows.map((r) => readRow(KEY_CODEC, r));
}

/** Every key record, for the verifier's in-memory resolver. */
export function loadAllKeys(db: Db): KeyRecord[] {
  const rows = db.prepare(`SELECT ${selectList(KEY_RECORD_CODEC)} FROM keys ORDER BY id`).all() as Record<string, unknown>[];
  return rows.map((r) => readRow(KEY_RECORD_CODEC, r));
}
