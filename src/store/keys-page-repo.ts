// The key store as the keys page shows it: each record with its origin, dates and the signatures it
// took part in (counts from migration 002's summary table, plus a few example messages).
import type { Db } from './database.ts';
import type { DkimResult } from '../model.ts';
import { KEY_CODEC, type StoredKey } from './keys-repo.ts';
import { readRow, selectList } from './row-codec.ts';
import { withSnapshot } from './transaction.ts';

/** A key record with what it was used for. */
export interface KeyUsage extends StoredKey {
  /** Signatures that used this record, per result. */
  usage: Partial<Record<DkimResult, number>>;
  /** A few messages whose signature passed with this record. */
  verified: { sha256: string; subject: string | null; dateHeader: string | null }[];
}

/** A key that signatures asked for and the key store lacked. */
export interface MissingKey {
  keyName: string;
  result: DkimResult;
  n: number;
}

export interface KeysPage {
  keys: KeyUsage[];
  /** The id to continue after, null on the last page. */
  next: number | null;
  /** Keys that signatures asked for but the key store lacked: the most used first. */
  missing: MissingKey[];
  /** How many (key, result) pairs are missing in all. */
  missingTotal: number;
}

export function listKeysPage(db: Db, opts: { domain?: string; after?: number; size: number; examples: number; missing: number }): KeysPage {
  return withSnapshot(db, () => {
    const where = ['id > ?'];
    const params: unknown[] = [opts.after ?? 0];
    if (opts.domain !== undefined) {
      where.push('domain = ?');
      params.push(opts.domain);
    }
    const rows = (
      db
        .prepare(`SELECT ${selectList(KEY_CODEC)} FROM keys WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
        .all(...params, opts.size + 1) as Record<string, unknown>[]
    ).map((r) => readRow(KEY_CODEC, r));
    const usage = db.prepare('SELECT result, n FROM signature_key_counts WHERE key_name = ? AND key_source = ? AND n > 0');
    const verified = db.prepare(
      `SELECT m.sha256, m.subject, m.date_header AS dateHeader FROM signatures s JOIN messages m ON m.sha256 = s.sha256
       WHERE s.key_name = ? AND s.key_source = ? AND s.result = 'pass' LIMIT ?`,
    );
    const page = rows.slice(0, opts.size).map((k) => ({
      ...k,
      usage: Object.fromEntries((usage.all(k.name, k.source) as { result: DkimResult; n: number }[]).map((u) => [u.result, u.n])),
      verified: verified.all(k.name, k.source, opts.examples) as KeyUsage['verified'],
    }));
    const missingWhere = `key_source = '' AND n > 0 ${opts.domain !== undefined ? "AND key_name GLOB '*._domainkey.' || ?" : ''}`;
    const domain = opts.domain !== undefined ? [opts.domain] : [];
    const missing = db
      .prepare(`SELECT key_name AS keyName, result, n FROM signature_key_counts WHERE ${missingWhere} ORDER BY n DESC, key_name LIMIT ?`)
      .all(...domain, opts.missing) as MissingKey[];
    const missingTotal = (
      db.prepare(`SELECT count(*) AS n FROM signature_key_counts WHERE ${missingWhere}`).get(...domain) as { n: number }
    ).n;
    return { keys: page, next: rows.length > opts.size ? (page.at(-1)?.id ?? null) : null, missing, missingTotal };
  });
}

/** Every key record, in chunks by id (the keys page's CSV twin). */
export function* iterateKeyRecords(db: Db, chunk = 1000): Generator<StoredKey[]> {
  const page = db.prepare(`SELECT ${selectList(KEY_CODEC)} FROM keys WHERE id > ? ORDER BY id LIMIT ?`);
  let after = 0;
  for (;;) {
    const rows = (page.all(after, chunk) as Record<string, unknown>[]).map((r) => readRow(KEY_CODEC, r));
    if (rows.length) yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < chunk) return;
    after = last.id;
  }
}
